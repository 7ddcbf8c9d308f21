// The loop of the webhook deliveries' thread.
#include "domain/webhook_dispatcher.hpp"

#include "core/log.hpp"
#include "domain/store_error.hpp"

namespace lmp::domain {

WebhookDispatcher::WebhookDispatcher(std::unique_ptr<UnitOfWork> db,
                                     std::unique_ptr<WebhookSender> sender, const Clock& clock)
    : db_(std::move(db)), sender_(std::move(sender)), clock_(clock) {}

WebhookDispatcher::~WebhookDispatcher() {
  stop();
}

void WebhookDispatcher::start() {
  thread_ = std::thread([this] { run(); });
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::run() {
  for (;;) {
    int attempted = 0;
    try {
      attempted = deliver_due(*db_, *sender_, clock_.now_unix_ms(), kBatch);
    } catch (const StoreError& ex) {
      // Nothing is lost: what this round claimed is due again after its claim runs out.
      log::error("webhook_delivery_round_failed", {{"error", ex.what()}});
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // A full round means more may be due: go on at once; else poll again shortly.
    if (attempted < kBatch) wake_.wait_for(lock, kPollInterval, [this] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace lmp::domain
