// The sync thread: flush, then deliver what the flush covered.
#include "seat/sync_stage.hpp"

#include <chrono>

#include "storage/seat_store.hpp"

namespace lmp::seat {

SeatResult durability_lost() {
  return SeatResult::failure(
      SeatError::unavailable,
      "storage failure: a flush to disk failed; retry, possibly on another server");
}

SyncStage::SyncStage(std::shared_ptr<storage::DurabilitySync> durability, Deliver deliver,
                     std::function<void()> lost, SeatMetrics* metrics)
    : durability_(std::move(durability)),
      deliver_(std::move(deliver)),
      lost_(std::move(lost)),
      metrics_(metrics) {}

SyncStage::~SyncStage() {
  stop();
}

void SyncStage::start() {
  thread_ = std::thread([this] { run(); });
}

void SyncStage::hand_over(std::vector<PendingAnswer>& answers) {
  std::lock_guard lock(mutex_);
  if (waiting_.empty()) {
    waiting_.swap(answers);
  } else {
    for (auto& answer : answers) waiting_.push_back(std::move(answer));
    answers.clear();
  }
  cv_.notify_one();
}

void SyncStage::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void SyncStage::run() {
  std::vector<PendingAnswer> ready;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return !waiting_.empty() || stopping_; });
      if (waiting_.empty()) return;  // stopping, and nothing left to make durable
      ready.swap(waiting_);
    }
    // Everything in `ready` committed before this flush starts, so the flush covers it; the
    // batches committed meanwhile wait for the next one.
    // After a failed flush none is tried again: a later one could succeed without having written
    // what the failed one lost (the kernel marks pages it failed to write clean), so nothing
    // committed from then on is known to be durable.
    if (!failed_) {
      const SteadyTime started = metrics_ ? std::chrono::steady_clock::now() : SteadyTime{};
      failed_ = !durability_->sync();
      if (metrics_)
        metrics_->flushed(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (failed_) lost_();
    }
    if (failed_)
      for (auto& answer : ready) answer.result = durability_lost();
    deliver_(std::move(ready));
    ready.clear();
  }
}

}  // namespace lmp::seat
