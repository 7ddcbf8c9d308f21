// The power-loss test's client: its rounds, and what each answer tells about a lease.
#include "power_loss_client.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

namespace lmp::test {
namespace {

using seat::Operation;
using seat::SeatCommand;
using seat::SeatResult;

constexpr int kHolders = 3;

std::string field(const SeatResult& result, const std::string& key) {
  for (const auto& [name, value] : result.fields)
    if (name == key) return value;
  return {};
}

std::string describe(const SeatCommand& command) {
  switch (command.op) {
    case Operation::checkout:
      return "CHECKOUT units=" + std::to_string(command.units) +
             (command.user.empty() ? "" : " user=" + command.user);
    case Operation::heartbeat:
      return "HEARTBEAT lease=" + command.lease;
    case Operation::checkin:
      return "CHECKIN lease=" + command.lease;
    default:
      return "?";
  }
}

struct Answers {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::optional<SeatResult>> results;
  std::size_t received = 0;
};

}  // namespace

void Outcome::merge(Outcome other) {
  leases.merge(other.leases);
  unanswered_checkouts += other.unanswered_checkouts;
  acknowledged += other.acknowledged;
  for (auto& line : other.unexpected) unexpected.push_back(std::move(line));
}

struct PowerLossClient::Request {
  SeatCommand command;
  std::string lease;  // the lease it acts on (heartbeat, checkin, a holder's reuse)
  int holder = -1;    // the holder of a holder checkout
  std::int64_t license_id = 0;
};

void PowerLossClient::run(int rounds) {
  for (int round = 0; round < rounds && !stopped_; ++round) {
    run_round();
    clock_.advance_ms(1000);
  }
}

std::vector<std::string> PowerLossClient::held_leases() const {
  std::vector<std::string> held;
  for (const auto& [id, lease] : outcome_.leases)
    if (lease.checkin == KnownLease::Checkin::none) held.push_back(id);
  return held;
}

void PowerLossClient::run_round() {
  std::vector<Request> requests;
  std::set<std::string> busy_leases;
  std::set<int> busy_holders;
  const auto held = held_leases();
  const int count = 1 + static_cast<int>(random_() % 3);
  for (int i = 0; i < count; ++i) {
    const auto kind = random_() % 100;
    // A client holding four leases or more takes no new anonymous one.
    const bool many = held.size() >= 4;
    Request request;
    if (!many && kind < 30) {  // a new anonymous lease on one of the small licenses
      const auto& license = licenses_[random_() % 2];
      request.command.op = Operation::checkout;
      request.command.code = license.code;
      request.command.units = 1 + static_cast<std::int64_t>(random_() % 2);
      request.license_id = license.id;
    } else if (kind < (many ? 20 : 55)) {  // a holder's checkout: new, or its lease reused
      const int holder = static_cast<int>(random_() % kHolders);
      if (busy_holders.count(holder) > 0) continue;
      const auto& license = licenses_[static_cast<std::size_t>(holder) % licenses_.size()];
      request.holder = holder;
      request.license_id = license.id;
      request.command.op = Operation::checkout;
      request.command.code = license.code;
      request.command.host = "ws" + std::to_string(index_);
      request.command.user = "user" + std::to_string(holder);
      if (auto it = holder_leases_.find(holder); it != holder_leases_.end()) {
        if (busy_leases.count(it->second) > 0) continue;
        request.lease = it->second;
        busy_leases.insert(it->second);
      }
      busy_holders.insert(holder);
    } else {  // a heartbeat or a checkin of a lease held
      if (held.empty()) continue;
      const std::string& lease = held[random_() % held.size()];
      if (busy_leases.count(lease) > 0) continue;
      const bool checkin = kind >= (many ? 60 : 80);
      request.command.op = checkin ? Operation::checkin : Operation::heartbeat;
      request.command.lease = lease;
      request.lease = lease;
      busy_leases.insert(lease);
    }
    requests.push_back(std::move(request));
  }
  if (requests.empty()) return;

  auto answers = std::make_shared<Answers>();
  answers->results.resize(requests.size());
  std::vector<seat::SeatService::Submission> submissions;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    submissions.push_back({requests[i].command,
                           [answers, i](SeatResult result) {
                             std::lock_guard lock(answers->mutex);
                             answers->results[i] = std::move(result);
                             ++answers->received;
                             answers->cv.notify_all();
                           },
                           nullptr});
  }
  service_.submit_many(submissions);
  std::unique_lock lock(answers->mutex);
  if (!answers->cv.wait_for(lock, std::chrono::seconds(30),
                            [&] { return answers->received == requests.size(); })) {
    outcome_.unexpected.push_back("client " + std::to_string(index_) + ": no answer within 30 s");
    stopped_ = true;
    return;
  }
  for (std::size_t i = 0; i < requests.size(); ++i) note(requests[i], *answers->results[i]);
}

void PowerLossClient::note(const Request& request, const SeatResult& result) {
  const SeatCommand& command = request.command;
  if (result.error == seat::SeatError::unavailable) {
    stopped_ = true;
    if (command.op == Operation::checkout) ++outcome_.unanswered_checkouts;
    if (command.op == Operation::checkin)
      outcome_.leases[request.lease].checkin = KnownLease::Checkin::unanswered;
    return;
  }
  if (command.op == Operation::checkout && result.error == seat::SeatError::no_seats) return;
  if (!result.ok()) {
    outcome_.unexpected.push_back("client " + std::to_string(index_) + ": " + describe(command) +
                                  " answered " + result.message);
    return;
  }
  ++outcome_.acknowledged;
  if (command.op == Operation::checkin) {
    outcome_.leases[request.lease].checkin = KnownLease::Checkin::acknowledged;
    for (auto it = holder_leases_.begin(); it != holder_leases_.end(); ++it) {
      if (it->second != request.lease) continue;
      holder_leases_.erase(it);
      break;
    }
    return;
  }
  const std::int64_t expires = std::stoll(field(result, "expires"));
  if (command.op == Operation::heartbeat) {
    KnownLease& lease = outcome_.leases[request.lease];
    lease.expires_s = expires;
    lease.acknowledged_by = "HEARTBEAT";
    return;
  }
  const std::string id = field(result, "lease");
  if (request.holder >= 0 && !request.lease.empty() && id != request.lease) {
    outcome_.unexpected.push_back("client " + std::to_string(index_) + ": holder " + command.user +
                                  " got lease " + id + " instead of its " + request.lease);
  }
  KnownLease& lease = outcome_.leases[id];
  const bool reused = lease.license_id != 0;
  lease.license_id = request.license_id;
  lease.units = std::stoll(field(result, "units"));
  lease.expires_s = expires;
  lease.acknowledged_by = reused ? "CHECKOUT (reused)" : "CHECKOUT";
  if (request.holder >= 0) holder_leases_[request.holder] = id;
}

}  // namespace lmp::test
