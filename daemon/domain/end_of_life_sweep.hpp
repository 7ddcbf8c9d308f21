// The End-of-Life deletion: once a product's End of Life has passed, every license of it with
// its activations and leases is deleted in one transaction, exactly once, and the audit log
// records the counts. Run by the End-of-Life operation (a date now or past,
// domain/products.hpp) and by a periodic sweep (a future date, from the config or the API, that
// has since passed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/product.hpp"
#include "domain/unit_of_work.hpp"

namespace lmp::domain {

// Whether a deletion is for real or a dry run, whose transaction its caller rolls back.
enum class DeletionRun { real, dry };

// Inside the context's write transaction: deletes product `code`'s data unless it was deleted
// already (then nullopt), and appends the audit record "product.data_deleted" with the counts,
// naming the context's caller (the operation's; the server for the sweep). A dry run does the
// same and logs nothing: its caller rolls the transaction back, so its counts are those of the
// very deletion a real run makes.
std::optional<EndOfLifeDeletion> delete_product_data_once(const Context& ctx,
                                                          const std::string& code,
                                                          DeletionRun run = DeletionRun::real);

// The products whose End of Life has passed and whose data is still there, read in the
// context's transaction.
std::vector<std::string> end_of_life_due(const Context& ctx);

// One sweep in transactions of its own, by the server: a read one finds what is due; only then a
// write one deletes it. Storage failures are logged and left to the next sweep. Returns how many
// products' data this call deleted.
int sweep_end_of_life(UnitOfWork& db, const Products& products, std::int64_t now_ms);

}  // namespace lmp::domain
