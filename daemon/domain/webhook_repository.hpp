// The webhooks and their deliveries (a port: storage implements it). A delivery row is made for
// every live webhook above an event's scope in the transaction that stores the event
// (EventRepository::append), so the outbox is durable from the moment the event is. Every method
// REQUIRES the unit of work's open transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/webhook.hpp"

namespace lmp::domain {

class WebhookRepository {
 public:
  virtual ~WebhookRepository() = default;

  // Stores the webhook with its secret sealed; returns its id.
  virtual std::int64_t create(const std::string& scope, const std::string& url,
                              const std::string& secret, std::int64_t now_ms) = 0;
  // A webhook not deleted, with its deliveries counted.
  virtual std::optional<Webhook> find(std::int64_t id) = 0;
  // The webhooks not deleted whose scope lies in `scope_prefix`, in id order.
  virtual std::vector<Webhook> list(const std::string& scope_prefix, Page page) = 0;
  // Deletes the webhook and its deliveries (what was still pending is not sent).
  virtual void remove(std::int64_t id) = 0;
  // Its deliveries in event order (`page.after` an event's seq).
  virtual std::vector<WebhookDelivery> deliveries(std::int64_t webhook_id, Page page) = 0;

  // Up to `limit` pending deliveries whose next attempt is due at `now_ms`, oldest event first.
  virtual std::vector<DueDelivery> due(std::int64_t now_ms, int limit) = 0;
  // Moves a due delivery's next attempt to `until_ms` if it is still `expected_next_ms`: true
  // when this call took it (of several instances, one does; until_ms is when another may
  // retry it, should this one die while sending).
  virtual bool claim(std::int64_t webhook_id, std::int64_t event_seq, std::int64_t expected_next_ms,
                     std::int64_t until_ms) = 0;
  // The outcome of one attempt: delivered, or failed with the next attempt at `next_attempt_ms`
  // (nullopt: given up, status `failed`).
  virtual void record_delivered(std::int64_t webhook_id, std::int64_t event_seq,
                                std::int64_t attempts, std::int64_t http_status,
                                std::int64_t now_ms) = 0;
  virtual void record_failed(std::int64_t webhook_id, std::int64_t event_seq, std::int64_t attempts,
                             std::optional<std::int64_t> http_status, const std::string& error,
                             std::optional<std::int64_t> next_attempt_ms) = 0;
};

}  // namespace lmp::domain
