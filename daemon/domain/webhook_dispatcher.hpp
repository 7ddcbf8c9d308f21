// The webhook deliveries' own thread: it polls the outbox and posts what is due, with a database
// session of its own, so neither the seat path's threads nor the admin worker ever wait for a
// receiver.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "domain/unit_of_work.hpp"
#include "domain/webhook_delivery.hpp"

namespace lmp::domain {

// Thread safety: start() and stop() from one thread; the rest runs on the dispatcher's thread.
class WebhookDispatcher {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{200};
  static constexpr int kBatch = 32;

  WebhookDispatcher(std::unique_ptr<UnitOfWork> db, std::unique_ptr<WebhookSender> sender,
                    const Clock& clock);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void start();
  // Ends the thread after the attempt in progress (at most one send's timeout). Idempotent.
  void stop();

 private:
  void run();

  std::unique_ptr<UnitOfWork> db_;
  std::unique_ptr<WebhookSender> sender_;
  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lmp::domain
