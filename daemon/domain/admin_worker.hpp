// The admin API's own thread: database work of admin requests runs here, one job at a time, so
// the network thread never waits on SQLite and the seat path's storage thread is not involved.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace lmp::domain {

// Thread safety: submit() and stop() from any thread. Jobs run in submission order on the
// worker's thread; a job hands its answer back to the network thread itself.
class AdminWorker {
 public:
  AdminWorker();
  ~AdminWorker();
  AdminWorker(const AdminWorker&) = delete;
  AdminWorker& operator=(const AdminWorker&) = delete;

  void submit(std::function<void()> job);
  // Runs every job already submitted, then joins the thread; jobs submitted later run on the
  // caller's thread at once, so every request is still answered. Idempotent.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lmp::domain
