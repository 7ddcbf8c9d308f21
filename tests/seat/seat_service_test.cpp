// SeatService on its own (no sockets): answers wait for the flush that makes them durable, a
// failing commit answers `unavailable` without losing the service, a failing flush answers its
// batch and everything after it `unavailable` and loses nothing acknowledged, and the rules'
// observers are told of every lease change inside the batch's transaction; on PostgreSQL, whose
// batches send their writes together, a failing write fails the whole batch, and two instances
// end with the rows their answers promised.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/activation_code.hpp"
#include "plugin/daemon_host.hpp"
#include "plugin/registry.hpp"
#include "seat/seat_service.hpp"
#include "storage/caching_seat_store.hpp"
#include "support/fault_injecting_env.hpp"
#include "support/forwarding_seat_store.hpp"
#include "support/storage_backends.hpp"
#include "support/test_server.hpp"

namespace lmp::test {
namespace {

// A flush that only completes when the test opens the gate.
class GatedSync final : public storage::DurabilitySync {
 public:
  bool sync() override {
    std::unique_lock lock(mutex_);
    ++started_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return true;
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

  std::future<seat::SeatResult> submit(seat::SeatService& service, seat::SeatCommand command) {
    auto promise = std::make_shared<std::promise<seat::SeatResult>>();
    service.submit(std::move(command),
                   [promise](seat::SeatResult r) { promise->set_value(std::move(r)); });
    return promise->get_future();
  }
  // The answer, once it came (within 10 s; after that the test fails).
  static seat::SeatResult answer(std::future<seat::SeatResult> future) {
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 10 s";
      return seat::SeatResult::failure(seat::SeatError::internal, "no answer");
    }
    return future.get();
  }
  std::future<seat::SeatResult> checkout(seat::SeatService& service) {
    seat::SeatCommand command;
    command.op = seat::Operation::checkout;
    command.code = code_;
    return submit(service, std::move(command));
  }
  std::future<seat::SeatResult> on_lease(seat::SeatService& service, seat::Operation op,
                                         const std::string& lease) {
    seat::SeatCommand command;
    command.op = op;
    command.lease = lease;
    return submit(service, std::move(command));
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

// A flush failing through the OS seam: the real SQLite store and its WAL flush, with fdatasync
// answering EIO from some moment on.
TEST_F(SeatServiceTest, AFailingFlushAnswersUnavailableFromThenOnAndLosesNothingAcknowledged) {
  FaultInjectingEnv env;
  seat::SeatServiceOptions options;
  options.env = &env;
  config_.storage.synchronous = storage::Synchronous::full;
  code_ = create_license(config_, {.customer = "globex", .units = 100});
  seat::SeatService service(storage::make_caching_store(storage::open_sqlite(config_.storage, env)),
                            catalog_, clock_, options);
  std::atomic<int> lost{0};
  service.set_durability_lost_handler([&lost] { ++lost; });
  service.start();
  auto lease_of = [](const seat::SeatResult& result) {
    for (const auto& [key, value] : result.fields)
      if (key == "lease") return value;
    return std::string();
  };
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 3; ++i) {
    auto granted = answer(checkout(service));
    ASSERT_TRUE(granted.ok()) << granted.message;
    acknowledged.push_back(lease_of(granted));
  }
  ASSERT_TRUE(answer(on_lease(service, seat::Operation::heartbeat, acknowledged[0])).ok());
  EXPECT_GT(env.syncs(), 0);
  EXPECT_EQ(lost, 0);

  env.fail_syncs();
  // A batch of several: every answer of it is `unavailable`.
  std::vector<std::future<seat::SeatResult>> batch;
  for (int i = 0; i < 4; ++i) batch.push_back(checkout(service));
  batch.push_back(on_lease(service, seat::Operation::heartbeat, acknowledged[1]));
  for (auto& future : batch) {
    auto refused = answer(std::move(future));
    EXPECT_EQ(refused.error, seat::SeatError::unavailable);
    EXPECT_EQ(refused.message,
              "storage failure: a flush to disk failed; retry, possibly on another server");
  }
  EXPECT_EQ(lost, 1);
  // Nothing is acknowledged any more, even once the disk answers again: a flush after a failed
  // one may succeed without having written what the failed one lost.
  env.heal();
  EXPECT_EQ(answer(checkout(service)).error, seat::SeatError::unavailable);
  EXPECT_EQ(answer(on_lease(service, seat::Operation::heartbeat, acknowledged[2])).error,
            seat::SeatError::unavailable);
  service.stop();
  EXPECT_EQ(lost, 1);

  // Every lease acknowledged before the failure is in the database, with at least the expiry
  // acknowledged.
  auto reopened = storage::open_sqlite(config_.storage);
  for (const auto& id : acknowledged) {
    auto lease = reopened->find_lease(id);
    ASSERT_TRUE(lease.has_value()) << id;
    EXPECT_GE(lease->expires_at_ms, kTestEpochMs + 300000);
  }
}

// The WAL file's name is made durable too: its folder is flushed before the first flush of it.
TEST_F(SeatServiceTest, TheFirstFlushOfTheWalFileFlushesItsFolder) {
  FaultInjectingEnv env;
  seat::SeatServiceOptions options;
  options.env = &env;
  code_ = create_license(config_, {.customer = "globex", .units = 100});
  seat::SeatService service(storage::make_caching_store(storage::open_sqlite(config_.storage, env)),
                            catalog_, clock_, options);
  service.start();
  ASSERT_TRUE(answer(checkout(service)).ok());
  EXPECT_EQ(env.full_syncs(), 1);
  const int syncs = env.syncs();
  ASSERT_TRUE(answer(checkout(service)).ok());
  EXPECT_GT(env.syncs(), syncs);
  EXPECT_EQ(env.full_syncs(), 1);
  service.stop();
}

// Notes whether a transaction is open, for observers that must be called inside one.
class TransactionTrackingStore final : public ForwardingSeatStore {
 public:
  using ForwardingSeatStore::ForwardingSeatStore;
  void begin() override {
    inner_->begin();
    open = true;
  }
  void commit() override {
    inner_->commit();
    open = false;
  }
  void rollback() noexcept override {
    inner_->rollback();
    open = false;
  }
  std::atomic<bool> open{false};
};

class RecordingObserver final : public seat::LeaseEvents {
 public:
  explicit RecordingObserver(const TransactionTrackingStore& store) : store_(store) {}
  void lease_changed(seat::LeaseChange change, const storage::LeaseRecord& lease, std::int64_t,
                     storage::SeatStore&) override {
    if (fail_on_grant && change == seat::LeaseChange::granted)
      throw storage::StoreError("usage record: disk I/O error");
    std::lock_guard lock(mutex_);
    changes_.emplace_back(change, lease.id);
    inside_ = inside_ && store_.open;
  }
  std::vector<std::pair<seat::LeaseChange, std::string>> changes() {
    std::lock_guard lock(mutex_);
    return changes_;
  }
  bool always_inside_a_transaction() {
    std::lock_guard lock(mutex_);
    return inside_;
  }
  std::atomic<bool> fail_on_grant{false};

 private:
  const TransactionTrackingStore& store_;
  std::mutex mutex_;
  std::vector<std::pair<seat::LeaseChange, std::string>> changes_;
  bool inside_ = true;
};

TEST_F(SeatServiceTest, ObserversAreToldOfEveryLeaseChangeInsideItsTransaction) {
  auto tracking = std::make_unique<TransactionTrackingStore>(storage::open_sqlite(config_.storage));
  const TransactionTrackingStore& store = *tracking;
  seat::SeatService service(storage::make_caching_store(std::move(tracking)), catalog_, clock_, {});
  auto observer = std::make_shared<RecordingObserver>(store);
  service.set_rules({{}, {observer}, {}, nullptr});
  service.start();
  auto lease_of = [](const seat::SeatResult& result) {
    for (const auto& [key, value] : result.fields)
      if (key == "lease") return value;
    return std::string();
  };
  const std::string first = lease_of(answer(checkout(service)));
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(answer(on_lease(service, seat::Operation::heartbeat, first)).ok());
  ASSERT_TRUE(answer(on_lease(service, seat::Operation::checkin, first)).ok());
  const std::string second = lease_of(answer(checkout(service)));
  // The second lease lapses and the sweep reclaims it.
  clock_.advance_ms(301000);
  service.wake();
  for (int i = 0; i < 500 && observer->changes().size() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  using C = seat::LeaseChange;
  EXPECT_EQ(observer->changes(), (std::vector<std::pair<C, std::string>>{{C::granted, first},
                                                                         {C::extended, first},
                                                                         {C::released, first},
                                                                         {C::granted, second},
                                                                         {C::reclaimed, second}}));
  EXPECT_TRUE(observer->always_inside_a_transaction());
  service.stop();
}

// An observer's storage failure is the batch's: it rolls back, and the checkout is not granted.
TEST_F(SeatServiceTest, AnObserversStorageFailureRollsTheBatchBack) {
  auto tracking = std::make_unique<TransactionTrackingStore>(storage::open_sqlite(config_.storage));
  auto observer = std::make_shared<RecordingObserver>(*tracking);
  seat::SeatService service(storage::make_caching_store(std::move(tracking)), catalog_, clock_, {});
  service.set_rules({{}, {observer}, {}, nullptr});
  service.start();
  observer->fail_on_grant = true;
  EXPECT_EQ(answer(checkout(service)).error, seat::SeatError::unavailable);
  observer->fail_on_grant = false;
  // The license's only unit is still free.
  EXPECT_TRUE(answer(checkout(service)).ok());
  service.stop();
}

// On PostgreSQL a batch's writes are held back and sent together (docs/scale-out.md "One round
// trip per batch"). The helpers below give a PostgreSQL database of the test's own, a batch of
// every kind of request queued before the service starts (so one batch takes them all), and the
// database's leases and counters as text.
class SharedSeatServiceTest : public SeatServiceTest {
 protected:
  void SetUp() override {
    SeatServiceTest::SetUp();
    if (!backend_.use("postgresql", config_))
      GTEST_SKIP() << "LMP_TEST_POSTGRES is not set (scripts/test.sh starts a server and sets it)";
    code_ = create_license(config_, {.customer = "pgco", .units = 10});
    options_.shared_database = true;
  }
  std::unique_ptr<seat::SeatService> service() {
    return std::make_unique<seat::SeatService>(storage::open_store(config_.storage), catalog_,
                                               clock_, options_);
  }
  static std::string lease_of(const seat::SeatResult& result) {
    for (const auto& [key, value] : result.fields)
      if (key == "lease") return value;
    return {};
  }
  std::future<seat::SeatResult> checkout_as(seat::SeatService& service, const std::string& user) {
    seat::SeatCommand command;
    command.op = seat::Operation::checkout;
    command.code = code_;
    command.user = user;
    command.host = "pc";
    return submit(service, std::move(command));
  }
  // A checkout as `first`, a heartbeat and a checkin of leases granted before, an anonymous
  // checkout and one as `last`.
  std::vector<std::future<seat::SeatResult>> mixed_batch(seat::SeatService& service,
                                                         const std::string& renewed,
                                                         const std::string& checked_in,
                                                         const std::string& first,
                                                         const std::string& last) {
    std::vector<std::future<seat::SeatResult>> out;
    out.push_back(checkout_as(service, first));
    out.push_back(on_lease(service, seat::Operation::heartbeat, renewed));
    out.push_back(on_lease(service, seat::Operation::checkin, checked_in));
    out.push_back(checkout(service));
    out.push_back(checkout_as(service, last));
    return out;
  }
  std::string rows(const std::string& query) {
    soci::session sql(soci::postgresql, config_.storage.postgresql_connection);
    std::string out;
    soci::rowset<std::string> lines = sql.prepare << query;
    for (const auto& line : lines) out += line + "\n";
    return out;
  }
  // `count` leases checked out by an instance of their own, stopped afterwards.
  std::vector<std::string> granted(int count) {
    std::vector<std::string> out;
    auto first = service();
    first->start();
    for (int i = 0; i < count; ++i) {
      const auto result = answer(checkout(*first));
      EXPECT_TRUE(result.ok()) << result.message;
      if (result.ok()) out.push_back(lease_of(result));
    }
    first->stop();
    return out;
  }
  // Every lease, its expiry and heartbeat; each license's counter and its leases' sum.
  std::string stored() {
    return rows(
               "SELECT CONCAT_WS(' ', id, units, expires_at_ms, heartbeat_at_ms, lingering) FROM"
               " leases ORDER BY id") +
           rows(
               "SELECT CONCAT_WS(' ', l.id, l.units_held, (SELECT COALESCE(SUM(units), 0) FROM"
               " leases WHERE license_id = l.id)) FROM licenses l ORDER BY l.id");
  }

  StorageBackend backend_;
  seat::SeatServiceOptions options_;
};

// A write that fails at commit (here a trigger refuses one checkout's lease) fails the whole
// batch: every request of it is answered `unavailable` and nothing of it is stored; the same
// batch once the write can succeed is served in full.
TEST_F(SharedSeatServiceTest, AFailingHeldBackWriteAnswersTheWholeBatchUnavailable) {
  const std::vector<std::string> leases = granted(2);
  ASSERT_EQ(leases.size(), 2u);
  const std::string before = stored();
  {
    soci::session sql(soci::postgresql, config_.storage.postgresql_connection);
    sql << "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
           " IF NEW.user_name = 'boom' THEN RAISE EXCEPTION 'refused'; END IF;"
           " RETURN NEW; END $$";
    sql << "CREATE TRIGGER refuse_boom BEFORE INSERT ON leases"
           " FOR EACH ROW EXECUTE FUNCTION refuse_boom()";
  }
  {
    auto failing = service();
    auto answers = mixed_batch(*failing, leases[0], leases[1], "ann", "boom");
    failing->start();
    for (auto& future : answers) {
      const auto refused = answer(std::move(future));
      EXPECT_EQ(refused.error, seat::SeatError::unavailable) << refused.message;
    }
    failing->stop();
  }
  EXPECT_EQ(stored(), before);

  soci::session(soci::postgresql, config_.storage.postgresql_connection)
      << "DROP TRIGGER refuse_boom ON leases";
  auto working = service();
  auto answers = mixed_batch(*working, leases[0], leases[1], "ann", "boom");
  working->start();
  for (auto& future : answers) {
    const auto served = answer(std::move(future));
    EXPECT_TRUE(served.ok()) << served.message;
  }
  working->stop();
  // Two leases before, one checked in, three checked out.
  EXPECT_EQ(storage::open_store(config_.storage)->lease_count(), 4);
}

// Two instances deciding mixed batches on one license at once end with exactly the leases their
// answers granted and did not check in, the expiries their heartbeats answered, and a counter of
// units held equal to the leases'.
TEST_F(SharedSeatServiceTest, MixedBatchesOnTwoInstancesEndWithTheRowsTheyAnswered) {
  const std::vector<std::string> leases = granted(4);
  ASSERT_EQ(leases.size(), 4u);
  auto one = service();
  auto two = service();
  auto answers_one = mixed_batch(*one, leases[0], leases[1], "ann", "bob");
  auto answers_two = mixed_batch(*two, leases[2], leases[3], "cid", "dan");
  clock_.advance_ms(30'000);  // the heartbeats move the expiries
  one->start();
  two->start();
  std::set<std::string> expected = {leases[0], leases[2]};
  for (auto* answers : {&answers_one, &answers_two})
    for (auto& future : *answers) {
      const auto served = answer(std::move(future));
      ASSERT_TRUE(served.ok()) << served.message;
      if (const std::string id = lease_of(served); !id.empty()) expected.insert(id);
    }
  one->stop();
  two->stop();
  auto store = storage::open_store(config_.storage);
  EXPECT_EQ(store->lease_count(), static_cast<std::int64_t>(expected.size()));
  EXPECT_EQ(expected.size(), 2u + 6u);
  for (const auto& id : expected) EXPECT_TRUE(store->find_lease(id).has_value()) << id;
  for (const auto& renewed : {leases[0], leases[2]})
    EXPECT_EQ(store->find_lease(renewed)->heartbeat_at_ms, clock_.now_unix_ms());
  for (const auto& count : store->units_held_counts(0, 10)) {
    EXPECT_EQ(count.counter, count.leases);
    EXPECT_EQ(count.counter, 8);
  }
}

}  // namespace
}  // namespace lmp::test
