// The checkouts that wait for a unit (CHECKOUT with `wait=`): first come first served per
// license among the waiters that may take the unit (a site policy may keep one from it), each
// with its deadline, and a capacity over all licenses together.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "seat/cancel_token.hpp"
#include "seat/pending_answer.hpp"
#include "seat/seat_decisions.hpp"

namespace lmp::seat {

// Thread safety: none; owned by the storage thread.
class WaitQueue final : public QueuedUnits {
 public:
  struct Waiter {
    SeatCommand command;
    Completion done;
    std::int64_t deadline_ms = 0;
    std::uint64_t batch = 0;  // the batch that queued it
    AnswerInfo info;
    std::shared_ptr<const CancelToken> token;  // cancelled once its client has gone; may be null
    // The refusal of a rule that units freed later may lift (a site policy's max or reservation:
    // CheckoutDetails::held_back), while that is what keeps it waiting: it holds no units back
    // from the waiters behind it, and it is its answer at the deadline. Empty while it waits for
    // free units.
    std::optional<SeatResult> held_back;
  };

  // The answer to a waiter whose client has gone (it reaches the client only if the client just
  // closed its sending side).
  static SeatResult withdrawn();

  // Told of each waiter as its wait ends (before its answer is handed on), with its license, how
  // the wait ended and its answer; for the usage records. May be empty.
  using Ended = std::function<void(std::int64_t license_id, const Waiter& waiter, WaitEnd end,
                                   const SeatResult& answer)>;

  // When `waiter`'s wait began: its deadline less the time it was given (both move together
  // with a step of the clock).
  static std::int64_t waiting_since_ms(const Waiter& waiter);

  explicit WaitQueue(std::size_t capacity) : capacity_(capacity) {}

  std::size_t size() const { return size_; }
  bool full() const { return size_ >= capacity_; }
  // Queues `waiter` behind the license's other waiters. REQUIRES: !full().
  void park(std::int64_t license_id, Waiter waiter);

  // What a waiter offered the free units does.
  struct Offer {
    enum class Kind {
      answer,  // its wait ends with `result` (a grant, or a refusal that waiting cannot lift)
      wait,    // no room for it yet: nobody behind it is served before it
      pass,    // a rule keeps it from these units (`result` says which): those behind may go
    };
    Kind kind = Kind::wait;
    SeatResult result;
  };
  // Offers the license's waiters, head first, to `decide`, until one waits or all were offered.
  // A waiter whose client has gone is answered withdrawn() and offered nothing.
  using Decide = std::function<Offer(const SeatCommand&)>;
  void serve(std::int64_t license_id, const Decide& decide, std::vector<PendingAnswer>& out,
             const Ended& ended = {});

  // Whether a deadline has passed at `now_ms`.
  bool any_due(std::int64_t now_ms) const;
  // Answers the waiters whose deadline has passed: no_seats, or the refusal that held them back.
  void expire(std::int64_t now_ms, std::vector<PendingAnswer>& out, const Ended& ended = {});
  // Moves every deadline by a step of the wall clock, so a wait lasts the time it was given.
  void shift_deadlines(std::int64_t step_ms);
  // Answers the waiters queued by `batch` with `answer` (their batch rolled back).
  void cancel_batch(std::uint64_t batch, const SeatResult& answer, std::vector<PendingAnswer>& out);
  // Answers the waiters whose client has gone: withdrawn().
  void withdraw_cancelled(std::vector<PendingAnswer>& out, const Ended& ended = {});
  // Answers every waiter with `answer` and empties the queue.
  void release_all(const SeatResult& answer, std::vector<PendingAnswer>& out,
                   const Ended& ended = {});
  // The licenses that have waiters.
  std::vector<std::int64_t> licenses() const;
  // The units the license's waiters ask for, together, but for those held back by a rule.
  std::int64_t queued_units(std::int64_t license_id) const override;
  // How many waiters each license has (those with none are left out).
  std::map<std::int64_t, std::int64_t> waiting_by_license() const;

 private:
  struct Line {
    std::deque<Waiter> waiters;
    std::int64_t units = 0;  // asked for by the waiters not held back, together
  };

  // Removes the waiters for which `leaves` is true, answering each with `answer` (or, when
  // `held_answer`, those held back by a rule with their own refusal); `ended` is told of each
  // with `end`.
  void remove_if(const std::function<bool(const Waiter&)>& leaves, const SeatResult& answer,
                 std::vector<PendingAnswer>& out, WaitEnd end = WaitEnd::stopped,
                 const Ended& ended = {}, bool held_answer = false);
  // Sets what holds `waiter` back, keeping the line's units of those not held back.
  static void hold_back(Line& line, Waiter& waiter, std::optional<SeatResult> refusal);

  const std::size_t capacity_;
  std::size_t size_ = 0;
  std::map<std::int64_t, Line> by_license_;
};

}  // namespace lmp::seat
