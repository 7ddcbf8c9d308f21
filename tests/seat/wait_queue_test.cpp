// The wait queue on its own: first come first served per license, the units its waiters hold
// back from later checkouts, deadlines, and waiters whose client has gone.
#include "seat/wait_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lmp::seat {
namespace {

// A waiter asking `units` until `deadline_ms`; its answer lands in `answers` under `name`.
WaitQueue::Waiter waiter(const std::string& name, std::int64_t units, std::int64_t deadline_ms,
                         std::vector<std::string>& answers,
                         std::shared_ptr<const CancelToken> token = nullptr) {
  WaitQueue::Waiter w;
  w.command.op = Operation::checkout;
  w.command.units = units;
  w.command.host = name;
  w.deadline_ms = deadline_ms;
  w.token = std::move(token);
  w.done = [&answers, name](SeatResult result) {
    answers.push_back(name + ":" + (result.ok() ? "OK" : std::string(to_string(*result.error))));
  };
  return w;
}

// A queue of ten places; answers are delivered into `answers` as "name:code".
class WaitQueueTest : public ::testing::Test {
 protected:
  void deliver() {
    for (auto& answer : out) answer.done(std::move(answer.result));
    out.clear();
  }
  void park(std::int64_t license, const std::string& name, std::int64_t units,
            std::int64_t deadline_ms, std::shared_ptr<const CancelToken> token = nullptr) {
    queue.park(license, waiter(name, units, deadline_ms, answers, std::move(token)));
  }

  std::vector<std::string> answers;
  std::vector<PendingAnswer> out;
  WaitQueue queue{10};
};

TEST_F(WaitQueueTest, TheHeadIsServedFirstAndHoldsItsUnitsUntilThen) {
  park(1, "big", 3, 1000);
  park(1, "small", 1, 1000);
  park(2, "other", 2, 1000);
  EXPECT_EQ(queue.size(), 3U);
  EXPECT_EQ(queue.queued_units(1), 4);
  EXPECT_EQ(queue.queued_units(2), 2);
  EXPECT_EQ(queue.queued_units(3), 0);
  // Room for one unit: the head does not fit, so nobody behind it is offered anything.
  std::int64_t free_units = 1;
  const WaitQueue::Decide decide = [&](const SeatCommand& c) -> WaitQueue::Offer {
    if (c.units > free_units) return {WaitQueue::Offer::Kind::wait, {}};
    free_units -= c.units;
    return {WaitQueue::Offer::Kind::answer, SeatResult{}};
  };
  queue.serve(1, decide, out);
  EXPECT_TRUE(out.empty());
  free_units = 4;
  queue.serve(1, decide, out);
  deliver();
  EXPECT_EQ(answers, (std::vector<std::string>{"big:OK", "small:OK"}));
  EXPECT_EQ(queue.queued_units(1), 0);
  EXPECT_EQ(queue.licenses(), (std::vector<std::int64_t>{2}));
}

// A waiter a rule keeps from the free units (a site policy) is passed over: the next one may take
// them. It holds no units back from later checkouts while held back, and is answered its own
// refusal at its deadline.
TEST_F(WaitQueueTest, AWaiterARuleHoldsBackIsPassedOverAndAnsweredItsRefusal) {
  park(1, "limited", 1, 1000);
  park(1, "blocked", 2, 1000);
  park(1, "next", 1, 1000);
  EXPECT_EQ(queue.queued_units(1), 4);
  std::int64_t free_units = 1;
  const WaitQueue::Decide decide = [&](const SeatCommand& c) -> WaitQueue::Offer {
    if (c.host == "limited")
      return {WaitQueue::Offer::Kind::pass,
              SeatResult::failure(SeatError::over_limit, "max").add("limit", 1)};
    if (c.units > free_units) return {WaitQueue::Offer::Kind::wait, {}};
    free_units -= c.units;
    return {WaitQueue::Offer::Kind::answer, SeatResult{}};
  };
  // "blocked" may take units but does not fit: "next", behind it, is not served before it.
  queue.serve(1, decide, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(queue.queued_units(1), 3);  // "limited" holds none back any more
  free_units = 3;
  queue.serve(1, decide, out);
  deliver();
  EXPECT_EQ(answers, (std::vector<std::string>{"blocked:OK", "next:OK"}));
  EXPECT_EQ(queue.queued_units(1), 0);
  queue.expire(1000, out);
  deliver();
  EXPECT_EQ(answers.back(), "limited:over_limit");
  EXPECT_EQ(queue.size(), 0U);
}

TEST_F(WaitQueueTest, DeadlinesExpireAndMoveWithTheClock) {
  park(1, "early", 1, 1000);
  park(1, "late", 1, 5000);
  EXPECT_FALSE(queue.any_due(999));
  EXPECT_TRUE(queue.any_due(1000));
  queue.shift_deadlines(500);
  EXPECT_FALSE(queue.any_due(1499));
  queue.expire(1500, out);
  deliver();
  EXPECT_EQ(answers, (std::vector<std::string>{"early:no_seats"}));
  EXPECT_EQ(queue.queued_units(1), 1);
  EXPECT_EQ(queue.size(), 1U);
}

TEST_F(WaitQueueTest, WaitersWhoseClientHasGoneLeaveAndAreNeverServed) {
  auto gone = std::make_shared<CancelToken>();
  park(1, "ghost", 2, 1000, gone);
  park(1, "here", 1, 1000);
  gone->cancel();
  // Served before the queue was tidied: the ghost is skipped, not granted.
  const WaitQueue::Decide grant = [](const SeatCommand&) -> WaitQueue::Offer {
    return {WaitQueue::Offer::Kind::answer, SeatResult{}};
  };
  queue.serve(1, grant, out);
  deliver();
  EXPECT_EQ(answers, (std::vector<std::string>{"ghost:no_seats", "here:OK"}));
  park(1, "ghost2", 1, 1000, gone);
  park(1, "stays", 1, 1000);
  queue.withdraw_cancelled(out);
  deliver();
  EXPECT_EQ(answers.back(), "ghost2:no_seats");
  EXPECT_EQ(queue.size(), 1U);
  EXPECT_EQ(queue.queued_units(1), 1);
}

TEST_F(WaitQueueTest, ItIsFullAtItsCapacity) {
  WaitQueue two(2);
  two.park(1, waiter("a", 1, 1000, answers));
  EXPECT_FALSE(two.full());
  two.park(2, waiter("b", 1, 1000, answers));
  EXPECT_TRUE(two.full());
}

TEST_F(WaitQueueTest, ARolledBackBatchTakesBackOnlyTheWaitersItQueued) {
  auto first = waiter("first", 1, 1000, answers);
  first.batch = 1;
  auto second = waiter("second", 2, 1000, answers);
  second.batch = 2;
  queue.park(1, std::move(first));
  queue.park(1, std::move(second));
  queue.cancel_batch(2, SeatResult::failure(SeatError::unavailable, "storage failure"), out);
  deliver();
  EXPECT_EQ(answers, (std::vector<std::string>{"second:unavailable"}));
  EXPECT_EQ(queue.queued_units(1), 1);
  queue.release_all(SeatResult::failure(SeatError::unavailable, "stopping"), out);
  deliver();
  EXPECT_EQ(queue.size(), 0U);
  EXPECT_TRUE(queue.licenses().empty());
}

}  // namespace
}  // namespace lmp::seat
