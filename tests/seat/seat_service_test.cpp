// SeatService on its own (no sockets): answers wait for the flush that makes them durable, and a
// failing commit answers `unavailable` without losing the service.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "core/activation_code.hpp"
#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "seat/seat_service.hpp"
#include "storage/caching_seat_store.hpp"
#include "support/forwarding_seat_store.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

// A flush that only completes when the test opens the gate.
class GatedSync final : public storage::DurabilitySync {
 public:
  void sync() override {
    std::unique_lock lock(mutex_);
    ++started_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void wait_started() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return started_ > 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
  int started_ = 0;
};

class GatedStore final : public ForwardingSeatStore {
 public:
  GatedStore(std::unique_ptr<storage::SeatStore> inner, std::shared_ptr<GatedSync> sync)
      : ForwardingSeatStore(std::move(inner)), sync_(std::move(sync)) {}
  std::shared_ptr<storage::DurabilitySync> detach_durability() override { return sync_; }
  void commit() override {
    if (fail_commits) throw storage::StoreError("commit transaction: disk I/O error");
    inner_->commit();
  }
  void begin() override {
    if (fail_begins) throw storage::StoreError("reconnect to PostgreSQL: connection refused");
    inner_->begin();
  }
  std::atomic<bool> fail_commits{false};
  std::atomic<bool> fail_begins{false};

 private:
  std::shared_ptr<GatedSync> sync_;
};

class SeatServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = base_config(dir_.path());
    code_ = create_license(config_, {.units = 1});
    std::vector<plugin::LoadFailure> failures;
    registry_.load_directory(config_.plugin_directory, host_, failures);
    ASSERT_TRUE(failures.empty());
    std::vector<std::string> errors;
    catalog_ = seat::ProductCatalog::build(config_, registry_, errors);
    ASSERT_TRUE(errors.empty());
  }

  std::future<seat::SeatResult> checkout(seat::SeatService& service) {
    auto promise = std::make_shared<std::promise<seat::SeatResult>>();
    seat::SeatCommand command;
    command.op = seat::Operation::checkout;
    command.code = code_;
    service.submit(command, [promise](seat::SeatResult r) { promise->set_value(std::move(r)); });
    return promise->get_future();
  }

  TempDir dir_;
  config::Config config_;
  std::string code_;
  ManualClock clock_{kTestEpochMs};
  plugin::DaemonHost host_{clock_};
  plugin::FamilyRegistry registry_;
  std::shared_ptr<const seat::ProductCatalog> catalog_;
};

TEST_F(SeatServiceTest, AnswersWaitForTheFlushThatCoversThem) {
  auto sync = std::make_shared<GatedSync>();
  auto store = std::make_unique<GatedStore>(storage::open_sqlite(config_.storage), sync);
  seat::SeatService service(std::move(store), catalog_, clock_, {});
  service.start();
  auto answer = checkout(service);
  sync->wait_started();
  // Committed, but not flushed: no answer may leave yet.
  EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  sync->open();
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(answer.get().ok());
  service.stop();
}

TEST_F(SeatServiceTest, FailedCommitAnswersUnavailableAndKeepsNothing) {
  auto sync = std::make_shared<GatedSync>();
  sync->open();
  auto gated = std::make_unique<GatedStore>(storage::open_sqlite(config_.storage), sync);
  GatedStore* store = gated.get();
  seat::SeatService service(storage::make_caching_store(std::move(gated)), catalog_, clock_, {});
  service.start();
  store->fail_commits = true;
  auto failed = checkout(service);
  ASSERT_EQ(failed.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(failed.get().error, seat::SeatError::unavailable);
  // The rolled-back checkout took no unit: the license's only unit is still free.
  store->fail_commits = false;
  auto granted = checkout(service);
  ASSERT_EQ(granted.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(granted.get().ok());
  auto refused = checkout(service);
  ASSERT_EQ(refused.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(refused.get().error, seat::SeatError::no_seats);
  service.stop();
}

// The database gone at BEGIN (a PostgreSQL restart, a lock held past the timeout): no command of
// the batch was decided, and every one of them is still answered, `unavailable`.
TEST_F(SeatServiceTest, CommandsOfABatchWhoseBeginFailsAreAnswered) {
  auto sync = std::make_shared<GatedSync>();
  sync->open();
  auto gated = std::make_unique<GatedStore>(storage::open_sqlite(config_.storage), sync);
  GatedStore* store = gated.get();
  seat::SeatService service(std::move(gated), catalog_, clock_, {});
  service.start();
  store->fail_begins = true;
  std::vector<std::future<seat::SeatResult>> answers;
  for (int i = 0; i < 3; ++i) answers.push_back(checkout(service));
  for (auto& answer : answers) {
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(answer.get().error, seat::SeatError::unavailable);
  }
  store->fail_begins = false;
  auto granted = checkout(service);
  ASSERT_EQ(granted.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(granted.get().ok());
  service.stop();
}

}  // namespace
}  // namespace lmp::test
