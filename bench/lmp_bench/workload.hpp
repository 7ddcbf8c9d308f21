// What every target shares: a slot walking the operation cycle with the leases it holds, and the
// counters one event-loop thread keeps (kept per thread so that the hot path takes no lock).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "histogram.hpp"
#include "options.hpp"
#include "replies.hpp"

namespace lmp::bench {

// Error answers by code. A handful of codes occur in a run, so a flat list beats a map and
// allocates only when a code is first seen.
class ErrorCounts {
 public:
  void add(std::string_view code, std::uint64_t n = 1);
  void merge(const ErrorCounts& other);
  std::uint64_t total() const;
  std::uint64_t count(std::string_view code) const;
  std::map<std::string, std::uint64_t> by_code() const;

 private:
  std::vector<std::pair<std::string, std::uint64_t>> counts_;
};

struct Stats {
  LatencyHistogram latency;  // measured answers only, in ns
  std::uint64_t ops = 0;     // measured answers, errors included
  std::uint64_t ok_ops = 0;
  ErrorCounts errors;
  std::uint64_t transport_errors = 0;  // connections lost or protocol broken, whole run
  std::uint64_t cleanup_checkins = 0;  // leases checked in after the run

  // Books one answer; only answers inside the measured window count.
  void answer(const Outcome& outcome, std::uint64_t latency_ns, bool measured) {
    if (!measured) return;
    ++ops;
    latency.record(latency_ns);
    if (outcome.ok) {
      ++ok_ops;
    } else {
      errors.add(outcome.error);
    }
  }
  void merge(const Stats& other);
};

// One request stream of a connection: it has at most one request in flight and walks the mix.
// Heartbeat and checkin need a lease, so a slot holding none checks one out first (without
// moving on in the cycle): a refused checkout is retried and the ops that needed it wait.
class Slot {
 public:
  Op next(const std::vector<Op>& mix) {
    Op op = mix[position_];
    if (op != Op::checkout && held_ == 0) return Op::checkout;
    position_ = (position_ + 1) % mix.size();
    return op;
  }

  // Records the answer to `op`. A granted checkout holds `outcome.lease`; a checkin gives up
  // the newest lease whatever the answer (a refused one is not ours any more either), and so
  // does a heartbeat the server answers lease_unknown.
  void complete(Op op, const Outcome& outcome) {
    switch (op) {
      case Op::checkout:
        if (outcome.ok) hold(outcome.lease);
        break;
      case Op::heartbeat:
        if (!outcome.ok && outcome.error == "lease_unknown" && held_ > 0) --held_;
        break;
      case Op::checkin:
        if (held_ > 0) --held_;
        break;
    }
  }

  // The lease heartbeats and checkins act on: the newest one held (NUL-terminated for libpq).
  const std::string& lease() const { return held_ ? leases_[held_ - 1] : empty_; }
  std::span<const std::string> leases() const { return {leases_.data(), held_}; }

  // For targets where the client names the lease (redis keys, postgres rows): the name of the
  // checkout in flight, built in place to keep its buffer.
  std::string& pending_lease() { return pending_; }
  const std::string& pending_lease() const { return pending_; }
  std::uint64_t next_sequence() { return ++sequence_; }

  // Names the slot within its run (connection and index), for client-named leases.
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& name() const { return name_; }

 private:
  // Reuses the strings of leases given up before, so steady state allocates nothing.
  void hold(std::string_view lease) {
    if (held_ < leases_.size()) {
      leases_[held_].assign(lease);
    } else {
      leases_.emplace_back(lease);
    }
    ++held_;
  }

  std::size_t position_ = 0;
  std::vector<std::string> leases_;
  std::size_t held_ = 0;
  std::string pending_;
  std::uint64_t sequence_ = 0;
  std::string name_;
  static inline const std::string empty_;
};

}  // namespace lmp::bench
