// The wait queue: parking, serving in order, deadlines.
#include "seat/wait_queue.hpp"

namespace lmp::seat {
namespace {

bool gone(const WaitQueue::Waiter& waiter) {
  return waiter.token && waiter.token->cancelled();
}

}  // namespace

SeatResult WaitQueue::withdrawn() {
  return SeatResult::failure(SeatError::no_seats,
                             "the wait ended: the client closed the connection");
}

std::int64_t WaitQueue::waiting_since_ms(const Waiter& waiter) {
  return waiter.deadline_ms - waiter.command.wait_seconds * 1000;
}

void WaitQueue::park(std::int64_t license_id, Waiter waiter) {
  Line& line = by_license_[license_id];
  if (!waiter.held_back) line.units += waiter.command.units;
  line.waiters.push_back(std::move(waiter));
  ++size_;
}

void WaitQueue::hold_back(Line& line, Waiter& waiter, std::optional<SeatResult> refusal) {
  if (waiter.held_back.has_value() != refusal.has_value())
    line.units += refusal ? -waiter.command.units : waiter.command.units;
  waiter.held_back = std::move(refusal);
}

void WaitQueue::serve(std::int64_t license_id, const Decide& decide,
                      std::vector<PendingAnswer>& out, const Ended& ended) {
  auto it = by_license_.find(license_id);
  if (it == by_license_.end()) return;
  Line& line = it->second;
  for (auto w = line.waiters.begin(); w != line.waiters.end();) {
    Offer offer;
    const bool left = gone(*w);
    if (left) {
      offer = {Offer::Kind::answer, withdrawn()};
    } else {
      offer = decide(w->command);
    }
    if (offer.kind == Offer::Kind::wait) {
      hold_back(line, *w, std::nullopt);
      break;
    }
    if (offer.kind == Offer::Kind::pass) {
      hold_back(line, *w, std::move(offer.result));
      ++w;
      continue;
    }
    if (ended)
      ended(license_id, *w,
            left                ? WaitEnd::left
            : offer.result.ok() ? WaitEnd::granted
                                : WaitEnd::denied,
            offer.result);
    if (!w->held_back) line.units -= w->command.units;
    out.push_back({std::move(offer.result), std::move(w->done), std::move(w->info)});
    w = line.waiters.erase(w);
    --size_;
  }
  if (line.waiters.empty()) by_license_.erase(it);
}

bool WaitQueue::any_due(std::int64_t now_ms) const {
  for (const auto& [license, line] : by_license_)
    for (const auto& waiter : line.waiters)
      if (waiter.deadline_ms <= now_ms) return true;
  return false;
}

void WaitQueue::expire(std::int64_t now_ms, std::vector<PendingAnswer>& out, const Ended& ended) {
  if (size_ == 0) return;
  remove_if([now_ms](const Waiter& w) { return w.deadline_ms <= now_ms; },
            SeatResult::failure(SeatError::no_seats, "no unit was freed within the wait time"), out,
            WaitEnd::timed_out, ended, true);
}

void WaitQueue::shift_deadlines(std::int64_t step_ms) {
  for (auto& [license, line] : by_license_)
    for (auto& waiter : line.waiters) waiter.deadline_ms += step_ms;
}

void WaitQueue::cancel_batch(std::uint64_t batch, const SeatResult& answer,
                             std::vector<PendingAnswer>& out) {
  if (size_ == 0) return;
  remove_if([batch](const Waiter& w) { return w.batch == batch; }, answer, out);
}

void WaitQueue::withdraw_cancelled(std::vector<PendingAnswer>& out, const Ended& ended) {
  if (size_ == 0) return;
  remove_if(gone, withdrawn(), out, WaitEnd::left, ended);
}

void WaitQueue::release_all(const SeatResult& answer, std::vector<PendingAnswer>& out,
                            const Ended& ended) {
  remove_if([](const Waiter&) { return true; }, answer, out, WaitEnd::stopped, ended);
}

std::vector<std::int64_t> WaitQueue::licenses() const {
  std::vector<std::int64_t> out;
  out.reserve(by_license_.size());
  for (const auto& [license, line] : by_license_) out.push_back(license);
  return out;
}

std::map<std::int64_t, std::int64_t> WaitQueue::waiting_by_license() const {
  std::map<std::int64_t, std::int64_t> out;
  for (const auto& [license, line] : by_license_)
    out.emplace(license, static_cast<std::int64_t>(line.waiters.size()));
  return out;
}

std::int64_t WaitQueue::queued_units(std::int64_t license_id) const {
  auto it = by_license_.find(license_id);
  return it == by_license_.end() ? 0 : it->second.units;
}

void WaitQueue::remove_if(const std::function<bool(const Waiter&)>& leaves,
                          const SeatResult& answer, std::vector<PendingAnswer>& out, WaitEnd end,
                          const Ended& ended, bool held_answer) {
  for (auto it = by_license_.begin(); it != by_license_.end();) {
    Line& line = it->second;
    for (auto w = line.waiters.begin(); w != line.waiters.end();) {
      if (leaves(*w)) {
        const bool own = held_answer && w->held_back.has_value();
        if (ended) ended(it->first, *w, end, own ? *w->held_back : answer);
        if (!w->held_back) line.units -= w->command.units;
        out.push_back(
            {own ? std::move(*w->held_back) : answer, std::move(w->done), std::move(w->info)});
        w = line.waiters.erase(w);
        --size_;
      } else {
        ++w;
      }
    }
    it = line.waiters.empty() ? by_license_.erase(it) : std::next(it);
  }
}

}  // namespace lmp::seat
