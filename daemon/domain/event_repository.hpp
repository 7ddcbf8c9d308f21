// The event outbox (a port: storage implements it). Every method REQUIRES the unit of work's open
// transaction and throws StoreError when the database fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.hpp"
#include "domain/page.hpp"

namespace lmp::domain {

struct EventFilter {
  std::string scope_prefix;  // events of this subtree only
  std::string type;          // "" for any
};

class EventRepository {
 public:
  virtual ~EventRepository() = default;

  // Stores `event` with id `id` unless an event with its dedupe key exists; true when stored.
  virtual bool append(const NewEvent& event, const std::string& id) = 0;
  virtual std::vector<Event> query(const EventFilter& filter, Page page) = 0;
  // The time up to which the event sweep has looked (0: never), with the row locked for this
  // transaction, so sweeps of several instances run one after the other.
  virtual std::int64_t lock_sweep_mark() = 0;
  virtual void set_sweep_mark(std::int64_t mark_ms) = 0;
};

}  // namespace lmp::domain
