// `lmpd admin` subcommands, working on the configured database directly. SQLite's locking makes
// this safe while the daemon runs: each command is one short write transaction.
#include "admin/admin_cli.hpp"

#include <iomanip>
#include <map>
#include <ostream>

#include "config/config_loader.hpp"
#include "core/activation_code.hpp"
#include "core/calendar.hpp"
#include "core/clock.hpp"
#include "domain/cli_changes.hpp"
#include "domain/first_run.hpp"
#include "domain/fresh_code.hpp"
#include "domain/product_lifecycle.hpp"
#include "domain/sdk_unit_type.hpp"
#include "protocol/request_parser.hpp"
#include "storage/seat_store.hpp"
#include "storage/sql_unit_of_work.hpp"

namespace lmp::admin {
namespace {

constexpr const char* kUsage =
    "usage: lmpd admin [--config FILE] COMMAND\n"
    "commands:\n"
    "  init [--name ACCOUNT] [--user NAME]\n"
    "      first run: creates the parent account (default name 'parent') and its first admin\n"
    "      user (default 'admin'), and prints that user's API token (shown only once)\n"
    "  create-customer NAME\n"
    "  create-license --customer NAME --product CODE --units N\n"
    "                 [--starts YYYY-MM-DD] [--expires YYYY-MM-DD | --days N]\n"
    "      creates the customer when it does not exist yet, and prints the license's\n"
    "      activation code (shown only once: the server keeps only its hash)\n"
    "  list-licenses\n";

struct Options {
  std::string config_path;
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
};

// Splits the words into --flag VALUE pairs and positionals; false on a flag without a value.
bool parse_words(const std::vector<std::string>& args, Options& opts, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word.rfind("--", 0) == 0) {
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

int create_customer(domain::UnitOfWork& db, const Options& opts, const Clock& clock,
                    std::ostream& out, std::ostream& err) {
  if (opts.positional.size() != 1 || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  const std::string& name = opts.positional[0];
  if (name.empty() || name.size() > 200) {
    err << "lmpd admin: a customer name has 1 to 200 characters\n";
    return 2;
  }
  db.begin();
  try {
    auto customer = domain::create_customer_from_cli(db, name, clock.now_unix_ms());
    db.commit();
    out << "customer " << customer.id << " created: " << name << "\n";
    return 0;
  } catch (const storage::DuplicateError&) {
    db.rollback();
    err << "lmpd admin: a customer named '" << name << "' already exists\n";
    return 1;
  } catch (...) {
    db.rollback();
    throw;
  }
}

int create_license(domain::UnitOfWork& db, const config::Config& cfg, const Options& opts,
                   const Clock& clock, std::ostream& out, std::ostream& err) {
  static const char* kKnown[] = {"customer", "product", "units", "starts", "expires", "days"};
  for (const auto& [flag, value] : opts.flags) {
    bool known = false;
    for (const char* k : kKnown) known = known || flag == k;
    if (!known) {
      err << "lmpd admin: unknown option --" << flag << "\n" << kUsage;
      return 2;
    }
  }
  auto flag = [&](const char* name) -> const std::string* {
    auto it = opts.flags.find(name);
    return it == opts.flags.end() ? nullptr : &it->second;
  };
  const std::string* customer = flag("customer");
  const std::string* product_code = flag("product");
  const std::string* units_text = flag("units");
  if (customer == nullptr || product_code == nullptr || units_text == nullptr ||
      !opts.positional.empty()) {
    err << kUsage;
    return 2;
  }
  const config::Product* product = cfg.find_product(*product_code);
  if (product == nullptr) {
    err << "lmpd admin: no product '" << *product_code << "' in " << cfg.source_file << "\n";
    return 1;
  }
  auto units = protocol::parse_count(*units_text);
  if (!units || *units < 1 || *units > 1'000'000) {
    err << "lmpd admin: --units must be a count from 1 to 1000000\n";
    return 2;
  }
  const std::int64_t now_ms = clock.now_unix_ms();
  std::int64_t starts_ms = now_ms;
  if (const std::string* starts = flag("starts")) {
    auto day = calendar::parse_date(*starts);
    if (!day) {
      err << "lmpd admin: --starts must be a date YYYY-MM-DD\n";
      return 2;
    }
    starts_ms = *day * 1000;
  }
  std::int64_t expires_ms = starts_ms + 365LL * 86400 * 1000;
  if (flag("expires") != nullptr && flag("days") != nullptr) {
    err << "lmpd admin: give --expires or --days, not both\n";
    return 2;
  }
  if (const std::string* expires = flag("expires")) {
    auto day = calendar::parse_date(*expires);
    if (!day) {
      err << "lmpd admin: --expires must be a date YYYY-MM-DD\n";
      return 2;
    }
    expires_ms = *day * 1000;
  } else if (const std::string* days = flag("days")) {
    auto count = protocol::parse_count(*days);
    if (!count || *count < 1 || *count > 36500) {
      err << "lmpd admin: --days must be a count from 1 to 36500\n";
      return 2;
    }
    expires_ms = starts_ms + *count * 86400 * 1000;
  }
  if (expires_ms <= starts_ms) {
    err << "lmpd admin: the license must expire after it starts\n";
    return 2;
  }

  db.begin();
  try {
    // The config's dates and those set through the API, read in this transaction.
    auto ms_of = [](const std::optional<std::int64_t>& unix_s) {
      return unix_s ? std::optional<std::int64_t>(*unix_s * 1000) : std::nullopt;
    };
    const auto rows = db.lifecycles().all();
    const auto lifecycle = domain::lifecycle_of(
        domain::ConfiguredDates{ms_of(product->end_of_sale_unix), ms_of(product->end_of_life_unix)},
        domain::stored_row(rows, product->code), now_ms);
    if (lifecycle.end_of_sale()) {
      db.rollback();
      err << "lmpd admin: product '" << product->code << "' has reached "
          << (lifecycle.end_of_life() ? "End of Life" : "End of Sale: no new licenses") << "\n";
      return 1;
    }
    bool created_customer = false;
    auto owner = db.customers().find_by_name(*customer);
    if (!owner) {
      owner = domain::create_customer_from_cli(db, *customer, now_ms);
      created_customer = true;
    }
    const std::int64_t customer_id = owner->id;
    storage::NewLicense license;
    license.customer_id = customer_id;
    license.product_code = product->code;
    license.units = *units;
    license.unit = domain::from_sdk(product->unit);
    license.starts_at_ms = starts_ms;
    license.expires_at_ms = expires_ms;
    license.created_at_ms = now_ms;
    const auto [id, code] = domain::create_license_from_cli(db, *owner, license, now_ms);
    db.commit();
    if (created_customer) out << "customer " << customer_id << " created: " << *customer << "\n";
    out << "license " << id << " created: customer " << *customer << ", product " << product->code
        << ", " << *units << " " << sdk::to_string(product->unit) << ", "
        << calendar::format_date(starts_ms / 1000) << " to "
        << calendar::format_date(expires_ms / 1000) << "\n"
        << "activation code: " << activation_code::format(code) << "\n"
        << "(shown only now: the server keeps only a hash of the code)\n";
    return 0;
  } catch (...) {
    db.rollback();
    throw;
  }
}

int init(const config::Config& cfg, const Options& opts, const Clock& clock, std::ostream& out,
         std::ostream& err) {
  std::string name = "parent";
  std::string user = "admin";
  for (const auto& [flag, value] : opts.flags) {
    if (flag == "name")
      name = value;
    else if (flag == "user")
      user = value;
    else {
      err << "lmpd admin: unknown option --" << flag << "\n" << kUsage;
      return 2;
    }
  }
  if (!opts.positional.empty()) {
    err << kUsage;
    return 2;
  }
  if (name.empty() || name.size() > 200 || user.empty() || user.size() > 200) {
    err << "lmpd admin: --name and --user have 1 to 200 characters\n";
    return 2;
  }
  auto db = storage::open_unit_of_work(cfg.storage);
  try {
    auto done = domain::initialise(*db, name, user, clock.now_unix_ms());
    out << "parent account " << done.parent.id << " created: " << done.parent.name << "\n"
        << "admin user " << done.admin.id << " created: " << done.admin.name << "\n"
        << "API token: " << done.token << "\n"
        << "(shown only now: the server keeps only a hash of the token)\n";
    return 0;
  } catch (const domain::AlreadyInitialised& ex) {
    err << "lmpd admin: " << ex.what() << "; nothing changed\n";
    return 1;
  }
}

int list_licenses(storage::SeatStore& store, const Options& opts, std::ostream& out,
                  std::ostream& err) {
  if (!opts.positional.empty() || !opts.flags.empty()) {
    err << kUsage;
    return 2;
  }
  out << std::left << std::setw(6) << "ID" << std::setw(24) << "CUSTOMER" << std::setw(16)
      << "PRODUCT" << std::setw(18) << "UNITS" << std::setw(12) << "STARTS"
      << "EXPIRES\n";
  for (const auto& l : store.list_licenses()) {
    out << std::setw(6) << l.id << std::setw(24) << l.customer_name << std::setw(16)
        << l.product_code << std::setw(18)
        << (std::to_string(l.units) + " " + std::string(domain::to_string(l.unit))) << std::setw(12)
        << calendar::format_date(l.starts_at_ms / 1000)
        << calendar::format_date(l.expires_at_ms / 1000) << "\n";
  }
  return 0;
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
      opts.command != "list-licenses" && opts.command != "init") {
    err << "lmpd admin: unknown command '" << opts.command << "'\n" << kUsage;
    return 2;
  }
  auto loaded = config::load_file(opts.config_path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) err << e.to_string() << "\n";
    return 1;
  }
  try {
    if (opts.command == "init") return init(*loaded.config, opts, clock, out, err);
    // Changes go through the domain's unit of work, which writes their audit records with them.
    if (opts.command == "create-customer")
      return create_customer(*storage::open_unit_of_work(loaded.config->storage), opts, clock, out,
                             err);
    if (opts.command == "create-license")
      return create_license(*storage::open_unit_of_work(loaded.config->storage), *loaded.config,
                            opts, clock, out, err);
    auto store = storage::open_store(loaded.config->storage);
    return list_licenses(*store, opts, out, err);
  } catch (const storage::StoreError& ex) {
    err << "lmpd admin: storage: " << ex.what() << "\n";
    return 1;
  }
}

}  // namespace lmp::admin
