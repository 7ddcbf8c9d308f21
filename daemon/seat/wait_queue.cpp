// The wait queue: parking, serving in order, deadlines.
#include "seat/wait_queue.hpp"

namespace lmp::seat {

void WaitQueue::park(std::int64_t license_id, Waiter waiter) {
  by_license_[license_id].push_back(std::move(waiter));
  ++size_;
}

void WaitQueue::serve(std::int64_t license_id, const Decide& decide,
                      std::vector<PendingAnswer>& out) {
  auto it = by_license_.find(license_id);
  if (it == by_license_.end()) return;
  auto& queue = it->second;
  while (!queue.empty()) {
    Waiter& head = queue.front();
    std::optional<SeatResult> answer = decide(head.command);
    if (!answer) break;
    out.push_back({std::move(*answer), std::move(head.done), std::move(head.info)});
    queue.pop_front();
    --size_;
  }
  if (queue.empty()) by_license_.erase(it);
}

bool WaitQueue::any_due(std::int64_t now_ms) const {
  for (const auto& [license, queue] : by_license_)
    for (const auto& waiter : queue)
      if (waiter.deadline_ms <= now_ms) return true;
  return false;
}

void WaitQueue::expire(std::int64_t now_ms, std::vector<PendingAnswer>& out) {
  if (size_ == 0) return;
  remove_if([now_ms](const Waiter& w) { return w.deadline_ms <= now_ms; },
            SeatResult::failure(SeatError::no_seats, "no unit was freed within the wait time"),
            out);
}

void WaitQueue::shift_deadlines(std::int64_t step_ms) {
  for (auto& [license, queue] : by_license_)
    for (auto& waiter : queue) waiter.deadline_ms += step_ms;
}

void WaitQueue::cancel_batch(std::uint64_t batch, const SeatResult& answer,
                             std::vector<PendingAnswer>& out) {
  if (size_ == 0) return;
  remove_if([batch](const Waiter& w) { return w.batch == batch; }, answer, out);
}

void WaitQueue::release_all(const SeatResult& answer, std::vector<PendingAnswer>& out) {
  remove_if([](const Waiter&) { return true; }, answer, out);
}

std::vector<std::int64_t> WaitQueue::licenses() const {
  std::vector<std::int64_t> out;
  out.reserve(by_license_.size());
  for (const auto& [license, queue] : by_license_) out.push_back(license);
  return out;
}

void WaitQueue::remove_if(const std::function<bool(const Waiter&)>& leaves,
                          const SeatResult& answer, std::vector<PendingAnswer>& out) {
  for (auto it = by_license_.begin(); it != by_license_.end();) {
    auto& queue = it->second;
    for (auto w = queue.begin(); w != queue.end();) {
      if (leaves(*w)) {
        out.push_back({answer, std::move(w->done), std::move(w->info)});
        w = queue.erase(w);
        --size_;
      } else {
        ++w;
      }
    }
    it = queue.empty() ? by_license_.erase(it) : std::next(it);
  }
}

}  // namespace lmp::seat
