// The client's one-shot requests, the checkout that creates a Lease, and borrowing.
#include "client.hpp"

#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "borrow_files.hpp"
#include "client_error.hpp"

namespace lmp::client {
namespace {

// The protocol's limit on activation codes, host and user names and products.
constexpr std::size_t kMaxText = 255;
constexpr std::uint32_t kMaxUnits = 1000000;
constexpr std::size_t kMinHolderKey = 16;  // the server refuses shorter holder keys

// 128 bits from the kernel's CSPRNG as 32 hex digits.
std::string random_holder_key() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ClientError(LMP_ERR_UNSUPPORTED, "no random bytes for a holder key");
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (const unsigned char b : bytes) {
    key += kHex[b >> 4];
    key += kHex[b & 0x0f];
  }
  return key;
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

std::string this_user() {
  passwd entry{};
  passwd* found = nullptr;
  char buffer[1024];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof buffer, &found) == 0 && found)
    return found->pw_name;
  const char* env = std::getenv("USER");
  return env ? env : "";
}

void check_text(std::string_view what, std::string_view value, bool required) {
  if (required && value.empty())
    throw ClientError(LMP_ERR_INVALID_ARGUMENT, std::string(what) + " is required");
  if (value.size() > kMaxText)
    throw ClientError(LMP_ERR_INVALID_ARGUMENT, std::string(what) + " is longer than 255 bytes");
}

// An empty list is a client for offline checks only.
std::vector<ServerAddress> server_list(std::string_view servers) {
  if (servers.find_first_not_of(" \t") == std::string_view::npos) return {};
  return parse_server_list(servers);
}

std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

Client::Client(std::string_view servers)
    : pool_(std::make_shared<ServerPool>(server_list(servers))),
      host_(this_host()),
      user_(this_user()) {}

void Client::set_identity(std::optional<std::string> host, std::optional<std::string> user) {
  if (host) check_text("host", *host, false);
  if (user) check_text("user", *user, false);
  std::lock_guard lock(mutex_);
  if (host) host_ = std::move(*host);
  if (user) user_ = std::move(*user);
}

void Client::set_holder_key(std::optional<std::string> key) {
  if (key && !key->empty()) {
    check_text("the holder key", *key, false);
    if (key->size() < kMinHolderKey)
      throw ClientError(LMP_ERR_INVALID_ARGUMENT, "the holder key must have at least 16 bytes");
  }
  std::string chosen = key ? std::move(*key) : random_holder_key();
  std::lock_guard lock(mutex_);
  holder_key_ = std::move(chosen);
}

void Client::ping() {
  expect_ok(pool_->request("PING", RetryPolicy::anywhere), "ping");
}

Answer Client::activate(std::string_view code) {
  check_text("the activation code", code, true);
  RequestLine line("ACTIVATE");
  line.field("code", code);
  {
    std::lock_guard lock(mutex_);
    line.field("host", host_).field("user", user_);
  }
  return expect_ok(pool_->request(line.text(), RetryPolicy::anywhere), "activate");
}

Answer Client::status(std::string_view code, std::string_view product) {
  check_text("the activation code", code, true);
  check_text("product", product, false);
  auto line = RequestLine("STATUS").field("code", code).field("product", product).text();
  return expect_ok(pool_->request(line, RetryPolicy::anywhere), "status");
}

std::unique_ptr<Lease> Client::checkout(std::string_view code, std::string_view product,
                                        std::uint32_t units, std::uint32_t wait_seconds,
                                        bool background) {
  check_text("the activation code", code, true);
  check_text("product", product, false);
  if (units > kMaxUnits) throw ClientError(LMP_ERR_INVALID_ARGUMENT, "units must be 1 to 1000000");
  CheckoutRequest request;
  request.code = std::string(code);
  request.product = std::string(product);
  request.units = units == 0 ? 1 : units;
  request.wait_seconds = wait_seconds;
  {
    std::lock_guard lock(mutex_);
    request.host = host_;
    request.user = user_;
    request.holder_key = holder_key_;
  }
  return std::make_unique<Lease>(pool_, std::move(request), background);
}

void Client::set_keys_url(std::string_view url) {
  std::optional<KeysUrl> parsed;
  if (!url.empty()) parsed = parse_keys_url(url);
  std::lock_guard lock(mutex_);
  keys_.url = std::move(parsed);
}

void Client::set_keys_ca_file(const std::string& path) {
  // Read now, so that a bad file is this call's error rather than a later fetch's.
  std::shared_ptr<const TlsSettings> tls;
  if (!path.empty()) tls = std::make_shared<const TlsSettings>(path, "", "");
  std::lock_guard lock(mutex_);
  keys_.tls = std::move(tls);
}

void Client::set_keys_file(std::string path) {
  std::lock_guard lock(mutex_);
  keys_.file = std::move(path);
}

BorrowToken Client::borrow(std::string_view code, std::string_view product, std::uint32_t units,
                           std::uint32_t seconds, const std::string& token_path) {
  check_text("the activation code", code, true);
  check_text("product", product, false);
  if (units > kMaxUnits) throw ClientError(LMP_ERR_INVALID_ARGUMENT, "units must be 1 to 1000000");
  if (seconds == 0) throw ClientError(LMP_ERR_INVALID_ARGUMENT, "a borrow needs seconds above 0");
  if (token_path.empty()) throw ClientError(LMP_ERR_INVALID_ARGUMENT, "the token file is required");
  CheckoutRequest request;
  request.code = std::string(code);
  request.product = std::string(product);
  request.units = units == 0 ? 1 : units;
  request.borrow_seconds = seconds;
  KeySource keys;
  {
    std::lock_guard lock(mutex_);
    request.host = host_;
    request.user = user_;
    request.holder_key = holder_key_;
    keys = keys_;
  }
  if (request.host.empty() || request.user.empty())
    throw ClientError(LMP_ERR_INVALID_ARGUMENT, "a borrow needs the holder's host and user");
  auto answer = expect_ok(pool_->request(request.line(0), request.retry()), "borrow");
  // Whatever goes wrong from here on, the server holds units for us that nobody could use: give
  // them back (best effort; they also return by themselves at the lease's expiry).
  auto give_back = [&] {
    auto lease = answer.fields.find("lease");
    if (lease == answer.fields.end()) return;
    try {
      pool_->request(RequestLine("CHECKIN").field("lease", lease->second).text(),
                     RetryPolicy::anywhere);
    } catch (const ClientError&) {
    }
  };
  if (answer.fields.count("borrowed") == 0 || answer.at("borrowed") != "1" ||
      answer.fields.count("token") == 0) {
    // A server older than protocol 1.1 ignores borrow= and grants an ordinary lease, which would
    // lapse without heartbeats.
    give_back();
    throw ClientError(LMP_ERR_UNSUPPORTED,
                      "the server does not lend units (protocol 1.1 borrowing)");
  }
  BorrowToken token;
  try {
    const std::string& compact = answer.at("token");
    try {
      token = parse_borrow_token(compact);
    } catch (const ClientError& e) {
      throw ClientError(LMP_ERR_PROTOCOL, std::string("the server's token: ") + e.what());
    }
    if (token.lease != answer.at("lease"))
      throw ClientError(LMP_ERR_PROTOCOL, "the server's token names another lease than its answer");
    store_borrow_token(token_path, compact, token, unix_now());
  } catch (const ClientError&) {
    give_back();
    throw;
  }
  if (keys.url && keys.file.empty()) {
    try {
      keys.timeout = pool_->timeout();
      refresh_key_cache(token_path, keys);
    } catch (const ClientError&) {
      // lmp_check_borrowed fetches them again while the cache lacks the token's key.
    }
  }
  return token;
}

BorrowToken Client::check_borrowed(const std::string& token_path) {
  if (token_path.empty()) throw ClientError(LMP_ERR_INVALID_ARGUMENT, "the token file is required");
  KeySource keys;
  std::string host;
  {
    std::lock_guard lock(mutex_);
    keys = keys_;
    host = host_;
  }
  keys.timeout = pool_->timeout();
  return lmp::client::check_borrowed(token_path, keys, host, unix_now());
}

void Client::return_borrowed(const std::string& token_path) {
  if (token_path.empty()) throw ClientError(LMP_ERR_INVALID_ARGUMENT, "the token file is required");
  BorrowToken token = read_borrow_token(token_path);
  auto answer = pool_->request(RequestLine("CHECKIN").field("lease", token.lease).text(),
                               RetryPolicy::anywhere);
  // Already gone (expired and reclaimed, or released by an administrator): nothing to return.
  if (!answer.ok && answer.error != "lease_unknown" && answer.error != "lease_revoked")
    expect_ok(answer, "return");
  remove_file(token_path);
}

}  // namespace lmp::client
