// `lmpd admin` subcommands, working on the configured database directly through the same domain
// operations as the admin API, as the local operator (domain/caller.hpp). SQLite's locking makes
// this safe while the daemon runs: each command is one short transaction.
#include "admin/admin_cli.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "config/config_loader.hpp"
#include "core/activation_code.hpp"
#include "core/calendar.hpp"
#include "core/clock.hpp"
#include "core/registration_key.hpp"
#include "domain/customers.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/entitlement.hpp"
#include "domain/entitlements.hpp"
#include "domain/first_run.hpp"
#include "domain/licenses.hpp"
#include "domain/permissions.hpp"
#include "domain/sdk_unit_type.hpp"
#include "domain/signing_keys.hpp"
#include "domain/vendor_keys.hpp"
#include "protocol/request_parser.hpp"
#include "storage/sql_unit_of_work.hpp"

namespace lmp::admin {
namespace {

constexpr const char* kUsage =
    "usage: lmpd admin [--config FILE] COMMAND\n"
    "commands:\n"
    "  init [--name ACCOUNT] [--user NAME] [--expires TIME | --days N]\n"
    "      first run: creates the parent account (default name 'parent') and its first admin\n"
    "      user (default 'admin'), and prints that user's API token (shown only once), which\n"
    "      expires on the date or after the days given (default: never)\n"
    "  create-customer NAME\n"
    "  create-license --customer NAME|ID --product CODE|NAME --units N\n"
    "                 [--starts TIME] [--expires TIME | --days N]\n"
    "      creates the customer named when it does not exist yet (an id must exist), and prints\n"
    "      the license's activation code (shown only once: the server keeps only its hash)\n"
    "  renew-license ID [--expires TIME | --days N]\n"
    "      renews license ID to the time, or by the days from its expiry (from now once past its\n"
    "      grace); neither: by its plan's period (its own period without one)\n"
    "  list-licenses [--json]\n"
    "      every license; --json: as a JSON array of the objects GET /v1/licenses/{id} answers\n"
    "  rotate-signing-key\n"
    "      a new Ed25519 key signs borrowed leases' tokens from now on; the old public keys stay\n"
    "      published (GET /v1/keys) until every token they signed has expired\n"
    "  site-id\n"
    "      prints this server's site id (made once, at the first start or now), which the vendor\n"
    "      binds entitlements to, and whether it is a site server (trust.vendor_keys set)\n"
    "  import FILE\n"
    "      on a site server: imports the vendor's entitlement in FILE (a license with its\n"
    "      activation code shown once, or a newer serial replacing its terms); the same file\n"
    "      again changes nothing\n"
    "TIME is Unix seconds, a date YYYY-MM-DD (UTC midnight) or YYYY-MM-DDTHH:MM[:SS]Z (UTC), as\n"
    "lmpctl takes it. A customer or product is named by its name or its id (a product's id is\n"
    "its code); a name that is all digits is read as an id.\n"
    "Each command acts with the parent account's rights, under the same rules as the admin API.\n";

// A license runs a year unless told otherwise.
constexpr std::int64_t kDefaultDays = 365;

struct Options {
  std::string config_path;
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  bool json = false;  // --json, the one flag without a value
};

// Splits the words into --flag VALUE pairs and positionals; false on a flag without a value.
bool parse_words(const std::vector<std::string>& args, Options& opts, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--json") {
      opts.json = true;
    } else if (word.rfind("--", 0) == 0) {
      if (i + 1 >= args.size()) {
        err << "lmpd admin: " << word << " needs a value\n";
        return false;
      }
      if (word == "--config")
        opts.config_path = args[++i];
      else
        opts.flags[word.substr(2)] = args[++i];
    } else if (opts.command.empty()) {
      opts.command = word;
    } else {
      opts.positional.push_back(word);
    }
  }
  return true;
}

// False, after the usage, when a flag is not one of `known`.
bool only_flags(const Options& opts, std::initializer_list<const char*> known, std::ostream& err) {
  for (const auto& [flag, value] : opts.flags) {
    bool found = false;
    for (const char* k : known) found = found || flag == k;
    if (!found) {
      err << "lmpd admin: unknown option --" << flag << "\n" << kUsage;
      return false;
    }
  }
  return true;
}

const std::string* flag(const Options& opts, const char* name) {
  auto it = opts.flags.find(name);
  return it == opts.flags.end() ? nullptr : &it->second;
}

// The configured products as the domain knows them (the daemon takes them from its catalog,
// seat/product_facts.hpp, with the same defaults).
domain::Products products_of(const config::Config& cfg) {
  auto ms_of = [](const std::optional<std::int64_t>& unix_s) {
    return unix_s ? std::optional<std::int64_t>(*unix_s * 1000) : std::nullopt;
  };
  std::vector<domain::Product> products;
  for (const auto& p : cfg.products)
    products.push_back(
        {p.code,
         p.name,
         p.family,
         domain::from_sdk(p.unit),
         p.key_prefix.empty() ? registration_key::default_prefix(p.code) : p.key_prefix,
         {ms_of(p.end_of_sale_unix), ms_of(p.end_of_life_unix)}});
  return domain::Products(std::move(products));
}

// One command's work in one transaction, as the local operator: with the parent account's rights
// once the first run made it, over the customers made so far before.
template <class Work>
void as_local_operator(domain::UnitOfWork& db, const config::Config& cfg, const Clock& clock,
                       domain::TransactionMode mode, Work&& work) {
  const auto products = products_of(cfg);
  // The loader has checked every key: this does not throw for a loaded config.
  const auto trust = domain::site_trust_of(cfg.trust.vendor_keys);
  domain::Transaction transaction(db, mode);
  const auto caller = domain::Caller::local_operator(db.accounts().root());
  work(domain::Context{db, caller, clock.now_unix_ms(), products, nullptr, &trust});
  transaction.commit();
}

// The site id, made now when the server has not made one yet.
std::string site_id_of(domain::UnitOfWork& db, const Clock& clock) {
  domain::Transaction transaction(db, domain::TransactionMode::write);
  std::string id = domain::ensure_site_id(db.entitlements(), clock.now_unix_ms(), Env::posix());
  transaction.commit();
  return id;
}

int create_customer(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                    const Clock& clock, std::ostream& out, std::ostream& err) {
  if (opts.positional.size() != 1 || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto customer = domain::create_customer(ctx, {opts.positional[0], std::nullopt});
    out << "customer " << customer.id << " created: " << customer.name << "\n";
  });
  return 0;
}

// A --flag time (calendar::parse_time: Unix seconds, YYYY-MM-DD or an ISO 8601 UTC date and
// time, lmpctl's rule too) as Unix ms; false when it does not parse.
bool time_flag(const Options& opts, const char* name, std::optional<std::int64_t>& ms,
               std::ostream& err) {
  const std::string* text = flag(opts, name);
  if (text == nullptr) return true;
  auto seconds = calendar::parse_time(*text);
  if (!seconds) {
    err << "lmpd admin: --" << name
        << " must be Unix seconds, a date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (UTC)\n";
    return false;
  }
  ms = *seconds * 1000;
  return true;
}

// `lmpd admin`'s one name-or-id resolution. An id (all digits) names what has that id, which
// must exist; anything else is a name.
bool is_id(const std::string& text) {
  return protocol::parse_count(text).has_value();
}

// The customer named or numbered `text`; nullopt for a name nobody has (the caller may make it).
std::optional<domain::Customer> customer_named(const domain::Context& ctx,
                                               const std::string& text) {
  if (is_id(text))
    return domain::visible_customer(ctx, *protocol::parse_count(text), domain::kViewCustomers);
  return domain::find_customer_named(ctx, text);
}

// The code of the configured product whose code or name is `text`; `text` itself when none is
// (the domain refuses it as an unknown product).
std::string product_named(const config::Config& cfg, const std::string& text) {
  for (const auto& p : cfg.products)
    if (p.code == text) return text;
  std::string found;
  for (const auto& p : cfg.products)
    if (p.name == text) {
      if (!found.empty())
        throw domain::bad_request("product name '" + text + "' is ambiguous: give the code");
      found = p.code;
    }
  return found.empty() ? text : found;
}

// A --flag count; false when it is not a number.
bool count_flag(const Options& opts, const char* name, std::optional<std::int64_t>& count,
                std::ostream& err) {
  const std::string* text = flag(opts, name);
  if (text == nullptr) return true;
  count = protocol::parse_count(*text);
  if (!count) err << "lmpd admin: --" << name << " must be a count\n";
  return count.has_value();
}

int create_license(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                   const Clock& clock, std::ostream& out, std::ostream& err) {
  if (!only_flags(opts, {"customer", "product", "units", "starts", "expires", "days"}, err))
    return 2;
  const std::string* customer_name = flag(opts, "customer");
  const std::string* product = flag(opts, "product");
  if (customer_name == nullptr || product == nullptr || flag(opts, "units") == nullptr ||
      !opts.positional.empty()) {
    err << kUsage;
    return 2;
  }
  domain::CreateLicense request;
  request.product = product_named(cfg, *product);
  if (!count_flag(opts, "units", request.units, err) ||
      !count_flag(opts, "days", request.days, err) ||
      !time_flag(opts, "starts", request.starts_ms, err) ||
      !time_flag(opts, "expires", request.expires_ms, err))
    return 2;
  if (!request.expires_ms && !request.days) request.days = kDefaultDays;
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    // The customer is made when it does not exist yet, in the same transaction: refused
    // together with the license, or kept with it.
    auto customer = customer_named(ctx, *customer_name);
    const bool created = !customer;
    if (created) customer = domain::create_customer(ctx, {*customer_name, std::nullopt});
    request.customer_id = customer->id;
    const auto made = domain::create_license(ctx, request);
    const auto& l = made.license;
    if (created) out << "customer " << customer->id << " created: " << customer->name << "\n";
    out << "license " << l.id << " created: customer " << customer->name << ", product "
        << l.product_code << ", " << l.units << " " << domain::to_string(l.unit) << ", "
        << calendar::format_date(l.starts_at_ms / 1000) << " to "
        << calendar::format_date(l.expires_at_ms / 1000) << "\n"
        << "activation code: " << activation_code::format(made.code) << "\n"
        << "(shown only now: the server keeps only a hash of the code)\n";
  });
  return 0;
}

int renew_license(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                  const Clock& clock, std::ostream& out, std::ostream& err) {
  if (!only_flags(opts, {"expires", "days"}, err)) return 2;
  const auto id =
      opts.positional.size() == 1 ? protocol::parse_count(opts.positional[0]) : std::nullopt;
  if (!id) {
    err << kUsage;
    return 2;
  }
  domain::RenewLicense request;
  request.id = *id;
  if (!count_flag(opts, "days", request.days, err) ||
      !time_flag(opts, "expires", request.expires_ms, err))
    return 2;
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto renewed = domain::renew_license(ctx, request);
    const auto& l = renewed.license;
    out << "license " << l.id << " renewed: customer " << l.customer_name << ", product "
        << l.product_code << ", expires " << calendar::format_date(l.expires_at_ms / 1000) << "\n";
  });
  return 0;
}

int list_licenses(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                  const Clock& clock, std::ostream& out, std::ostream& err) {
  if (!opts.positional.empty() || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  std::vector<domain::License> licenses;
  as_local_operator(db, cfg, clock, domain::TransactionMode::read, [&](const auto& ctx) {
    domain::LicenseQuery query;
    query.page.limit = 500;
    for (;;) {
      const auto page = domain::list_licenses(ctx, query);
      licenses.insert(licenses.end(), page.begin(), page.end());
      if (static_cast<int>(page.size()) < query.page.limit) break;
      query.page.after = page.back().id;
    }
  });
  if (opts.json) {
    boost::json::array array;
    const std::int64_t now_ms = clock.now_unix_ms();
    for (const auto& l : licenses) array.push_back(domain::license_json(l, now_ms));
    out << boost::json::serialize(array) << "\n";
    return 0;
  }
  out << std::left << std::setw(6) << "ID" << std::setw(24) << "CUSTOMER" << std::setw(16)
      << "PRODUCT" << std::setw(18) << "UNITS" << std::setw(12) << "STARTS"
      << "EXPIRES\n";
  for (const auto& l : licenses)
    out << std::setw(6) << l.id << std::setw(24) << l.customer_name << std::setw(16)
        << l.product_code << std::setw(18)
        << (std::to_string(l.units) + " " + std::string(domain::to_string(l.unit))) << std::setw(12)
        << calendar::format_date(l.effective_starts_ms() / 1000)
        << calendar::format_date(l.effective_expires_ms() / 1000) << "\n";
  return 0;
}

int init(domain::UnitOfWork& db, const Options& opts, const Clock& clock, std::ostream& out,
         std::ostream& err) {
  if (!only_flags(opts, {"name", "user", "expires", "days"}, err)) return 2;
  if (!opts.positional.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string* name = flag(opts, "name");
  const std::string* user = flag(opts, "user");
  domain::TokenExpiry expiry;
  if (!count_flag(opts, "days", expiry.days, err) ||
      !time_flag(opts, "expires", expiry.expires_ms, err))
    return 2;
  const auto done = domain::initialise(db, name ? *name : "parent", user ? *user : "admin",
                                       clock.now_unix_ms(), expiry);
  out << "parent account " << done.parent.id << " created: " << done.parent.name << "\n"
      << "admin user " << done.admin.id << " created: " << done.admin.name << "\n"
      << "API token: " << done.token << "\n";
  if (done.token_expires_at_ms)
    out << "(it expires at " << *done.token_expires_at_ms / 1000 << ", "
        << calendar::format_date(*done.token_expires_at_ms / 1000) << " UTC)\n";
  out << "(shown only now: the server keeps only a hash of the token)\n";
  // The key lmpd would make at its first start, made now so that the database is complete.
  domain::Transaction transaction(db, domain::TransactionMode::write);
  const std::string kid =
      domain::ensure_signing_key(db.signing_keys(), clock.now_unix_ms(), Env::posix());
  transaction.commit();
  out << "signing key: " << kid << "\n";
  return 0;
}

int rotate_signing_key(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                       const Clock& clock, std::ostream& out, std::ostream& err) {
  if (!opts.positional.empty() || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto key = domain::rotate_signing_key(ctx, Env::posix());
    out << "signing key " << key.kid << " signs from now on; the keys before it stay published"
        << " until the tokens they signed expire\n";
  });
  return 0;
}

int site_id(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
            const Clock& clock, std::ostream& out, std::ostream& err) {
  if (!opts.positional.empty() || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  out << site_id_of(db, clock) << "\n"
      << (cfg.trust.vendor_keys.empty()
              ? "(the vendor's own server: trust.vendor_keys is not set)\n"
              : "(a site server: it trusts " + std::to_string(cfg.trust.vendor_keys.size()) +
                    " vendor key(s))\n");
  return 0;
}

int import_file(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                const Clock& clock, std::ostream& out, std::ostream& err) {
  if (opts.positional.size() != 1 || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string& path = opts.positional[0];
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    err << "lmpd admin: cannot read " << path << "\n";
    return 1;
  }
  // One byte over the limit is enough for the importer to say it is too large.
  std::string text(domain::kMaxEntitlementSize + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  site_id_of(db, clock);
  int status = 0;
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto attempt = domain::import_entitlement(ctx, text, path);
    if (attempt.refusal) {
      err << "lmpd admin: " << path << ": " << attempt.refusal->what() << " ("
          << domain::to_string(attempt.refusal->code()) << "); nothing changed\n";
      status = 1;
      return;
    }
    const auto& i = *attempt.imported;
    const auto& l = i.license;
    out << "license " << l.id << " " << domain::to_string(i.result) << " from the vendor's license "
        << i.vendor_license << " (serial " << i.serial << "): customer " << l.customer_name
        << ", product " << l.product_code << ", " << l.units << " " << domain::to_string(l.unit)
        << ", " << calendar::format_date(l.starts_at_ms / 1000) << " to "
        << calendar::format_date(l.expires_at_ms / 1000) << "\n";
    if (!i.code.empty())
      out << "activation code: " << activation_code::format(i.code) << "\n"
          << "(shown only now: the server keeps only a hash of the code)\n";
  });
  return status;
}

}  // namespace

int run_admin(const std::vector<std::string>& args, const std::string& default_config,
              const Clock& clock, std::ostream& out, std::ostream& err) {
  Options opts;
  opts.config_path = default_config;
  if (!parse_words(args, opts, err)) return 2;
  if (opts.command.empty() || opts.command == "help") {
    (opts.command.empty() ? err : out) << kUsage;
    return opts.command.empty() ? 2 : 0;
  }
  if (opts.command != "create-customer" && opts.command != "create-license" &&
      opts.command != "renew-license" && opts.command != "list-licenses" &&
      opts.command != "init" && opts.command != "rotate-signing-key" && opts.command != "site-id" &&
      opts.command != "import") {
    err << "lmpd admin: unknown command '" << opts.command << "' (`lmpd admin help` lists them)\n";
    return 2;
  }
  if (opts.json && opts.command != "list-licenses") {
    err << "lmpd admin: --json is for list-licenses only\n";
    return 2;
  }
  auto loaded = config::load_file(opts.config_path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) err << e.to_string() << "\n";
    return 1;
  }
  const config::Config& cfg = *loaded.config;
  try {
    auto db = storage::open_unit_of_work(cfg.storage);
    if (opts.command == "init") return init(*db, opts, clock, out, err);
    if (opts.command == "create-customer") return create_customer(*db, cfg, opts, clock, out, err);
    if (opts.command == "create-license") return create_license(*db, cfg, opts, clock, out, err);
    if (opts.command == "renew-license") return renew_license(*db, cfg, opts, clock, out, err);
    if (opts.command == "rotate-signing-key")
      return rotate_signing_key(*db, cfg, opts, clock, out, err);
    if (opts.command == "site-id") return site_id(*db, cfg, opts, clock, out, err);
    if (opts.command == "import") return import_file(*db, cfg, opts, clock, out, err);
    return list_licenses(*db, cfg, opts, clock, out, err);
  } catch (const domain::DomainError& ex) {
    // The same refusals as the admin API's, named as its error codes name them; a request the
    // rules refuse as malformed is a usage error.
    err << "lmpd admin: " << ex.what() << " (" << domain::to_string(ex.code())
        << "); nothing changed\n";
    return ex.code() == domain::ErrorCode::bad_request ? 2 : 1;
  } catch (const domain::StoreError& ex) {
    err << "lmpd admin: storage: " << ex.what() << "\n";
    return 1;
  }
}

}  // namespace lmp::admin
