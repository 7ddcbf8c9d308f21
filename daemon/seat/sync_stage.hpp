// The durability hand-off of group commit: the answers of committed batches wait here for the
// sync thread's next flush, while the storage thread already decides the next batch. One flush
// covers every batch committed before it started. A failed flush turns the answers it was to
// cover, and every answer after it, into `unavailable` (docs/reliability.md, "A failing flush").
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "seat/pending_answer.hpp"

namespace lmp::storage {
class DurabilitySync;
}

namespace lmp::seat {

// The answer to every request once a flush has failed.
SeatResult durability_lost();

// Thread safety: hand_over() from the storage thread; start() and stop() from the thread that
// owns the service. `deliver` and `lost` run on the sync thread.
class SyncStage {
 public:
  using Deliver = std::function<void(std::vector<PendingAnswer>)>;

  // `lost` is called once, when a flush first fails. `metrics` may be null (nothing measured);
  // it must outlive the stage.
  SyncStage(std::shared_ptr<storage::DurabilitySync> durability, Deliver deliver,
            std::function<void()> lost, SeatMetrics* metrics);
  ~SyncStage();
  SyncStage(const SyncStage&) = delete;
  SyncStage& operator=(const SyncStage&) = delete;

  void start();
  // Takes the answers of a batch whose commit has returned; they are delivered after the next
  // flush that starts from now on. Leaves `answers` empty.
  void hand_over(std::vector<PendingAnswer>& answers);
  // Flushes and delivers what was handed over, then joins the thread. Call after the last
  // hand_over(). Idempotent.
  void stop();

 private:
  void run();

  const std::shared_ptr<storage::DurabilitySync> durability_;
  const Deliver deliver_;
  const std::function<void()> lost_;
  SeatMetrics* const metrics_;
  bool failed_ = false;  // a flush failed; owned by the sync thread
  std::mutex mutex_;     // guards waiting_ and stopping_
  std::condition_variable cv_;
  std::vector<PendingAnswer> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lmp::seat
