// Parsing of lmp-run's options; every mistake becomes one line naming the option.
#include "run_options.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include "core/command_line.hpp"

namespace lmp::client {
namespace {

namespace cli = lmp::cli;

std::uint32_t number(std::string_view option, std::string_view text, std::uint32_t max) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max)
    throw UsageError(std::string(option) + " needs a whole number from 0 to " +
                     std::to_string(max) + ", not '" + std::string(text) + "'");
  return value;
}

// lmp-run as the shared parser sees it (core/command_line.hpp): options, then COMMAND, whose own
// arguments are not lmp-run's (the first word that is no option starts it, or "--").
const cli::Program& run_program() {
  static const cli::Program kProgram{
      .name = "lmp-run",
      .version = LMP_VERSION,
      .summary =
          "Checks a license unit out of lmpd, keeps it alive while COMMAND runs, checks it "
          "in when COMMAND exits, and exits with COMMAND's status.",
      .synopsis = {"--server HOST:PORT[,HOST:PORT...] --code CODE [OPTIONS]\n"
                   "               -- COMMAND [ARGS...]",
                   "--borrow DAYS --server ... --code CODE\n"
                   "               (--keys-url URL | --keys FILE) [--token FILE] [OPTIONS]\n"
                   "               -- COMMAND [ARGS...]",
                   "--offline [--token FILE] [--keys-url URL | --keys FILE]\n"
                   "               [--product P] [--host H] -- COMMAND [ARGS...]",
                   "--return --server ... [--token FILE] [--product P]", "--version"},
      .options =
          {{.name = "server",
            .value = "HOST:PORT",
            .description = "the servers, comma separated or the option again, tried in order "
                           "(else $LMP_SERVER)",
            .repeatable = true},
           {.name = "code",
            .value = "CODE",
            .description = "the license's activation code (else $LMP_CODE, which ps does not "
                           "show)"},
           {.name = "product", .value = "P", .description = "the product to check out"},
           {.name = "units", .value = "N", .description = "how many units (default 1)"},
           {.name = "wait",
            .value = "SECONDS",
            .description = "wait up to SECONDS for a free unit (default 0: do not wait)"},
           {.name = "timeout",
            .value = "MS",
            .description = "each exchange's limit in milliseconds (default 5000)"},
           {.name = "host",
            .value = "H",
            .description = "the host name sent (default: this machine's; empty: none)"},
           {.name = "user",
            .value = "U",
            .description = "the user name sent (default: the login name; empty: none)"},
           {.name = "quiet", .description = "say nothing on stderr", .short_name = 'q'},
           {.name = "tls",
            .description = "every server without tcp:// is a TLS one (tls://, port 27401)"},
           {.name = "ca",
            .value = "FILE",
            .description = "the CAs the servers' certificates must chain to (default: the "
                           "system's)"},
           {.name = "cert", .value = "FILE", .description = "a client certificate (with --key)"},
           {.name = "key", .value = "FILE", .description = "the client certificate's key"},
           {.name = "borrow",
            .value = "DAYS",
            .description = "borrow the unit for DAYS: no heartbeats, and it stays borrowed after "
                           "COMMAND exits"},
           {.name = "offline",
            .description = "run COMMAND only when the stored token checks, without the server"},
           {.name = "return", .description = "give a borrowed unit back early (no COMMAND)"},
           {.name = "token",
            .value = "FILE",
            .description = "the borrowed unit's token (default "
                           "$XDG_STATE_HOME/lmp/borrowed[-PRODUCT].token)"},
           {.name = "keys-url",
            .value = "URL",
            .description = "the server's HTTP listener (http://HOST:PORT or https://...), for "
                           "its public keys, cached beside the token"},
           {.name = "keys-ca",
            .value = "FILE",
            .description = "the CAs an https keys URL's server must chain to (default: --ca's, "
                           "else the system's)"},
           {.name = "keys", .value = "FILE", .description = "the server's public keys, a JWK Set"}},
      .operands = {{.name = "COMMAND", .required = false},
                   {.name = "ARGS", .required = false, .many = true}},
      .first_operand_ends_options = true,
      .details =
          "$LMP_HOLDER_KEY, when set, is sent as the holder key. --offline checks the token's "
          "signature, this host, its expiry and that the clock was not set back by more than an "
          "hour.\n\n"
          "Exit status when COMMAND did not run: 64 usage, 69 no unit free (--offline: nothing "
          "borrowed), 75 no server reachable (retry later), 77 license refused (--offline: the "
          "token does not check), 70 unexpected answer, 126/127 COMMAND not executable / not "
          "found. See docs/client.md.\n"};
  return kProgram;
}

}  // namespace

std::string run_help() {
  return cli::help(run_program());
}

RunOptions parse_run_options(int argc, char** argv) {
  cli::Parsed parsed;
  try {
    parsed = cli::parse(run_program(), std::vector<std::string>(argv + 1, argv + argc));
  } catch (const cli::UsageError& e) {
    throw UsageError(e.what());
  }
  RunOptions options;
  options.help = parsed.help;
  options.version = parsed.version;
  if (options.help || options.version) return options;
  auto text = [&](std::string_view name) {
    const std::string* value = parsed.value(name);
    return value == nullptr ? std::string() : *value;
  };
  if (const auto found = parsed.options.find("server"); found != parsed.options.end())
    for (const auto& value : found->second)
      options.servers += (options.servers.empty() ? "" : ",") + value;
  options.code = text("code");
  options.product = text("product");
  if (const auto* value = parsed.value("units")) {
    options.units = number("--units", *value, 1000000);
    if (options.units == 0) throw UsageError("--units must be at least 1");
  }
  if (const auto* value = parsed.value("wait"))
    options.wait_seconds = number("--wait", *value, 3600);
  if (const auto* value = parsed.value("timeout")) {
    options.timeout_ms = number("--timeout", *value, 600000);
    if (options.timeout_ms == 0) throw UsageError("--timeout must be at least 1 ms");
  }
  if (const auto* value = parsed.value("host")) options.host = *value;
  if (const auto* value = parsed.value("user")) options.user = *value;
  options.quiet = parsed.has("quiet");
  options.tls = parsed.has("tls");
  options.ca_file = text("ca");
  options.certificate_file = text("cert");
  options.key_file = text("key");
  if (const auto* value = parsed.value("borrow")) {
    options.borrow_days = number("--borrow", *value, 3650);
    if (options.borrow_days == 0) throw UsageError("--borrow must be at least 1 day");
  }
  options.offline = parsed.has("offline");
  options.return_borrowed = parsed.has("return");
  options.token_file = text("token");
  options.keys_url = text("keys-url");
  options.keys_ca_file = text("keys-ca");
  options.keys_file = text("keys");
  options.command = parsed.operands;
  if (options.servers.empty())
    if (const char* env = std::getenv("LMP_SERVER")) options.servers = env;
  if (options.code.empty())
    if (const char* env = std::getenv("LMP_CODE")) options.code = env;
  if (const char* env = std::getenv("LMP_HOLDER_KEY")) options.holder_key = env;
  if ((options.borrow_days > 0) + options.offline + options.return_borrowed > 1)
    throw UsageError("--borrow, --offline and --return exclude each other");
  if (!options.keys_url.empty() && !options.keys_file.empty())
    throw UsageError("--keys-url and --keys exclude each other");
  if (!options.keys_ca_file.empty() && options.keys_url.empty())
    throw UsageError("--keys-ca goes with --keys-url");
  if (options.servers.empty() && !options.offline) throw UsageError("--server is required");
  if (options.code.empty() && !options.offline && !options.return_borrowed)
    throw UsageError("--code is required");
  if (options.return_borrowed && !options.command.empty())
    throw UsageError("--return runs no command");
  if (options.command.empty() && !options.return_borrowed)
    throw UsageError("no command given after --");
  if (options.borrow_days > 0 && options.keys_url.empty() && options.keys_file.empty())
    throw UsageError("--borrow needs --keys-url URL or --keys FILE, to check the token offline");
  bool borrowing = options.borrow_days > 0 || options.offline || options.return_borrowed;
  if (!borrowing &&
      !(options.token_file.empty() && options.keys_url.empty() && options.keys_file.empty()))
    throw UsageError("--token, --keys-url and --keys go with --borrow, --offline or --return");
  if (borrowing && options.token_file.empty())
    options.token_file = default_token_path(options.product);
  if (options.certificate_file.empty() != options.key_file.empty())
    throw UsageError("--cert and --key go together");
  if (options.tls) options.servers = with_tls(options.servers);
  return options;
}

std::string default_token_path(const std::string& product) {
  if (product.find('/') != std::string::npos || product == "." || product == "..")
    throw UsageError("the product '" + product + "' cannot name a token file: give --token FILE");
  std::string folder;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/')
    folder = std::string(state) + "/lmp";
  else if (const char* home = std::getenv("HOME"); home && *home)
    folder = std::string(home) + "/.local/state/lmp";
  else
    throw UsageError("neither $XDG_STATE_HOME nor $HOME is set: give --token FILE");
  return folder + "/borrowed" + (product.empty() ? "" : "-" + product) + ".token";
}

std::string with_tls(std::string_view servers) {
  std::string out;
  while (true) {
    auto comma = servers.find(',');
    std::string_view entry = servers.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    if (!out.empty()) out += ",";
    if (!entry.starts_with("tls://") && !entry.starts_with("tcp://")) out += "tls://";
    out += entry;
    if (comma == std::string_view::npos) return out;
    servers.remove_prefix(comma + 1);
  }
}

}  // namespace lmp::client
