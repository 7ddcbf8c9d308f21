// `lmpd admin` subcommands, working on the configured database directly through the same domain
// operations as the admin API, as the local operator (domain/caller.hpp). SQLite's locking makes
// this safe while the daemon runs: each command is one short transaction.
#include "admin/admin_cli.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "config/config_loader.hpp"
#include "core/activation_code.hpp"
#include "core/calendar.hpp"
#include "core/clock.hpp"
#include "core/command_line.hpp"
#include "core/registration_key.hpp"
#include "core/secret_input.hpp"
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
#include "domain/users.hpp"
#include "domain/vendor_keys.hpp"
#include "protocol/request_parser.hpp"
#include "storage/sql_unit_of_work.hpp"

namespace lmp::admin {
namespace {

namespace cli = lmp::cli;

// A license runs a year unless told otherwise.
constexpr std::int64_t kDefaultDays = 365;

const cli::Option kExpires{.name = "expires",
                           .value = "TIME",
                           .description =
                               "when it expires (Unix seconds, YYYY-MM-DD or "
                               "YYYY-MM-DDTHH:MM[:SS]Z, UTC)"};

// `lmpd admin` as the shared parser sees it (core/command_line.hpp).
cli::Program admin_program(const std::string& default_config) {
  return cli::Program{
      .name = "lmpd admin",
      .version = LMP_VERSION,
      .summary =
          "Create the parent account, customers and licenses directly in lmpd's "
          "database, as the local operator.",
      .options = {{.name = "config",
                   .value = "FILE",
                   .description = "lmpd's config file, which names the database (default " +
                                  default_config + ")"}},
      .commands =
          {{.name = "init",
            .summary = "first run: the parent account, its first admin user and that user's "
                       "API token (shown only once)",
            .options = {{.name = "name",
                         .value = "ACCOUNT",
                         .description = "the parent account's name (default 'parent')"},
                        {.name = "user",
                         .value = "NAME",
                         .description = "the admin user's name (default 'admin')"},
                        kExpires,
                        {.name = "days",
                         .value = "N",
                         .description = "the token expires after N days (default: never)"}},
            .synopsis = "[--name ACCOUNT] [--user NAME] [--expires TIME | --days N]"},
           {.name = "set-password",
            .summary = "set the password user ID logs in to the web console with (read from a "
                       "prompt without echo, or the first line of standard input)",
            .options = {{.name = "login",
                         .value = "NAME",
                         .description = "its login name (default: its login, else its name)"}},
            .operands = {{.name = "ID"}},
            .synopsis = "ID [--login NAME]"},
           {.name = "create-customer", .summary = "a new customer", .operands = {{.name = "NAME"}}},
           {.name = "create-license",
            .summary = "a new license, and its customer when none has the name; prints the "
                       "activation code (shown only once: the server keeps only its hash)",
            .options =
                {{.name = "customer",
                  .value = "CUSTOMER",
                  .description = "the customer's name or id",
                  .required = true},
                 {.name = "product",
                  .value = "PRODUCT",
                  .description = "the product's code or name",
                  .required = true},
                 {.name = "units",
                  .value = "N",
                  .description = "how many units (seats, ...)",
                  .required = true},
                 {.name = "starts",
                  .value = "TIME",
                  .description = "when it starts (default: now)"},
                 kExpires,
                 {.name = "days", .value = "N", .description = "it runs N days (default 365)"}},
            .synopsis = "--customer CUSTOMER --product PRODUCT --units N [--starts TIME] "
                        "[--expires TIME | --days N]"},
           {.name = "renew-license",
            .summary = "renew license ID to --expires, by --days from its expiry (from now "
                       "once past its grace), else by its plan's period (its own without one)",
            .options = {kExpires, {.name = "days", .value = "N", .description = "renew by N days"}},
            .operands = {{.name = "ID"}},
            .synopsis = "ID [--expires TIME | --days N]"},
           {.name = "list-licenses",
            .summary = "every license",
            .options = {{.name = "json",
                         .description = "as a JSON array of the objects GET "
                                        "/v1/licenses/{id} answers"}}},
           {.name = "rotate-signing-key",
            .summary = "a new Ed25519 key signs borrowed leases' tokens from now on; the old "
                       "public keys stay published until the tokens they signed expire"},
           {.name = "site-id",
            .summary = "this server's site id, which the vendor binds entitlements to, and "
                       "whether it is a site server (trust.vendor_keys set)"},
           {.name = "import",
            .summary = "on a site server: import the vendor's entitlement in FILE (the same "
                       "file again changes nothing)",
            .operands = {{.name = "FILE"}}},
           {.name = "help", .summary = "this help (as --help)"}},
      .details =
          "TIME is Unix seconds, a date YYYY-MM-DD (UTC midnight) or YYYY-MM-DDTHH:MM[:SS]Z\n"
          "(UTC), as lmpctl takes it. A customer or product is named by its name or its id (a\n"
          "product's id is its code); a name that is all digits is read as an id. Each command\n"
          "acts with the parent account's rights, under the same rules as the admin API.\n\n"
          "Exit status: 0 done, 1 refused or failed (nothing changed), 2 a usage error.\n"};
}

const std::string* flag(const cli::Parsed& opts, const char* name) {
  return opts.value(name);
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

int create_customer(domain::UnitOfWork& db, const config::Config& cfg, const cli::Parsed& opts,
                    const Clock& clock, std::ostream& out) {
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto customer = domain::create_customer(ctx, {opts.operands[0], std::nullopt});
    out << "customer " << customer.id << " created: " << customer.name << "\n";
  });
  return 0;
}

// A --flag time (calendar::parse_time: Unix seconds, YYYY-MM-DD or an ISO 8601 UTC date and
// time, lmpctl's rule too) as Unix ms; false when it does not parse.
bool time_flag(const cli::Parsed& opts, const char* name, std::optional<std::int64_t>& ms,
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
bool count_flag(const cli::Parsed& opts, const char* name, std::optional<std::int64_t>& count,
                std::ostream& err) {
  const std::string* text = flag(opts, name);
  if (text == nullptr) return true;
  count = protocol::parse_count(*text);
  if (!count) err << "lmpd admin: --" << name << " must be a count\n";
  return count.has_value();
}

int create_license(domain::UnitOfWork& db, const config::Config& cfg, const cli::Parsed& opts,
                   const Clock& clock, std::ostream& out, std::ostream& err) {
  const std::string* customer_name = flag(opts, "customer");
  const std::string* product = flag(opts, "product");
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

int renew_license(domain::UnitOfWork& db, const config::Config& cfg, const cli::Parsed& opts,
                  const Clock& clock, std::ostream& out, std::ostream& err) {
  const auto id = protocol::parse_count(opts.operands[0]);
  if (!id) {
    err << "lmpd admin: ID must be a license id (a number), got '" << opts.operands[0] << "'\n";
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

int list_licenses(domain::UnitOfWork& db, const config::Config& cfg, const cli::Parsed& opts,
                  const Clock& clock, std::ostream& out) {
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
  if (opts.has("json")) {
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

int init(domain::UnitOfWork& db, const cli::Parsed& opts, const Clock& clock, std::ostream& out,
         std::ostream& err) {
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

int set_password(domain::UnitOfWork& db, const config::Config& cfg, const cli::Parsed& opts,
                 const Clock& clock, std::ostream& out, std::ostream& err) {
  domain::SetPassword request;
  std::int64_t id = 0;
  const std::string& operand = opts.operands[0];
  const auto [end, ec] = std::from_chars(operand.data(), operand.data() + operand.size(), id);
  if (ec != std::errc() || end != operand.data() + operand.size() || id <= 0) {
    err << "lmpd admin: set-password takes a user id, not " << operand << "\n";
    return 2;
  }
  request.user_id = id;
  if (const std::string* login = flag(opts, "login")) request.login = *login;
  try {
    request.password = read_secret("password: ");
  } catch (const std::runtime_error& ex) {
    err << "lmpd admin: password: " << ex.what() << "\n";
    return 2;
  }
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto user = domain::set_password(ctx, request);
    out << "user " << user.id << " (" << user.name << ") logs in to the console as "
        << user.login.value_or("") << "\n";
  });
  return 0;
}

int rotate_signing_key(domain::UnitOfWork& db, const config::Config& cfg, const Clock& clock,
                       std::ostream& out) {
  as_local_operator(db, cfg, clock, domain::TransactionMode::write, [&](const auto& ctx) {
    const auto key = domain::rotate_signing_key(ctx, Env::posix());
    out << "signing key " << key.kid << " signs from now on; the keys before it stay published"
        << " until the tokens they signed expire\n";
  });
  return 0;
}

int site_id(domain::UnitOfWork& db, const config::Config& cfg, const Clock& clock,
            std::ostream& out) {
  out << site_id_of(db, clock) << "\n"
      << (cfg.trust.vendor_keys.empty()
              ? "(the vendor's own server: trust.vendor_keys is not set)\n"
              : "(a site server: it trusts " + std::to_string(cfg.trust.vendor_keys.size()) +
                    " vendor key(s))\n");
  return 0;
}

int import_file(domain::UnitOfWork& db, const config::Config& cfg, const cli::Parsed& opts,
                const Clock& clock, std::ostream& out, std::ostream& err) {
  const std::string& path = opts.operands[0];
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
  const cli::Program program = admin_program(default_config);
  cli::Parsed opts;
  try {
    opts = cli::parse(program, args);
  } catch (const cli::UsageError& e) {
    err << "lmpd admin: " << e.what() << "\n";
    return 2;
  }
  if (opts.version) {
    out << cli::version(program);
    return 0;
  }
  const std::string command = opts.command ? opts.command->name : std::string();
  if (opts.help || command == "help") {
    out << (command == "help" ? cli::help(program) : cli::help(program, opts));
    return 0;
  }
  const std::string* config_path = opts.value("config");
  auto loaded = config::load_file(config_path ? *config_path : default_config);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) err << e.to_string() << "\n";
    return 1;
  }
  const config::Config& cfg = *loaded.config;
  try {
    auto db = storage::open_unit_of_work(cfg.storage);
    if (command == "init") return init(*db, opts, clock, out, err);
    if (command == "set-password") return set_password(*db, cfg, opts, clock, out, err);
    if (command == "create-customer") return create_customer(*db, cfg, opts, clock, out);
    if (command == "create-license") return create_license(*db, cfg, opts, clock, out, err);
    if (command == "renew-license") return renew_license(*db, cfg, opts, clock, out, err);
    if (command == "rotate-signing-key") return rotate_signing_key(*db, cfg, clock, out);
    if (command == "site-id") return site_id(*db, cfg, clock, out);
    if (command == "import") return import_file(*db, cfg, opts, clock, out, err);
    return list_licenses(*db, cfg, opts, clock, out);
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
