// Signing, scheduling and sending the outbox's deliveries.
#include "domain/webhook_delivery.hpp"

#include <algorithm>
#include <boost/json/object.hpp>

#include "core/hmac_sha256.hpp"
#include "core/log.hpp"
#include "domain/domain_json.hpp"

namespace lmp::domain {

std::string webhook_signature(const std::string& secret, const std::string& body) {
  HmacSha256 mac(secret);
  return "sha256=" + mac.hex({body});
}

std::int64_t retry_delay_ms(std::int64_t attempts) {
  std::int64_t delay = kFirstRetryDelayMs;
  for (std::int64_t i = 1; i < attempts && delay < kMaxRetryDelayMs; ++i) delay *= 2;
  return std::min(delay, kMaxRetryDelayMs);
}

int deliver_due(UnitOfWork& db, WebhookSender& sender, std::int64_t now_ms, int limit) {
  // A read first: polling an outbox with nothing due takes no write lock (on SQLite the seat
  // path's batches would wait for it).
  std::vector<DueDelivery> due;
  {
    Transaction read(db, TransactionMode::read);
    due = db.webhooks().due(now_ms, limit);
    read.commit();
  }
  if (due.empty()) return 0;
  std::vector<DueDelivery> claimed;
  {
    Transaction write(db, TransactionMode::write);
    for (auto& delivery : due)
      if (db.webhooks().claim(delivery.webhook_id, delivery.event.seq, delivery.next_attempt_ms,
                              now_ms + kClaimMs))
        claimed.push_back(std::move(delivery));
    write.commit();
  }
  for (const auto& delivery : claimed) {
    // The body is the event as GET /v1/events lists it: the same bytes on every attempt.
    const std::string body = to_text(event_json(delivery.event));
    const SendOutcome outcome =
        sender.post(delivery.url, body, delivery.event.id, delivery.event.type,
                    webhook_signature(delivery.secret, body));
    const std::int64_t attempts = delivery.attempts + 1;
    Transaction write(db, TransactionMode::write);
    if (outcome.ok()) {
      db.webhooks().record_delivered(delivery.webhook_id, delivery.event.seq, attempts,
                                     outcome.http_status.value_or(0), now_ms);
    } else {
      const std::int64_t next = now_ms + retry_delay_ms(attempts);
      const bool give_up = next - delivery.event.at_ms > kGiveUpAfterMs;
      db.webhooks().record_failed(delivery.webhook_id, delivery.event.seq, attempts,
                                  outcome.http_status, outcome.error,
                                  give_up ? std::nullopt : std::optional<std::int64_t>(next));
      log::warning("webhook_delivery_failed", {{"webhook", std::to_string(delivery.webhook_id)},
                                               {"event", delivery.event.id},
                                               {"attempts", std::to_string(attempts)},
                                               {"error", outcome.error},
                                               {"gave_up", give_up ? "true" : "false"}});
    }
    write.commit();
  }
  return static_cast<int>(claimed.size());
}

}  // namespace lmp::domain
