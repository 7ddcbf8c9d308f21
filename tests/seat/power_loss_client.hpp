// A client of the power-loss test: seat requests from one thread straight into a SeatService, and
// a record of every answer, so that the test knows what was acknowledged when the power went.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "seat/seat_service.hpp"

namespace lmp::test {

// One lease as its client knows it from the answers it got.
struct KnownLease {
  std::int64_t license_id = 0;
  std::int64_t units = 0;
  std::int64_t expires_s = 0;   // the last expiry acknowledged
  std::string acknowledged_by;  // the request that acknowledged that expiry
  enum class Checkin { none, unanswered, acknowledged } checkin = Checkin::none;
};

// What the clients were told.
struct Outcome {
  std::map<std::string, KnownLease> leases;
  int unanswered_checkouts = 0;         // answered `unavailable`: may or may not have made a lease
  int acknowledged = 0;                 // OK answers
  std::vector<std::string> unexpected;  // answers no power loss explains

  void merge(Outcome other);
};

struct LicenseUnderTest {
  std::int64_t id = 0;
  std::int64_t units = 0;
  std::string code;
};

// Rounds of 1 to 3 requests submitted together (so that the service batches and group-commits
// them with the other clients'), with at most one request per lease or holder in a round, so that
// each answer says exactly what happened: new anonymous leases on the first two licenses, the
// checkouts of three holders of its own (new leases, or their lease reused), heartbeats and
// checkins. The clock moves a second after each round, so that each heartbeat moves the expiry.
// It stops at its first `unavailable`. Thread safety: one thread per client.
class PowerLossClient {
 public:
  // `licenses` (at least three) must outlive the client.
  PowerLossClient(int index, seat::SeatService& service, ManualClock& clock,
                  const std::vector<LicenseUnderTest>& licenses, std::uint64_t seed)
      : index_(index), service_(service), clock_(clock), licenses_(licenses), random_(seed) {}

  void run(int rounds);
  Outcome take_outcome() { return std::move(outcome_); }

 private:
  struct Request;
  void run_round();
  void note(const Request& request, const seat::SeatResult& result);
  std::vector<std::string> held_leases() const;

  const int index_;
  seat::SeatService& service_;
  ManualClock& clock_;
  const std::vector<LicenseUnderTest>& licenses_;
  std::mt19937_64 random_;
  Outcome outcome_;
  std::map<int, std::string> holder_leases_;  // a holder's acknowledged lease
  bool stopped_ = false;
};

}  // namespace lmp::test
