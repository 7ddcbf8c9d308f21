// lmp-run: runs a command while holding a license unit, through the client library's C API; or
// borrows a unit, checks a borrowed one offline, or returns it. Exit statuses are documented in
// docs/client.md and kept stable for shell scripts.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lmp/client/client.h"
#include "run_options.hpp"

extern char** environ;

namespace {

// sysexits.h values, spelled out so the documented numbers are visible here.
constexpr int kExitUsage = 64;
constexpr int kExitNoUnit = 69;
constexpr int kExitSoftware = 70;
constexpr int kExitTempFail = 75;
constexpr int kExitRefused = 77;
constexpr int kExitCannotExecute = 126;
constexpr int kExitNotFound = 127;

bool quiet = false;

void say(const std::string& line) {
  if (!quiet) std::fprintf(stderr, "lmp-run: %s\n", line.c_str());
}

int exit_status_of(lmp_result result) {
  switch (result) {
    case LMP_ERR_NO_SEATS:
      return kExitNoUnit;
    case LMP_ERR_UNREACHABLE:
    case LMP_ERR_UNAVAILABLE:
    case LMP_ERR_RATE_LIMITED:
      return kExitTempFail;
    case LMP_ERR_NOT_BORROWED:
      return kExitNoUnit;
    case LMP_ERR_TOKEN_MALFORMED:
    case LMP_ERR_TOKEN_UNKNOWN_KEY:
    case LMP_ERR_TOKEN_BAD_SIGNATURE:
    case LMP_ERR_TOKEN_EXPIRED:
    case LMP_ERR_TOKEN_OTHER_HOST:
    case LMP_ERR_CLOCK_MOVED_BACK:
    case LMP_ERR_NO_KEYS:
    case LMP_ERR_INVALID_CODE:
    case LMP_ERR_LICENSE_EXPIRED:
    case LMP_ERR_LICENSE_NOT_STARTED:
    case LMP_ERR_END_OF_LIFE:
    case LMP_ERR_PRODUCT_NOT_LICENSED:
    case LMP_ERR_NOT_ALLOWED:
      return kExitRefused;
    case LMP_ERR_OVER_LIMIT:
      return kExitNoUnit;
    case LMP_ERR_INVALID_ARGUMENT:
    case LMP_ERR_UNSUPPORTED:
      return kExitUsage;
    default:
      return kExitSoftware;
  }
}

// The signals lmp-run waits for instead of dying of them: it forwards them to the command and
// checks the unit in once the command has exited.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&set, sig);
  return set;
}

// Starts the command with the signal mask and dispositions lmp-run itself was started with.
pid_t spawn(const std::vector<std::string>& command, const sigset_t& original_mask, int& error) {
  std::vector<char*> argv;
  for (const auto& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults = handled_signals();
  posix_spawnattr_setsigmask(&attr, &original_mask);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  error = posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  return error == 0 ? pid : -1;
}

// Waits for the command, forwarding signals and reporting changes of the lease's state (none for
// a borrowed unit: `lease` null); returns the command's exit status (128+N when signal N ended
// it).
int supervise(pid_t child, const sigset_t& signals, lmp_lease* lease) {
  lmp_result reported = LMP_OK;
  while (true) {
    siginfo_t info{};
    timespec tick{1, 0};
    int sig = sigtimedwait(&signals, &info, &tick);
    if (sig == SIGCHLD || sig < 0) {
      int status = 0;
      pid_t done = waitpid(child, &status, WNOHANG);
      if (done == child) {
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      }
    } else if (info.si_code != SI_KERNEL) {
      // Sent with kill(): pass it on. A terminal's Ctrl-C (SI_KERNEL) already reached the
      // command, which shares our process group; a second copy would be one too many.
      kill(child, sig);
    }
    if (!lease) continue;
    lmp_result state = lmp_lease_state(lease);
    if (state != reported) {
      if (state == LMP_OK)
        say("the license unit is held again");
      else
        say(std::string("warning: the license unit is not confirmed (") + lmp_result_name(state) +
            "); COMMAND keeps running while lmp-run retries");
      reported = state;
    }
  }
}

// Checks out on a thread of its own while this one waits for signals, so that Ctrl-C or SIGTERM
// during a long --wait ends lmp-run at once (with 128+N). A unit the server grants after that
// is never heartbeated and frees itself when its lease lapses.
lmp_result checkout_until_signal(lmp_client* client, const lmp::client::RunOptions& options,
                                 const sigset_t& signals, lmp_lease*& lease, std::string& error) {
  struct Outcome {
    std::atomic<bool> done{false};
    lmp_result result = LMP_OK;
    std::string error;
    lmp_lease* lease = nullptr;
  };
  auto outcome = std::make_shared<Outcome>();
  std::thread([outcome, client, options] {
    outcome->result = lmp_client_checkout(client, options.code.c_str(), options.product.c_str(),
                                          options.units, options.wait_seconds, 0, &outcome->lease);
    outcome->error = lmp_last_error();  // per thread: taken here
    outcome->done = true;
  }).detach();
  while (!outcome->done) {
    siginfo_t info{};
    timespec tick{0, 50'000'000};
    int sig = sigtimedwait(&signals, &info, &tick);
    if (sig > 0 && sig != SIGCHLD) {
      say(std::string("interrupted by ") + strsignal(sig) + " before COMMAND started");
      std::_Exit(128 + sig);
    }
  }
  lease = outcome->lease;
  error = outcome->error;
  return outcome->result;
}

// Creates the client with the options' servers ("" for none), timeout, TLS, identity, holder key
// and key source; on failure says why and returns the exit status, else 0.
int make_client(const lmp::client::RunOptions& options, const std::string& servers,
                lmp_client*& client) {
  lmp_result result = lmp_client_new(servers.c_str(), &client);
  if (result == LMP_OK) result = lmp_client_set_timeout_ms(client, options.timeout_ms);
  if (result == LMP_OK && !servers.empty() &&
      !(options.ca_file.empty() && options.certificate_file.empty() && options.key_file.empty())) {
    auto given = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
    result = lmp_client_set_tls(client, given(options.ca_file), given(options.certificate_file),
                                given(options.key_file));
  }
  if (result == LMP_OK)
    result = lmp_client_set_identity(client, options.host ? options.host->c_str() : nullptr,
                                     options.user ? options.user->c_str() : nullptr);
  if (result == LMP_OK && !options.holder_key.empty())
    result = lmp_client_set_holder_key(client, options.holder_key.c_str());
  if (result == LMP_OK && !options.keys_url.empty())
    result = lmp_client_set_keys_url(client, options.keys_url.c_str());
  // The keys come from the seat servers' own listener, so --ca is the likely CA for them too.
  const std::string& keys_ca =
      options.keys_ca_file.empty() ? options.ca_file : options.keys_ca_file;
  if (result == LMP_OK && !options.keys_url.empty() && !keys_ca.empty())
    result = lmp_client_set_keys_ca_file(client, keys_ca.c_str());
  if (result == LMP_OK && !options.keys_file.empty())
    result = lmp_client_set_keys_file(client, options.keys_file.c_str());
  if (result == LMP_OK) return 0;
  say(lmp_last_error());
  lmp_client_free(client);
  client = nullptr;
  return exit_status_of(result);
}

// Runs the command to its end; its exit status, or 126/127 when it could not start.
int run_command(const lmp::client::RunOptions& options, const sigset_t& signals,
                const sigset_t& original_mask, lmp_lease* lease) {
  int spawn_error = 0;
  pid_t child = spawn(options.command, original_mask, spawn_error);
  if (child >= 0) return supervise(child, signals, lease);
  say("cannot run " + options.command[0] + ": " + std::strerror(spawn_error));
  return spawn_error == ENOENT ? kExitNotFound : kExitCannotExecute;
}

std::string date_of(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

// The folders of the default token path (~/.local/state/lmp), private to the user.
void make_token_folder(const std::string& token_file) {
  std::string folder = token_file.substr(0, token_file.rfind('/') + 1);
  for (std::size_t slash = 1; slash < folder.size(); ++slash)
    if (folder[slash] == '/') ::mkdir(folder.substr(0, slash).c_str(), 0700);
}

// --borrow: takes the unit, makes sure its token checks offline (else gives it back), runs the
// command without heartbeats and leaves the unit borrowed.
int borrow_and_run(const lmp::client::RunOptions& options, const sigset_t& signals,
                   const sigset_t& original_mask) {
  lmp_client* client = nullptr;
  if (int status = make_client(options, options.servers, client)) return status;
  make_token_folder(options.token_file);
  lmp_borrowed borrowed{};
  lmp_result result =
      lmp_borrow(client, options.code.c_str(), options.product.c_str(), options.units,
                 options.borrow_days * 86400u, options.token_file.c_str(), &borrowed);
  if (result == LMP_OK) {
    result = lmp_check_borrowed(client, options.token_file.c_str(), &borrowed);
    if (result != LMP_OK) {
      // A unit that cannot be used offline is no use borrowed: give it back at once.
      std::string why = lmp_last_error();
      (void)lmp_return(client, options.token_file.c_str());
      say("the borrowed unit was returned, since its token does not check: " + why);
      lmp_client_free(client);
      return exit_status_of(result);
    }
  } else {
    say(lmp_last_error());
    lmp_client_free(client);
    return exit_status_of(result);
  }
  lmp_client_free(client);
  say("borrowed " + std::to_string(borrowed.units) + " unit(s) of " + borrowed.product + " until " +
      date_of(borrowed.expires) + " (lease " + borrowed.lease + "); token in " +
      options.token_file);
  return run_command(options, signals, original_mask, nullptr);
}

// --offline: runs the command when the stored token checks, without any server.
int run_offline(const lmp::client::RunOptions& options, const sigset_t& signals,
                const sigset_t& original_mask) {
  lmp_client* client = nullptr;
  if (int status = make_client(options, "", client)) return status;
  lmp_borrowed borrowed{};
  lmp_result result = lmp_check_borrowed(client, options.token_file.c_str(), &borrowed);
  if (result != LMP_OK) say(std::string(lmp_result_name(result)) + ": " + lmp_last_error());
  lmp_client_free(client);
  if (result != LMP_OK) return exit_status_of(result);
  return run_command(options, signals, original_mask, nullptr);
}

// --return: checks the borrowed unit in early.
int return_borrowed(const lmp::client::RunOptions& options) {
  lmp_client* client = nullptr;
  if (int status = make_client(options, options.servers, client)) return status;
  lmp_result result = lmp_return(client, options.token_file.c_str());
  if (result == LMP_OK)
    say("the borrowed unit was returned");
  else
    say(lmp_last_error());
  lmp_client_free(client);
  return result == LMP_OK ? 0 : exit_status_of(result);
}

}  // namespace

int main(int argc, char** argv) {
  lmp::client::RunOptions options;
  try {
    options = lmp::client::parse_run_options(argc, argv);
  } catch (const lmp::client::UsageError& e) {
    // One line: the usage is long enough to push the line itself out of sight.
    std::fprintf(stderr, "lmp-run: %s\n", e.what());
    return kExitUsage;
  }
  if (options.help) {
    std::fputs(lmp::client::run_help().c_str(), stdout);
    return 0;
  }
  if (options.version) {
    std::printf("lmp-run %s (liblmpclient %s)\n", LMP_VERSION, lmp_client_version());
    return 0;
  }
  quiet = options.quiet;

  // Blocked before the library starts its heartbeat thread, so that thread inherits the mask
  // and every such signal waits for sigtimedwait below.
  sigset_t signals = handled_signals();
  sigset_t original_mask;
  pthread_sigmask(SIG_BLOCK, &signals, &original_mask);

  if (options.return_borrowed) return return_borrowed(options);
  if (options.offline) return run_offline(options, signals, original_mask);
  if (options.borrow_days > 0) return borrow_and_run(options, signals, original_mask);

  lmp_client* client = nullptr;
  if (int status = make_client(options, options.servers, client)) return status;
  lmp_lease* lease = nullptr;
  std::string error;
  lmp_result result = checkout_until_signal(client, options, signals, lease, error);
  if (result != LMP_OK) {
    // The server's own reason comes along ("only 3 of 5 seats free, 9 requested" tells more
    // than that none is free).
    if (result == LMP_ERR_NO_SEATS)
      say("no license unit is free (" + error + ")" +
          std::string(options.wait_seconds > 0
                          ? "; waited " + std::to_string(options.wait_seconds) + " s"
                          : "; --wait SECONDS queues for one"));
    else
      say(error);
    lmp_client_free(client);
    return exit_status_of(result);
  }

  int status = run_command(options, signals, original_mask, lease);
  if (lmp_lease_checkin(lease) != LMP_OK)
    say(std::string("warning: checkin failed, the unit returns when its lease lapses: ") +
        lmp_last_error());
  lmp_lease_free(lease);
  lmp_client_free(client);
  return status;
}
