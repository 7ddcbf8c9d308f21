// A webhook (docs/events.md): a receiver's URL that the events of one subtree are POSTed to,
// signed with a secret shown once; and the state of one event's delivery to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/enum_names.hpp"
#include "domain/event.hpp"

namespace lmp::domain {

struct Webhook {
  std::int64_t id = 0;
  std::string scope;  // the subtree whose events it receives: its creator's place
  std::string url;
  std::int64_t created_at_ms = 0;
  // Its deliveries, counted by status.
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

// `failed`: given up after kGiveUpAfterMs of retries (domain/webhook_delivery.hpp).
enum class DeliveryStatus { pending, delivered, failed };

template <>
struct EnumNames<DeliveryStatus> {
  static constexpr EnumName<DeliveryStatus> kNames[] = {{DeliveryStatus::pending, "pending"},
                                                        {DeliveryStatus::delivered, "delivered"},
                                                        {DeliveryStatus::failed, "failed"}};
};

struct WebhookDelivery {
  std::int64_t webhook_id = 0;
  Event event;
  DeliveryStatus status = DeliveryStatus::pending;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_ms = 0;              // while pending
  std::optional<std::int64_t> last_http_status;  // the receiver's last answer, if it answered
  std::string last_error;                        // why the last attempt failed; "" after success
  std::optional<std::int64_t> delivered_at_ms;
};

// A pending delivery that is due, with what sending it takes (the secret unsealed).
struct DueDelivery {
  std::int64_t webhook_id = 0;
  std::string url;
  std::string secret;
  Event event;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_ms = 0;
};

}  // namespace lmp::domain
