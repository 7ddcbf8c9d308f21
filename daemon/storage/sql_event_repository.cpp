// The event outbox in SQL: events, their dedupe keys, and the event sweep's mark (a row of
// counters).
#include <cstdint>
#include <string>

#include "storage/sql_repositories.hpp"
#include "storage/sql_rows.hpp"

namespace lmp::storage {
namespace {

using domain::Event;

struct EventColumns {
  using Row = Event;
  static constexpr std::string_view kRead = "read events";
  static constexpr std::string_view kSelect =
      "SELECT seq, id, type, at_ms, scope, payload FROM events";

  void bind(soci::statement& st, Event& e) {
    bind_columns(st, e.seq, e.id, e.type, e.at_ms, e.scope, e.payload_json);
  }
  Event finish(Event e) const { return e; }
};

class SqlEventRepository final : public domain::EventRepository {
 public:
  explicit SqlEventRepository(soci::session& sql) : sql_(sql) {}

  bool append(const domain::NewEvent& e, const std::string& id) override {
    return guarded("append event", [&] {
      // NOT EXISTS first, so a known key costs no sequence value; the UNIQUE constraint (and
      // ON CONFLICT) still decide between two transactions racing with one key.
      if (affected(sql_,
                   "INSERT INTO events (id, type, at_ms, scope, payload, dedupe_key)"
                   " SELECT :id, :type, :at, :scope, :payload, :key1 WHERE NOT EXISTS"
                   " (SELECT 1 FROM events WHERE dedupe_key = :key2) ON CONFLICT DO NOTHING",
                   id, e.type, e.at_ms, e.scope, e.payload_json, e.dedupe_key, e.dedupe_key) != 1)
        return false;
      // One delivery per webhook whose subtree holds the event, in the same transaction.
      sql_ << "INSERT INTO webhook_deliveries (webhook_id, event_seq, status, attempts,"
              " next_attempt_ms) SELECT w.id, e.seq, 'pending', 0, :at FROM webhooks w, events e"
              " WHERE e.id = :id AND substr(e.scope, 1, length(w.scope)) = w.scope",
          soci::use(e.at_ms), soci::use(id);
      return true;
    });
  }

  std::vector<Event> query(const domain::EventFilter& filter, domain::Page page) override {
    const std::string pattern = prefix_pattern(filter.scope_prefix);
    const int any_type = filter.type.empty() ? 1 : 0;
    return select_rows<EventColumns>(
        sql_,
        " WHERE scope LIKE :pattern AND (:any_type = 1 OR type = :type) AND seq > :after"
        " ORDER BY seq LIMIT :limit",
        pattern, any_type, filter.type, page.after, page.limit);
  }

  std::int64_t lock_sweep_mark() override {
    return guarded("lock the event sweep's mark", [&] {
      // An UPDATE takes the row lock on every backend (SQLite holds the write lock already).
      sql_ << "UPDATE counters SET value = value WHERE name = 'event_sweep_mark'";
      std::int64_t mark = 0;
      sql_ << "SELECT value FROM counters WHERE name = 'event_sweep_mark'", soci::into(mark);
      return mark;
    });
  }

  void set_sweep_mark(std::int64_t mark_ms) override {
    guarded("move the event sweep's mark", [&] {
      sql_
          << "UPDATE counters SET value = :mark WHERE name = 'event_sweep_mark' AND value < :mark2",
          soci::use(mark_ms), soci::use(mark_ms);
    });
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<domain::EventRepository> sql_event_repository(soci::session& sql) {
  return std::make_unique<SqlEventRepository>(sql);
}

}  // namespace lmp::storage
