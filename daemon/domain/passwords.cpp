// Password rules and hashing: scrypt through core/scrypt.hpp, in a self-describing text form.
#include "domain/passwords.hpp"

#include <charconv>
#include <vector>

#include "core/base64url.hpp"
#include "core/scrypt.hpp"
#include "core/secure_random.hpp"
#include "core/unicode_text.hpp"
#include "domain/domain_error.hpp"

namespace lmp::domain {
namespace {

// 32 MiB and about 50-100 ms a check: OWASP's floor for scrypt is N = 2^17 with r = 8 for
// servers that can spend the memory; a license server shares its host, and every login is also
// charged to the address's guessing budget, so N = 2^15 (the cost is stored with each hash and
// can be raised: the next login rehashes).
constexpr ScryptCost kCurrentCost{15, 8, 1};
// What a stored hash may ask for: a database row must not make a login spend a gigabyte.
constexpr int kMaxLog2N = 20;
constexpr std::uint32_t kMaxR = 16;
constexpr std::uint32_t kMaxP = 4;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::string_view kPrefix = "$scrypt$";

struct StoredHash {
  ScryptCost cost;
  std::string salt;
  std::string hash;
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    const auto next = text.find(separator, at);
    parts.push_back(text.substr(at, next == std::string_view::npos ? text.npos : next - at));
    if (next == std::string_view::npos) return parts;
    at = next + 1;
  }
}

template <class Int>
bool parse_param(std::string_view part, std::string_view name, Int& out) {
  if (!part.starts_with(name) || part.size() <= name.size() || part[name.size()] != '=')
    return false;
  const auto digits = part.substr(name.size() + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return error == std::errc() && end == digits.data() + digits.size();
}

std::optional<StoredHash> parse_stored(std::string_view stored) {
  if (!stored.starts_with(kPrefix)) return std::nullopt;
  const auto parts = split(stored.substr(kPrefix.size()), '$');
  if (parts.size() != 3) return std::nullopt;
  const auto params = split(parts[0], ',');
  StoredHash out;
  if (params.size() != 3 || !parse_param(params[0], "ln", out.cost.log2_n) ||
      !parse_param(params[1], "r", out.cost.r) || !parse_param(params[2], "p", out.cost.p))
    return std::nullopt;
  if (out.cost.log2_n < 1 || out.cost.log2_n > kMaxLog2N || out.cost.r < 1 || out.cost.r > kMaxR ||
      out.cost.p < 1 || out.cost.p > kMaxP)
    return std::nullopt;
  auto salt = base64url_decode(parts[1]);
  auto hash = base64url_decode(parts[2]);
  if (!salt || !hash || salt->empty() || hash->size() != kHashBytes) return std::nullopt;
  out.salt = std::move(*salt);
  out.hash = std::move(*hash);
  return out;
}

std::string format_stored(const ScryptCost& cost, std::string_view salt, std::string_view hash) {
  return std::string(kPrefix) + "ln=" + std::to_string(cost.log2_n) +
         ",r=" + std::to_string(cost.r) + ",p=" + std::to_string(cost.p) + "$" +
         base64url_encode(salt) + "$" + base64url_encode(hash);
}

// A hash no password matches (its salt and expected bytes are random), made once: what a login
// without a user checks against.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    std::string salt(kSaltBytes, '\0');
    std::string bytes(kHashBytes, '\0');
    secure_random_bytes(salt.data(), salt.size());
    secure_random_bytes(bytes.data(), bytes.size());
    return format_stored(kCurrentCost, salt, bytes);
  }();
  return hash;
}

}  // namespace

void check_password_rule(std::string_view password) {
  if (password.size() > kMaxPasswordBytes)
    throw bad_request("password must have at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  std::size_t chars = 0;
  for (std::size_t i = 0; i < password.size(); ++chars) {
    const auto cp = unicode::next_code_point(password, i);
    if (!cp) throw bad_request("password must be UTF-8 text");
    if (unicode::is_control(*cp)) throw bad_request("password must have no control characters");
  }
  if (chars < kMinPasswordChars)
    throw bad_request("password must have at least " + std::to_string(kMinPasswordChars) +
                      " characters");
}

std::string normalized_login(std::string_view login) {
  if (login.empty() || login.size() > 64) throw bad_request("login must have 1 to 64 characters");
  std::string out;
  out.reserve(login.size());
  for (char c : login) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                         c == '-' || c == '@';
    if (!allowed) throw bad_request("login may have only a-z, 0-9, '.', '_', '-' and '@'");
    out += c;
  }
  return out;
}

std::string hash_password(std::string_view password) {
  std::string salt(kSaltBytes, '\0');
  secure_random_bytes(salt.data(), salt.size());
  return format_stored(kCurrentCost, salt, scrypt(password, salt, kCurrentCost, kHashBytes));
}

bool password_matches(std::string_view stored, std::string_view password) {
  const auto parsed = parse_stored(stored);
  if (!parsed) return false;
  return scrypt_matches(password, parsed->salt, parsed->cost, parsed->hash);
}

bool password_needs_rehash(std::string_view stored) {
  const auto parsed = parse_stored(stored);
  return !parsed || parsed->cost.log2_n < kCurrentCost.log2_n || parsed->cost.r < kCurrentCost.r ||
         parsed->cost.p < kCurrentCost.p || parsed->salt.size() < kSaltBytes;
}

void spend_password_check(std::string_view password) {
  password_matches(dummy_hash(), password);
}

}  // namespace lmp::domain
