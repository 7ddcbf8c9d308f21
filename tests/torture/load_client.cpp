// Random pipelined seat requests over one connection, recorded as the server answers them.
#include "load_client.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <set>

#include "support/line_client.hpp"

namespace lmp::torture {
namespace {
// Enough leases per client that both licenses run out of units now and then.
constexpr std::size_t kMaxLeasesPerClient = 8;
constexpr std::size_t kMaxBatch = 4;
}  // namespace

LoadCounters& LoadCounters::operator+=(const LoadCounters& other) {
  checkouts_ok += other.checkouts_ok;
  no_seats += other.no_seats;
  heartbeats_ok += other.heartbeats_ok;
  checkins_ok += other.checkins_ok;
  unanswered_checkouts += other.unanswered_checkouts;
  unanswered_heartbeats += other.unanswered_heartbeats;
  unanswered_checkins += other.unanswered_checkins;
  return *this;
}

std::vector<LoadClient::Request> LoadClient::next_batch() {
  std::vector<Request> batch;
  std::set<std::string> used;  // one request per lease in a batch, so its outcome is clear
  const std::size_t size = 1 + random_() % kMaxBatch;
  for (std::size_t i = 0; i < size; ++i) {
    std::vector<std::string> live;
    for (const auto& [id, lease] : leases_)
      if (!lease.checkin_unanswered && !used.contains(id)) live.push_back(id);
    const auto roll = random_() % 100;
    Request request;
    if (live.empty() || (leases_.size() < kMaxLeasesPerClient && roll < 40)) {
      request.op = Request::Op::checkout;
      request.license = random_() % licenses_.size();
      request.units = 1 + static_cast<std::int64_t>(random_() % 3);
      request.line = "CHECKOUT code=" + licenses_[request.license].code +
                     " units=" + std::to_string(request.units);
    } else {
      request.lease = live[random_() % live.size()];
      used.insert(request.lease);
      request.op = roll < 75 ? Request::Op::heartbeat : Request::Op::checkin;
      // From the moment a CHECKIN leaves, the server may hand its units to another client, whose
      // OK can arrive before this one's: the units stop counting as held here and now.
      if (request.op == Request::Op::checkin) {
        const KnownLease& lease = leases_[request.lease];
        licenses_[lease.license].acknowledged_units -= lease.units;
      }
      request.line =
          (request.op == Request::Op::heartbeat ? "HEARTBEAT lease=" : "CHECKIN lease=") +
          request.lease;
    }
    batch.push_back(std::move(request));
  }
  return batch;
}

int LoadClient::run(std::uint16_t port, const std::atomic<bool>& stop) {
  try {
    test::LineClient connection(port);
    while (!stop) {
      auto batch = next_batch();
      std::string lines;
      for (const auto& request : batch) lines += request.line + "\n";
      std::size_t done = 0;
      try {
        connection.send_raw(lines);
        for (; done < batch.size(); ++done) {
          auto answer = connection.read_line(std::chrono::seconds(10));
          if (!answer) break;
          answered(batch[done], *answer);
        }
      } catch (const std::exception&) {
        // The daemon died while the batch was being sent: none of the rest was answered.
      }
      if (done < batch.size()) {
        for (std::size_t i = done; i < batch.size(); ++i) unanswered(batch[i]);
        return static_cast<int>(batch.size() - done);
      }
    }
  } catch (const std::exception&) {
    // Could not connect: the daemon died before this client started.
  }
  return 0;
}

void LoadClient::unanswered(const Request& request) {
  switch (request.op) {
    case Request::Op::checkout:
      ++counters_.unanswered_checkouts;
      break;
    case Request::Op::heartbeat:
      // The lease stays as acknowledged: a lost heartbeat can only have extended it.
      ++counters_.unanswered_heartbeats;
      break;
    case Request::Op::checkin:
      ++counters_.unanswered_checkins;
      leases_[request.lease].checkin_unanswered = true;
      break;
  }
}

void LoadClient::answered(const Request& request, const std::string& answer) {
  const std::string status = test::status_of(answer);
  auto fields = test::fields_of(answer);
  switch (request.op) {
    case Request::Op::checkout: {
      if (status == "no_seats") {
        ++counters_.no_seats;
        return;
      }
      if (status != "OK" || fields["lease"].empty() || fields["expires"].empty()) break;
      ++counters_.checkouts_ok;
      TortureLicense& license = licenses_[request.license];
      const std::int64_t held = license.acknowledged_units += request.units;
      if (held > license.units)
        failures_.push_back("license " + std::to_string(license.id) + " acknowledged " +
                            std::to_string(held) + " units of " + std::to_string(license.units));
      leases_[fields["lease"]] =
          KnownLease{request.license, request.units, std::stoll(fields["expires"]), false};
      return;
    }
    case Request::Op::heartbeat:
      if (status != "OK" || fields["expires"].empty()) break;
      ++counters_.heartbeats_ok;
      leases_[request.lease].acknowledged_expires = std::stoll(fields["expires"]);
      return;
    case Request::Op::checkin:
      if (status != "OK") break;
      ++counters_.checkins_ok;
      checked_in(request.lease);
      return;
  }
  failures_.push_back("'" + request.line + "' was answered '" + answer + "'");
}

void LoadClient::checked_in(const std::string& lease) {
  auto it = leases_.find(lease);
  if (it == leases_.end()) return;
  leases_.erase(it);
  released_.push_back(lease);
}

}  // namespace lmp::torture
