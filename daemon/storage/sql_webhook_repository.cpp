// The webhooks and their deliveries in SQL; secrets sealed with the server secret
// (storage/stored_secrets.hpp).
#include <cstdint>
#include <stdexcept>
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"
#include "storage/stored_secrets.hpp"

namespace lmp::storage {
namespace {

using domain::DeliveryStatus;
using domain::Webhook;
using domain::WebhookDelivery;

struct WebhookColumns {
  using Row = Webhook;
  static constexpr std::string_view kRead = "read webhooks";
  static constexpr std::string_view kSelect =
      "SELECT w.id, w.scope, w.url, w.created_at_ms,"
      " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status ="
      " 'pending'),"
      " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status ="
      " 'delivered'),"
      " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status ="
      " 'failed') FROM webhooks w";

  void bind(soci::statement& st, Webhook& w) {
    bind_columns(st, w.id, w.scope, w.url, w.created_at_ms, w.pending, w.delivered, w.failed);
  }
  Webhook finish(Webhook w) const { return w; }
};

struct DeliveryColumns {
  using Row = WebhookDelivery;
  static constexpr std::string_view kRead = "read webhook deliveries";
  static constexpr std::string_view kSelect =
      "SELECT d.webhook_id, d.status, d.attempts, d.next_attempt_ms, d.last_http_status,"
      " d.last_error, d.delivered_at_ms, e.seq, e.id, e.type, e.at_ms, e.scope, e.payload"
      " FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq";

  void bind(soci::statement& st, WebhookDelivery& d) {
    bind_columns(st, d.webhook_id, status, d.attempts, d.next_attempt_ms, http_status, d.last_error,
                 delivered_at, d.event.seq, d.event.id, d.event.type, d.event.at_ms, d.event.scope,
                 d.event.payload_json);
  }
  WebhookDelivery finish(WebhookDelivery d) const {
    d.status = enum_column<DeliveryStatus>(status, "delivery status");
    d.last_http_status = http_status.get();
    d.delivered_at_ms = delivered_at.get();
    return d;
  }

  std::string status;
  NullableId http_status;
  NullableId delivered_at;
};

struct DueColumns {
  using Row = domain::DueDelivery;
  static constexpr std::string_view kRead = "read due webhook deliveries";
  static constexpr std::string_view kSelect =
      "SELECT d.webhook_id, w.url, w.sealed_secret, d.attempts, d.next_attempt_ms, e.seq,"
      " e.id, e.type, e.at_ms, e.scope, e.payload FROM webhook_deliveries d JOIN webhooks w ON "
      "w.id = d.webhook_id"
      " JOIN events e ON e.seq = d.event_seq";

  void bind(soci::statement& st, domain::DueDelivery& d) {
    bind_columns(st, d.webhook_id, d.url, d.secret, d.attempts, d.next_attempt_ms, d.event.seq,
                 d.event.id, d.event.type, d.event.at_ms, d.event.scope, d.event.payload_json);
  }
  domain::DueDelivery finish(domain::DueDelivery d) const { return d; }
};

class SqlWebhookRepository final : public domain::WebhookRepository {
 public:
  SqlWebhookRepository(soci::session& sql, StoredSecrets& secrets) : sql_(sql), secrets_(secrets) {}

  std::int64_t create(const std::string& scope, const std::string& url, const std::string& secret,
                      std::int64_t now_ms) override {
    return guarded("create webhook", [&] {
      // The seal names the row, so it is written once the id is known.
      std::int64_t id = 0;
      sql_ << "INSERT INTO webhooks (scope, url, sealed_secret, created_at_ms) VALUES (:scope,"
              " :url, '', :now) RETURNING id",
          soci::use(scope), soci::use(url), soci::use(now_ms), soci::into(id);
      const std::string sealed = secrets_.seal_webhook_secret(secret, id);
      sql_ << "UPDATE webhooks SET sealed_secret = :sealed WHERE id = :id", soci::use(sealed),
          soci::use(id);
      return id;
    });
  }

  std::optional<Webhook> find(std::int64_t id) override {
    return first(select_rows<WebhookColumns>(sql_, " WHERE w.id = :id", id));
  }

  std::vector<Webhook> list(const std::string& scope_prefix, domain::Page page) override {
    const std::string pattern = prefix_pattern(scope_prefix);
    return select_rows<WebhookColumns>(
        sql_, " WHERE w.scope LIKE :pattern AND w.id > :after ORDER BY w.id LIMIT :limit", pattern,
        page.after, page.limit);
  }

  void remove(std::int64_t id) override {
    guarded("delete webhook", [&] {
      sql_ << "DELETE FROM webhook_deliveries WHERE webhook_id = :id", soci::use(id);
      sql_ << "DELETE FROM webhooks WHERE id = :id", soci::use(id);
    });
  }

  std::vector<WebhookDelivery> deliveries(std::int64_t webhook_id, domain::Page page) override {
    return select_rows<DeliveryColumns>(
        sql_,
        " WHERE d.webhook_id = :id AND d.event_seq > :after ORDER BY d.event_seq LIMIT :limit",
        webhook_id, page.after, page.limit);
  }

  std::vector<domain::DueDelivery> due(std::int64_t now_ms, int limit) override {
    auto rows = select_rows<DueColumns>(
        sql_,
        " WHERE d.status = 'pending' AND d.next_attempt_ms <= :now ORDER BY d.event_seq,"
        " d.webhook_id LIMIT :limit",
        now_ms, limit);
    return guarded("unseal webhook secrets", [&] {
      for (auto& row : rows) {
        try {
          row.secret = secrets_.unseal_webhook_secret(row.secret, row.webhook_id);
        } catch (const std::invalid_argument& ex) {
          throw domain::StoreError(ex.what());
        }
      }
      return rows;
    });
  }

  bool claim(std::int64_t webhook_id, std::int64_t event_seq, std::int64_t expected_next_ms,
             std::int64_t until_ms) override {
    return guarded("claim webhook delivery", [&] {
      // Compare and set: of several instances, the one whose UPDATE finds the old time takes it
      // (PostgreSQL re-reads the row after waiting for another's lock; SQLite has one writer).
      return affected(sql_,
                      "UPDATE webhook_deliveries SET next_attempt_ms = :until WHERE webhook_id ="
                      " :webhook AND event_seq = :seq AND status = 'pending' AND next_attempt_ms ="
                      " :expected",
                      until_ms, webhook_id, event_seq, expected_next_ms) == 1;
    });
  }

  void record_delivered(std::int64_t webhook_id, std::int64_t event_seq, std::int64_t attempts,
                        std::int64_t http_status, std::int64_t now_ms) override {
    guarded("record webhook delivery", [&] {
      sql_ << "UPDATE webhook_deliveries SET status = 'delivered', attempts = :attempts,"
              " last_http_status = :status, last_error = '', delivered_at_ms = :now"
              " WHERE webhook_id = :webhook AND event_seq = :seq",
          soci::use(attempts), soci::use(http_status), soci::use(now_ms), soci::use(webhook_id),
          soci::use(event_seq);
    });
  }

  void record_failed(std::int64_t webhook_id, std::int64_t event_seq, std::int64_t attempts,
                     std::optional<std::int64_t> http_status, const std::string& error,
                     std::optional<std::int64_t> next_attempt_ms) override {
    guarded("record webhook delivery failure", [&] {
      NullableId status(http_status);
      const std::string state = next_attempt_ms ? "pending" : "failed";
      const std::int64_t next = next_attempt_ms.value_or(0);
      sql_ << "UPDATE webhook_deliveries SET status = :state, attempts = :attempts,"
              " last_http_status = :status, last_error = :error,"
              " next_attempt_ms = CASE WHEN :has_next = 1 THEN :next ELSE next_attempt_ms END"
              " WHERE webhook_id = :webhook AND event_seq = :seq",
          soci::use(state), soci::use(attempts), soci::use(status.value, status.ind),
          soci::use(error), soci::use(next_attempt_ms ? 1 : 0), soci::use(next),
          soci::use(webhook_id), soci::use(event_seq);
    });
  }

 private:
  soci::session& sql_;
  StoredSecrets& secrets_;
};

}  // namespace

std::unique_ptr<domain::WebhookRepository> sql_webhook_repository(soci::session& sql,
                                                                  StoredSecrets& secrets) {
  return std::make_unique<SqlWebhookRepository>(sql, secrets);
}

}  // namespace lmp::storage
