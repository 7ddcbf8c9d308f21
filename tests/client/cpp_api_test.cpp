// The C++ API (client/include/lmp/client/client.hpp) against a real lmpd: a Lease checks its
// units in when it goes away, moves keep one owner, an explicit check-in empties it, and every
// failure is an Error carrying the C API's result (the site policy's new ones too).
#include <lmp/client/client.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <type_traits>
#include <utility>

#include "support/lmpd_instance.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

using endpoint::Client;
using endpoint::Error;
using endpoint::Lease;

static_assert(!std::is_copy_constructible_v<Lease> && !std::is_copy_assignable_v<Lease>);
static_assert(std::is_nothrow_move_constructible_v<Lease> &&
              std::is_nothrow_move_assignable_v<Lease>);
static_assert(!std::is_copy_constructible_v<Client> &&
              std::is_nothrow_move_constructible_v<Client>);

// Customer acme's policy excludes the user mallory.
class CppApiTest : public ::testing::Test {
 protected:
  CppApiTest() : lmpd_(dir_.path(), "", "policy:\n  file: policy.yaml\n") {
    std::ofstream(dir_.path() / "policy.yaml")
        << "policies:\n  - customer: acme\n    exclude: [user:mallory]\n";
  }
  void SetUp() override {
    code_ = lmpd_.create_license(2);
    lmpd_.start();
  }
  Client client(const std::string& host, const std::string& user = "ana") {
    Client c(lmpd_.address());
    c.set_identity(host, user);
    c.set_timeout_ms(2000);
    return c;
  }
  int used() const { return lmpd_.units_in_use(code_); }

  // The Error `call` throws; LMP_OK when it throws none.
  template <class Call>
  static lmp_result thrown(Call call) {
    try {
      call();
    } catch (const Error& e) {
      return e.result();
    }
    return LMP_OK;
  }

  TempDir dir_;
  LmpdInstance lmpd_;
  std::string code_;
};

TEST_F(CppApiTest, ALeaseChecksInWhenItGoesOutOfScope) {
  auto ana = client("ws-1");
  {
    Lease seat = ana.checkout(code_);
    ASSERT_TRUE(seat);
    EXPECT_EQ(used(), 1);
    EXPECT_FALSE(seat.id().empty());
    EXPECT_GT(seat.expires(), 0);
    EXPECT_EQ(seat.state(), LMP_OK);
  }
  EXPECT_EQ(used(), 0);
}

TEST_F(CppApiTest, MovesKeepOneOwnerAndAnExplicitCheckinEmptiesTheLease) {
  auto ana = client("ws-1");
  auto bob = client("ws-2", "bob");
  Lease first = ana.checkout(code_);
  const std::string id = first.id();
  Lease moved = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is empty, by contract
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved.id(), id);
  EXPECT_EQ(used(), 1);
  // Assigning over a held lease checks that one in.
  Lease other = bob.checkout(code_);
  EXPECT_EQ(used(), 2);
  moved = std::move(other);
  EXPECT_EQ(used(), 1);
  moved.checkin();
  EXPECT_FALSE(moved);
  EXPECT_EQ(used(), 0);
  EXPECT_EQ(thrown([&] { (void)moved.id(); }), LMP_ERR_INVALID_ARGUMENT);
  moved.checkin();  // an empty lease: nothing to do
  // A lease outlives the client that made it.
  Lease kept;
  {
    auto carol = client("ws-3", "carol");
    kept = carol.checkout(code_);
  }
  EXPECT_EQ(kept.state(), LMP_OK);
  EXPECT_EQ(used(), 1);
}

TEST_F(CppApiTest, FailuresAreErrorsWithTheResultsOfTheCApi) {
  auto ana = client("ws-1");
  EXPECT_EQ(thrown([&] { (void)ana.checkout("00000-00000-00000-00000"); }), LMP_ERR_INVALID_CODE);
  EXPECT_EQ(thrown([&] { (void)ana.checkout(code_, {"", 3}); }), LMP_ERR_NO_SEATS);
  auto mallory = client("ws-9", "mallory");
  try {
    (void)mallory.checkout(code_);
    ADD_FAILURE() << "mallory got a seat";
  } catch (const Error& e) {
    EXPECT_EQ(e.result(), LMP_ERR_NOT_ALLOWED);
    EXPECT_EQ(std::string(e.what()).rfind("not_allowed: ", 0), 0u) << e.what();
  }
  EXPECT_EQ(used(), 0);
  EXPECT_EQ(thrown([] { Client bad("127.0.0.1:99999"); }), LMP_ERR_INVALID_ARGUMENT);
  const auto status = ana.status(code_);
  EXPECT_EQ(status.units, 2u);
  EXPECT_EQ(status.used, 0u);
  EXPECT_EQ(thrown([&] { (void)ana.check_borrowed((dir_.path() / "none.token").string()); }),
            LMP_ERR_NOT_BORROWED);
}

}  // namespace
}  // namespace lmp::test
