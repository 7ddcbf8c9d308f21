// A checked-out lease: its heartbeats (on a background thread or the caller's), resumption on
// whichever server answers, a fresh checkout when the lease lapsed, and the checkin. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "checkout_request.hpp"
#include "lmp/client/client.h"
#include "server_pool.hpp"

namespace lmp::client {

class Lease {
 public:
  // Checks the units out (waiting up to request.wait_seconds on the server); throws ClientError.
  // With `background`, a thread of the lease heartbeats it until check_in or destruction.
  Lease(std::shared_ptr<ServerPool> pool, CheckoutRequest request, bool background);
  // Stops the heartbeats; does not check in (the C API's lmp_lease_free does that).
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Heartbeats now; on `lease_unknown` checks out anew. Throws ClientError on failure; after
  // `lease_revoked` (LMP_ERR_LEASE_REVOKED) sends nothing more and the background heartbeats end.
  void heartbeat();
  void check_in();

  std::chrono::milliseconds until_next_heartbeat() const;
  lmp_result state() const;
  std::string id() const;
  std::int64_t expires() const;

 private:
  void take(const Answer& checkout);
  void record_failure(lmp_result code);
  void run_heartbeats();
  void stop_heartbeats();

  const std::shared_ptr<ServerPool> pool_;
  const CheckoutRequest request_;
  // Held for a whole heartbeat or checkin, so the two never interleave on the wire.
  std::mutex operation_mutex_;
  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable wake_;
  std::string id_;
  std::int64_t expires_ = 0;
  std::chrono::seconds interval_{1};
  std::chrono::steady_clock::time_point next_due_;
  lmp_result state_ = LMP_OK;
  bool checked_in_ = false;
  // Why the server took the lease back (`lease_revoked`); set once, then nothing is sent for it.
  std::string revoked_;
  bool stopping_ = false;
  std::thread heartbeat_thread_;
};

}  // namespace lmp::client
