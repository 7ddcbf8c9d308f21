// The checkouts that wait for a unit (CHECKOUT with `wait=`): first come first served per
// license, each with its deadline, and a capacity over all licenses together.
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

  // Offers the license's waiters, head first, to `decide`: an answer ends the head's wait (it
  // is appended to `out`) and the next waiter is offered; nullopt (still no room for the head)
  // stops, so nobody behind the head is served before it. A waiter whose client has gone is
  // answered withdrawn() and offered nothing.
  using Decide = std::function<std::optional<SeatResult>(const SeatCommand&)>;
  void serve(std::int64_t license_id, const Decide& decide, std::vector<PendingAnswer>& out,
             const Ended& ended = {});

  // Whether a deadline has passed at `now_ms`.
  bool any_due(std::int64_t now_ms) const;
  // Answers the waiters whose deadline has passed: no_seats.
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
  // The units the license's waiters ask for, together.
  std::int64_t queued_units(std::int64_t license_id) const override;
  // How many waiters each license has (those with none are left out).
  std::map<std::int64_t, std::int64_t> waiting_by_license() const;

 private:
  // Removes the waiters for which `leaves` is true, answering each with `answer`; `ended` is
  // told of each with `end`.
  void remove_if(const std::function<bool(const Waiter&)>& leaves, const SeatResult& answer,
                 std::vector<PendingAnswer>& out, WaitEnd end = WaitEnd::stopped,
                 const Ended& ended = {});

  struct Line {
    std::deque<Waiter> waiters;
    std::int64_t units = 0;  // asked for by the waiters, together
  };

  const std::size_t capacity_;
  std::size_t size_ = 0;
  std::map<std::int64_t, Line> by_license_;
};

}  // namespace lmp::seat
