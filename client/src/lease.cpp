// Lease upkeep: heartbeats at the server's advised interval, failover, resume and checkin.
#include "lease.hpp"

#include <algorithm>
#include <optional>

#include "client_error.hpp"

namespace lmp::client {
namespace {

// While no server answers, heartbeats are retried this often (or at the advised interval, if
// shorter), so the lease is picked up again soon after a server is back.
constexpr std::chrono::seconds kMaxRetryDelay{2};

}  // namespace

Lease::Lease(std::shared_ptr<ServerPool> pool, CheckoutRequest request, bool background)
    : pool_(std::move(pool)), request_(std::move(request)) {
  auto answer = pool_->request(request_.line(request_.wait_seconds), request_.retry(),
                               std::chrono::seconds(request_.wait_seconds));
  take(expect_ok(answer, "checkout"));
  if (background) heartbeat_thread_ = std::thread([this] { run_heartbeats(); });
}

Lease::~Lease() {
  stop_heartbeats();
}

void Lease::take(const Answer& checkout) {
  auto id = checkout.at("lease");
  auto expires = checkout.number("expires");
  auto interval = std::max<std::int64_t>(1, checkout.number("heartbeat"));
  std::lock_guard lock(mutex_);
  id_ = std::move(id);
  expires_ = expires;
  interval_ = std::chrono::seconds(interval);
  next_due_ = std::chrono::steady_clock::now() + interval_;
  state_ = LMP_OK;
}

void Lease::record_failure(lmp_result code) {
  std::lock_guard lock(mutex_);
  if (!revoked_.empty()) return;  // final: no retry to schedule
  state_ = code;
  next_due_ = std::chrono::steady_clock::now() + std::min(interval_, kMaxRetryDelay);
}

void Lease::heartbeat() {
  std::lock_guard operation(operation_mutex_);
  std::string id;
  {
    std::lock_guard lock(mutex_);
    if (checked_in_) throw ClientError(LMP_ERR_LEASE_UNKNOWN, "the lease was checked in");
    if (!revoked_.empty()) throw ClientError(LMP_ERR_LEASE_REVOKED, revoked_);
    id = id_;
  }
  try {
    auto answer =
        pool_->request(RequestLine("HEARTBEAT").field("lease", id).text(), RetryPolicy::anywhere);
    if (answer.ok) {
      auto expires = answer.number("expires");
      std::lock_guard lock(mutex_);
      expires_ = expires;
      next_due_ = std::chrono::steady_clock::now() + interval_;
      state_ = LMP_OK;
      return;
    }
    if (answer.error == "lease_revoked") {
      // Taken back on purpose: checking out again would undo the administrator's release.
      std::lock_guard lock(mutex_);
      revoked_ = "the server took the lease back: " + answer.describe();
      state_ = LMP_ERR_LEASE_REVOKED;
      throw ClientError(LMP_ERR_LEASE_REVOKED, revoked_);
    }
    if (answer.error != "lease_unknown") expect_ok(answer, "heartbeat");
    // The lease lapsed while no server could be reached (or the answering server does not share
    // the issuing one's database): take the same units again, without waiting.
    auto again = pool_->request(request_.line(0), request_.retry());
    if (!again.ok && again.error == "no_seats")
      throw ClientError(
          LMP_ERR_LEASE_LOST,
          "the lease lapsed and no unit is free to take it again: " + again.describe());
    take(expect_ok(again, "checkout after the lease lapsed"));
  } catch (const ClientError& e) {
    record_failure(e.code());
    throw;
  }
}

void Lease::check_in() {
  stop_heartbeats();
  std::lock_guard operation(operation_mutex_);
  std::string id;
  {
    std::lock_guard lock(mutex_);
    if (checked_in_) return;
    id = id_;
  }
  std::optional<Answer> answer;
  if (state() != LMP_ERR_LEASE_REVOKED)
    answer =
        pool_->request(RequestLine("CHECKIN").field("lease", id).text(), RetryPolicy::anywhere);
  // lease_unknown: an earlier copy whose answer was lost did it, or the lease had lapsed;
  // lease_revoked: the server took it back, so there is nothing left to return.
  if (answer && !answer->ok && answer->error != "lease_unknown" && answer->error != "lease_revoked")
    expect_ok(*answer, "checkin");
  std::lock_guard lock(mutex_);
  checked_in_ = true;
  state_ = LMP_ERR_LEASE_UNKNOWN;
}

std::chrono::milliseconds Lease::until_next_heartbeat() const {
  std::lock_guard lock(mutex_);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      next_due_ - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

lmp_result Lease::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string Lease::id() const {
  std::lock_guard lock(mutex_);
  return id_;
}

std::int64_t Lease::expires() const {
  std::lock_guard lock(mutex_);
  return expires_;
}

void Lease::run_heartbeats() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_until(lock, next_due_, [this] { return stopping_; })) break;
    if (std::chrono::steady_clock::now() < next_due_) continue;  // a manual heartbeat moved it
    lock.unlock();
    try {
      heartbeat();
    } catch (...) {
      // Recorded in state_; the next attempt comes after the retry delay.
    }
    lock.lock();
    if (!revoked_.empty()) break;  // nothing more to heartbeat
  }
}

void Lease::stop_heartbeats() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

}  // namespace lmp::client
