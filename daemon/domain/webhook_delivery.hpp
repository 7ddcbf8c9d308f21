// Delivering the outbox to webhooks (docs/events.md): the signature a receiver checks, the
// retry schedule, and one round of delivery through a sender (a port: the HTTP client,
// http/webhook_client.hpp). At least once: a delivery is marked delivered only after the
// receiver answered 2xx, so a crash between the two sends it again, with the same event id.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/unit_of_work.hpp"

namespace lmp::domain {

inline constexpr std::string_view kSignatureHeader = "X-Lmpd-Signature";
inline constexpr std::string_view kEventIdHeader = "X-Lmpd-Event-Id";
inline constexpr std::string_view kEventTypeHeader = "X-Lmpd-Event-Type";

// The first retry after this long, each next one twice as late, at most kMaxRetryDelayMs apart;
// given up (status `failed`) once the event is kGiveUpAfterMs old, so a receiver down for a day
// (or a week) loses nothing.
inline constexpr std::int64_t kFirstRetryDelayMs = 5'000;
inline constexpr std::int64_t kMaxRetryDelayMs = 3'600'000;
inline constexpr std::int64_t kGiveUpAfterMs = 7 * 86'400'000LL;
// How long a claimed delivery waits before another sender (or this one after a restart) may try
// it again: longer than one attempt can take.
inline constexpr std::int64_t kClaimMs = 60'000;
inline constexpr std::chrono::milliseconds kSendTimeout{10'000};

// "sha256=" and the hex HMAC-SHA256 of `body` under `secret`.
std::string webhook_signature(const std::string& secret, const std::string& body);

// The delay before attempt `attempts` + 1, after `attempts` (>= 1) failed ones.
std::int64_t retry_delay_ms(std::int64_t attempts);

struct SendOutcome {
  std::optional<std::int64_t> http_status;  // none when no answer came
  std::string error;                        // "" when the receiver answered 2xx
  bool ok() const { return error.empty(); }
};

// Posts one event (the port the HTTP client implements). Thread safety: one thread at a time.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // POSTs `body` (JSON) to `url` with the headers named above; never throws.
  virtual SendOutcome post(const std::string& url, const std::string& body,
                           const std::string& event_id, const std::string& event_type,
                           const std::string& signature) = 0;
};

// One round: claims up to `limit` due deliveries (each in a short transaction), sends each
// outside any transaction, and records each outcome. Returns how many it attempted. Throws
// StoreError when the database fails (what was claimed is retried after kClaimMs).
int deliver_due(UnitOfWork& db, WebhookSender& sender, std::int64_t now_ms, int limit);

}  // namespace lmp::domain
