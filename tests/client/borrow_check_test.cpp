// The offline check of borrow tokens (client/src/borrow_check.hpp and its parts) against tokens
// this test signs with its own Ed25519 keys: what passes, the distinct refusal of each kind of bad
// token, the clock guard, and key sets from a file and from an HTTP server on a real socket.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "borrow_check.hpp"
#include "borrow_files.hpp"
#include "borrow_signer.hpp"
#include "borrow_token.hpp"
#include "client_error.hpp"
#include "core/base64url.hpp"
#include "jwk_set.hpp"
#include "key_server.hpp"

namespace lmp::test {
namespace {

using client::ClientError;
using client::KeySource;

constexpr std::int64_t kNow = 1796000000;  // 2026-11-30

std::filesystem::path fresh_dir() {
  auto dir =
      std::filesystem::temp_directory_path() /
      ("lmp-borrow-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  return dir;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The result code a call ends with: LMP_OK or the ClientError's code.
template <typename Body>
lmp_result outcome(Body&& body) {
  try {
    body();
    return LMP_OK;
  } catch (const ClientError& e) {
    return e.code();
  }
}

class BorrowCheckTest : public ::testing::Test {
 protected:
  BorrowCheckTest() : dir_(fresh_dir()), signer_("k1") {
    claims_.iat = kNow - 60;
    claims_.exp = kNow + 7 * 86400;
    write(keys_file(), jwk_set({signer_.jwk()}));
  }
  ~BorrowCheckTest() override { std::filesystem::remove_all(dir_); }

  std::string token_path() const { return (dir_ / "cad.token").string(); }
  std::filesystem::path keys_file() const { return dir_ / "keys.json"; }
  KeySource from_file() const { return KeySource{keys_file().string(), std::nullopt}; }

  void store(const std::string& token) { write(token_path(), token + "\n"); }
  lmp_result check(std::int64_t now = kNow, const std::string& host = "laptop-7") {
    return check_with(from_file(), now, host);
  }
  lmp_result check_with(const KeySource& keys, std::int64_t now = kNow,
                        const std::string& host = "laptop-7") {
    return outcome([&] { client::check_borrowed(token_path(), keys, host, now); });
  }
  lmp_result check_text(const std::string& token) {
    store(token);
    return check();
  }

  std::filesystem::path dir_;
  TokenSigner signer_;
  BorrowClaims claims_;
};

TEST_F(BorrowCheckTest, AGoodTokenPassesAndItsFieldsAreRead) {
  store(signer_.token(claims_));
  auto token = client::check_borrowed(token_path(), from_file(), "laptop-7", kNow);
  EXPECT_EQ(token.lease, claims_.lease);
  EXPECT_EQ(token.license, 7);
  EXPECT_EQ(token.product, "cad");
  EXPECT_EQ(token.units, 1u);
  EXPECT_EQ(token.host, "laptop-7");
  EXPECT_EQ(token.user, "ana");
  EXPECT_EQ(token.issued_at, claims_.iat);
  EXPECT_EQ(token.expires_at, claims_.exp);
  EXPECT_EQ(token.kid, "k1");
  // The check is remembered as the latest time seen.
  EXPECT_EQ(read(client::clock_guard_path(token_path())), std::to_string(kNow) + "\n");
}

// RFC 8037 appendix A.4: the standard's own Ed25519 JWS checks with the standard's key, so the
// encoding and the signature check are those of every other JOSE implementation.
TEST(BorrowTokenStandard, TheExampleSignatureOfRfc8037Verifies) {
  auto set = client::KeySet::parse(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"rfc",)"
                                   R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  client::BorrowToken token;
  token.signing_input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
  token.signature = *lmp::base64url_decode(
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
  ASSERT_NE(set.find("rfc"), nullptr);
  EXPECT_TRUE(client::signature_valid(token, *set.find("rfc")));
  EXPECT_EQ(*lmp::base64url_decode("RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"),
            "Example of Ed25519 signing");
  token.signing_input.back() = 'h';
  EXPECT_FALSE(client::signature_valid(token, *set.find("rfc")));
}

TEST_F(BorrowCheckTest, AnAlteredPayloadOrSignatureIsABadSignature) {
  auto token = signer_.token(claims_);
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  BorrowClaims longer = claims_;
  longer.exp += 365 * 86400;
  auto altered_payload =
      token.substr(0, first + 1) + base64url(longer.payload_json()) + token.substr(second);
  EXPECT_EQ(check_text(altered_payload), LMP_ERR_TOKEN_BAD_SIGNATURE);

  auto altered_signature = token;
  char& c = altered_signature[second + 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(check_text(altered_signature), LMP_ERR_TOKEN_BAD_SIGNATURE);

  // Signed by another key that claims this key's kid.
  TokenSigner impostor("k1");
  EXPECT_EQ(check_text(impostor.token(claims_)), LMP_ERR_TOKEN_BAD_SIGNATURE);
  EXPECT_FALSE(std::filesystem::exists(client::clock_guard_path(token_path())));
}

TEST_F(BorrowCheckTest, AnotherHostsTokenIsRefused) {
  claims_.host = "laptop-8";
  store(signer_.token(claims_));
  EXPECT_EQ(check(), LMP_ERR_TOKEN_OTHER_HOST);
  EXPECT_EQ(check(kNow, "laptop-8"), LMP_OK);
}

TEST_F(BorrowCheckTest, ATokenOfAKeyTheSetLacksIsAnUnknownKey) {
  TokenSigner other("k2");
  EXPECT_EQ(check_text(other.token(claims_)), LMP_ERR_TOKEN_UNKNOWN_KEY);
  write(keys_file(), jwk_set({signer_.jwk(), other.jwk()}));
  EXPECT_EQ(check(), LMP_OK);
}

TEST_F(BorrowCheckTest, AnExpiredTokenIsRefused) {
  claims_.iat = kNow - 8 * 86400;
  claims_.exp = kNow - 86400;
  EXPECT_EQ(check_text(signer_.token(claims_)), LMP_ERR_TOKEN_EXPIRED);
  claims_.exp = kNow;  // exp is the first second it no longer holds
  EXPECT_EQ(check_text(signer_.token(claims_)), LMP_ERR_TOKEN_EXPIRED);
  claims_.exp = kNow + 1;
  EXPECT_EQ(check_text(signer_.token(claims_)), LMP_OK);
}

TEST_F(BorrowCheckTest, AClockMovedBackByMoreThanAnHourIsRefused) {
  store(signer_.token(claims_));
  ASSERT_EQ(check(kNow + 86400), LMP_OK);
  // Back by less than an hour: an NTP correction, fine; the latest time seen stays.
  EXPECT_EQ(check(kNow + 86400 - 3000), LMP_OK);
  EXPECT_EQ(read(client::clock_guard_path(token_path())), std::to_string(kNow + 86400) + "\n");
  EXPECT_EQ(check(kNow + 86400 - 3601), LMP_ERR_CLOCK_MOVED_BACK);
  EXPECT_EQ(check(kNow), LMP_ERR_CLOCK_MOVED_BACK);
  // Forward again: it passes and the guard moves on.
  EXPECT_EQ(check(kNow + 2 * 86400), LMP_OK);
  EXPECT_EQ(read(client::clock_guard_path(token_path())), std::to_string(kNow + 2 * 86400) + "\n");
}

TEST_F(BorrowCheckTest, TheTokensSigningTimeIsATimeSeenEvenWithoutTheGuard) {
  claims_.iat = kNow + 7200;  // the server signed it two hours "later" than this clock says
  store(signer_.token(claims_));
  EXPECT_EQ(check(), LMP_ERR_CLOCK_MOVED_BACK);
  EXPECT_EQ(check(kNow + 3600), LMP_OK);
  // Deleting or spoiling the guard falls back to the signing time, not to no floor at all.
  ASSERT_EQ(check(kNow + 5 * 86400), LMP_OK);
  write(client::clock_guard_path(token_path()), "garbage");
  EXPECT_EQ(check(kNow + 3600), LMP_OK);
  EXPECT_EQ(check(kNow), LMP_ERR_CLOCK_MOVED_BACK);
}

TEST_F(BorrowCheckTest, ExpiryCountsFromTheLatestTimeSeenNotAClockSetBackWithinTheHour) {
  store(signer_.token(claims_));
  ASSERT_EQ(check(claims_.exp - 10), LMP_OK);
  write(client::clock_guard_path(token_path()), std::to_string(claims_.exp + 5) + "\n");
  // 30 minutes back from a time past exp: within the tolerance, but still expired.
  EXPECT_EQ(check(claims_.exp + 5 - 1800), LMP_ERR_TOKEN_EXPIRED);
}

TEST_F(BorrowCheckTest, GarbageIsMalformedNeverACrash) {
  std::string header = base64url(R"({"alg":"EdDSA","kid":"k1","typ":"JWT"})");
  std::string payload = base64url(claims_.payload_json());
  std::string sig = base64url(std::string(64, 'x'));
  for (const std::string& garbage : std::vector<std::string>{
           "", "\n", "no dots at all", "a.b", "a.b.c.d", "..", header + "." + payload + ".",
           header + ".." + sig, "." + payload + "." + sig, "@@@@." + payload + "." + sig,
           header + "=." + payload + "." + sig,                             // padding
           header + "." + payload + "." + base64url(std::string(63, 'x')),  // short signature
           base64url("[1,2]") + "." + payload + "." + sig,                  // header not an object
           base64url("{\"alg\":\"EdDSA\"") + "." + payload + "." + sig,     // cut JSON
           header + "." + base64url("\"just a string\"") + "." + sig,
           std::string(20000, 'A'),  // huge
           std::string(1 << 20, '.'),
           header + "." + std::string(16001, 'A') + "." + sig,  // decodes to no JSON
       }) {
    EXPECT_EQ(check_text(garbage), LMP_ERR_TOKEN_MALFORMED) << garbage.substr(0, 80);
  }
}

TEST_F(BorrowCheckTest, OnlyEdDsaIsAcceptedAndEveryFieldMustHaveItsType) {
  // alg none with an empty signature, and HS256 keyed with public bytes: the classic forgeries.
  std::string payload = base64url(claims_.payload_json());
  EXPECT_EQ(check_text(base64url(R"({"alg":"none","kid":"k1"})") + "." + payload + "."),
            LMP_ERR_TOKEN_MALFORMED);
  EXPECT_EQ(check_text(signer_.sign(R"({"alg":"HS256","kid":"k1"})", claims_.payload_json())),
            LMP_ERR_TOKEN_MALFORMED);
  EXPECT_EQ(check_text(signer_.sign(R"({"kid":"k1"})", claims_.payload_json())),
            LMP_ERR_TOKEN_MALFORMED);
  EXPECT_EQ(check_text(signer_.sign(R"({"alg":"EdDSA"})", claims_.payload_json())),
            LMP_ERR_TOKEN_MALFORMED);
  EXPECT_EQ(check_text(signer_.sign(R"({"alg":"EdDSA","kid":"k1","crit":["exp"]})",
                                    claims_.payload_json())),
            LMP_ERR_TOKEN_MALFORMED);
  const std::string header = R"({"alg":"EdDSA","kid":"k1"})";
  for (
      const std::string& payload_json : std::vector<std::string>{
          R"({"lease":"x","license":7,"product":"cad","units":1,"host":"laptop-7","user":"ana","iat":1})",
          R"({"lease":"x","license":"7","product":"cad","units":1,"host":"laptop-7","user":"ana","iat":1,"exp":2})",
          R"({"lease":"x","license":7,"product":"cad","units":0,"host":"laptop-7","user":"ana","iat":1,"exp":2})",
          R"({"lease":"x","license":7,"product":"cad","units":1,"host":7,"user":"ana","iat":1,"exp":2})",
          R"({"lease":"x","license":7,"product":"cad","units":1,"host":"laptop-7","user":"ana","iat":1,"exp":2.5})",
          R"({"lease":"x","license":7,"product":"cad","units":1,"host":"laptop-7","user":"ana","iat":1,"exp":-2})",
          R"({"lease":"x","license":7,"product":"cad","units":1,"host":"laptop-7","user":"ana","iat":1,"exp":18446744073709551615})",
          R"({"lease":"","license":7,"product":"cad","units":1,"host":"laptop-7","user":"ana","iat":1,"exp":2})",
      }) {
    EXPECT_EQ(check_text(signer_.sign(header, payload_json)), LMP_ERR_TOKEN_MALFORMED)
        << payload_json;
  }
}

// Every single-byte change of a good token, and random cuts and splices, ends in one of the
// check's own refusals: nothing else is thrown, nothing crashes, nothing passes.
TEST_F(BorrowCheckTest, MutatedTokensAreRefusedWithTheirOwnCodes) {
  const std::string good = signer_.token(claims_);
  std::mt19937 random(18);
  const std::string alphabet = "AZaz09-_.=+/ \x01\xff";
  int passed = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string mutated = good;
    mutated[i] = alphabet[random() % alphabet.size()];
    if (mutated == good) continue;
    lmp_result result = check_text(mutated);
    EXPECT_TRUE(result == LMP_ERR_TOKEN_MALFORMED || result == LMP_ERR_TOKEN_BAD_SIGNATURE ||
                result == LMP_ERR_TOKEN_UNKNOWN_KEY)
        << i << ": " << static_cast<int>(result);
    passed += result == LMP_OK;
  }
  for (int round = 0; round < 300; ++round) {
    std::string mutated =
        good.substr(0, random() % good.size()) + good.substr(random() % good.size());
    if (mutated == good) continue;
    lmp_result result = check_text(mutated);
    EXPECT_NE(result, LMP_OK) << mutated;
  }
  EXPECT_EQ(passed, 0);
}

TEST_F(BorrowCheckTest, NoTokenFileIsNothingBorrowed) {
  EXPECT_EQ(check(), LMP_ERR_NOT_BORROWED);
}

TEST_F(BorrowCheckTest, NoUsableKeySetIsNoKeys) {
  store(signer_.token(claims_));
  EXPECT_EQ(check_with(KeySource{}), LMP_ERR_NO_KEYS);  // nothing given, nothing cached
  for (
      const std::string& bad : std::vector<std::string>{
          "",
          "not json",
          "[]",
          R"({"keys":{}})",
          R"({"keys":[]})",
          R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k1"}]})",
          R"({"keys":[{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1"}]})",
          R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"c2hvcnQ","kid":"k1"}]})",
          R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1","use":"enc"}]})",
      }) {
    write(keys_file(), bad);
    EXPECT_EQ(check(), LMP_ERR_NO_KEYS) << bad;
  }
  std::filesystem::remove(keys_file());
  EXPECT_EQ(check(), LMP_ERR_NO_KEYS);
  // Other kinds of keys beside an Ed25519 one are left alone.
  write(keys_file(), jwk_set({R"({"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r1"})", signer_.jwk()}));
  EXPECT_EQ(check(), LMP_OK);
}

TEST_F(BorrowCheckTest, KeysFetchedOverHttpAreCachedForOfflineChecksAndFetchedAgainForANewKey) {
  store(signer_.token(claims_));
  KeySource online;
  std::string url;
  {
    KeyServer server(jwk_set({signer_.jwk()}));
    url = server.url();
    online.url = client::parse_keys_url(url);
    EXPECT_EQ(check_with(online), LMP_OK);
    EXPECT_EQ(server.requests(), 1);
    EXPECT_EQ(check_with(online), LMP_OK);
    EXPECT_EQ(server.requests(), 1);  // the cache knows the key: no second fetch
  }
  auto cache = client::keys_cache_path(token_path());
  EXPECT_EQ(read(cache), jwk_set({signer_.jwk()}));
  struct stat info {};
  ASSERT_EQ(::stat(cache.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // The server is gone: the cache serves.
  EXPECT_EQ(check_with(online), LMP_OK);
  EXPECT_EQ(check_with(KeySource{}), LMP_OK);

  // The server rotated its key: a token of the new key is unknown while the server is away...
  TokenSigner rotated("k2");
  store(rotated.token(claims_));
  EXPECT_EQ(check_with(online), LMP_ERR_TOKEN_UNKNOWN_KEY);
  // ...and checks once the new set can be fetched (the cache is replaced by it).
  KeyServer server(jwk_set({signer_.jwk(), rotated.jwk()}));
  online.url = client::parse_keys_url(server.url());
  EXPECT_EQ(check_with(online), LMP_OK);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(read(cache), jwk_set({signer_.jwk(), rotated.jwk()}));
}

TEST_F(BorrowCheckTest, AKeyServerThatFailsLeavesNoKeysAndNoCache) {
  store(signer_.token(claims_));
  {
    KeyServer server("{\"error\":\"x\"}", 500);
    KeySource online{"", client::parse_keys_url(server.url())};
    EXPECT_EQ(check_with(online), LMP_ERR_NO_KEYS);
  }
  {
    KeyServer server("<html>not keys</html>");
    KeySource online{"", client::parse_keys_url(server.url() + "/v1/keys")};
    EXPECT_EQ(check_with(online), LMP_ERR_NO_KEYS);
  }
  {
    KeyServer server(jwk_set({signer_.jwk()}));
    KeySource wrong_path{"", client::parse_keys_url(server.url() + "/elsewhere")};
    EXPECT_EQ(check_with(wrong_path), LMP_ERR_NO_KEYS);  // 404
  }
  EXPECT_FALSE(std::filesystem::exists(client::keys_cache_path(token_path())));
  // Nobody listens there any more.
  KeySource closed{"", client::parse_keys_url("http://127.0.0.1:1")};
  EXPECT_EQ(check_with(closed), LMP_ERR_NO_KEYS);
}

TEST(BorrowKeysUrl, ParsesHttpAndHttpsUrlsAndRefusesOthers) {
  auto url = client::parse_keys_url("http://lic1.example.org:27480");
  EXPECT_EQ(url.host, "lic1.example.org");
  EXPECT_EQ(url.port, 27480);
  EXPECT_EQ(url.target, "/v1/keys");
  url = client::parse_keys_url("http://[::1]/keys/all?x=1");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.target, "/keys/all?x=1");
  auto code = [](const char* text) { return outcome([&] { client::parse_keys_url(text); }); };
  url = client::parse_keys_url("https://lic1.example.org");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.to_string(), "https://lic1.example.org:443/v1/keys");
  EXPECT_FALSE(client::parse_keys_url("http://lic1").tls);
  EXPECT_EQ(code("lic1:27480"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(code("ftp://lic1/"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(code("http://lic1:0/"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(code("http://lic1:99999/"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(code("http://user:pw@lic1/"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(code("http:///v1/keys"), LMP_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(code(""), LMP_ERR_INVALID_ARGUMENT);
}

TEST(BorrowFiles, TokensAreWrittenWholeAndPrivate) {
  auto dir = fresh_dir();
  auto path = (dir / "t").string();
  client::write_file_atomically(path, "first");
  client::write_file_atomically(path, "second");
  EXPECT_EQ(read(path), "second");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  EXPECT_EQ(outcome([&] { client::write_file_atomically((dir / "no/such/t").string(), "x"); }),
            LMP_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(client::remove_file(path));
  EXPECT_FALSE(client::remove_file(path));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lmp::test
