// Parsing of lmp-run's options; every mistake becomes one line naming the option.
#include "run_options.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace lmp::client {
namespace {

std::uint32_t number(std::string_view option, std::string_view text, std::uint32_t max) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max)
    throw UsageError(std::string(option) + " needs a whole number from 0 to " +
                     std::to_string(max) + ", not '" + std::string(text) + "'");
  return value;
}

}  // namespace

const char* const kRunUsage =
    "usage: lmp-run --server HOST:PORT[,HOST:PORT...] --code CODE [--product P] [--units N]\n"
    "               [--wait SECONDS] [--timeout MS] [--host H] [--user U] [--quiet]\n"
    "               [--tls] [--ca FILE] [--cert FILE --key FILE]\n"
    "               -- COMMAND [ARGS...]\n"
    "       lmp-run --borrow DAYS --server ... --code CODE (--keys-url URL | --keys FILE)\n"
    "               [--token FILE] [other options as above] -- COMMAND [ARGS...]\n"
    "       lmp-run --offline [--token FILE] [--keys-url URL | --keys FILE] [--product P]\n"
    "               [--host H] -- COMMAND [ARGS...]\n"
    "       lmp-run --return --server ... [--token FILE] [--product P]\n"
    "       lmp-run --version\n"
    "Checks a license unit out, keeps it alive while COMMAND runs, checks it in when COMMAND\n"
    "exits, and exits with COMMAND's status. $LMP_SERVER and $LMP_CODE stand in for --server\n"
    "and --code; $LMP_HOLDER_KEY, when set, is sent as the holder key. --tls makes every server\n"
    "without tcp:// a TLS one (tls://, port 27401); --ca FILE: the CAs their certificates must\n"
    "chain to (default: the system's); --cert/--key: a client certificate. Exit status when\n"
    "COMMAND did not run: 64 usage, 69 no unit free, 75 no server reachable (retry later),\n"
    "77 license refused, 70 unexpected answer, 126/127 COMMAND not executable / not found.\n"
    "Borrowing: --borrow DAYS takes the unit for DAYS without heartbeats, stores the server's\n"
    "signed token (--token FILE, default $XDG_STATE_HOME/lmp/borrowed[-PRODUCT].token), checks\n"
    "it against the server's public keys (--keys-url http://HOST:PORT of its HTTP listener,\n"
    "cached beside the token, or --keys FILE, a JWK Set) and runs COMMAND; the unit stays\n"
    "borrowed after COMMAND exits. --offline runs COMMAND only when the stored token checks\n"
    "without the server (signature, this host, not expired, clock not set back by more than an\n"
    "hour); exit 69 when nothing is borrowed, 77 when the token does not check. --return gives\n"
    "the unit back early and removes the token.\n"
    "See docs/client.md.\n";

RunOptions parse_run_options(int argc, char** argv) {
  RunOptions options;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (!arg.starts_with("-")) break;  // the command starts here
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    if (arg == "--version") {
      options.version = true;
      return options;
    }
    if (arg == "--quiet" || arg == "-q") {
      options.quiet = true;
      continue;
    }
    if (arg == "--tls") {
      options.tls = true;
      continue;
    }
    if (arg == "--offline") {
      options.offline = true;
      continue;
    }
    if (arg == "--return") {
      options.return_borrowed = true;
      continue;
    }
    std::string name(arg);
    std::string value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw UsageError(name + " needs a value");
    }
    if (name == "--server") {
      options.servers += (options.servers.empty() ? "" : ",") + value;
    } else if (name == "--code") {
      options.code = value;
    } else if (name == "--product") {
      options.product = value;
    } else if (name == "--units") {
      options.units = number(name, value, 1000000);
      if (options.units == 0) throw UsageError("--units must be at least 1");
    } else if (name == "--wait") {
      options.wait_seconds = number(name, value, 3600);
    } else if (name == "--timeout") {
      options.timeout_ms = number(name, value, 600000);
      if (options.timeout_ms == 0) throw UsageError("--timeout must be at least 1 ms");
    } else if (name == "--host") {
      options.host = value;
    } else if (name == "--user") {
      options.user = value;
    } else if (name == "--ca") {
      options.ca_file = value;
    } else if (name == "--cert") {
      options.certificate_file = value;
    } else if (name == "--key") {
      options.key_file = value;
    } else if (name == "--borrow") {
      options.borrow_days = number(name, value, 3650);
      if (options.borrow_days == 0) throw UsageError("--borrow must be at least 1 day");
    } else if (name == "--token") {
      options.token_file = value;
    } else if (name == "--keys-url") {
      options.keys_url = value;
    } else if (name == "--keys") {
      options.keys_file = value;
    } else {
      throw UsageError("unknown option " + name);
    }
  }
  for (; i < argc; ++i) options.command.emplace_back(argv[i]);
  if (options.servers.empty())
    if (const char* env = std::getenv("LMP_SERVER")) options.servers = env;
  if (options.code.empty())
    if (const char* env = std::getenv("LMP_CODE")) options.code = env;
  if (const char* env = std::getenv("LMP_HOLDER_KEY")) options.holder_key = env;
  if ((options.borrow_days > 0) + options.offline + options.return_borrowed > 1)
    throw UsageError("--borrow, --offline and --return exclude each other");
  if (!options.keys_url.empty() && !options.keys_file.empty())
    throw UsageError("--keys-url and --keys exclude each other");
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
