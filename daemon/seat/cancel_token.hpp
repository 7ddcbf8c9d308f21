// What a transport holds for the checkouts it submitted for one client, so that their waits end
// when the client has gone (closed its connection, or the side of it that it sends on): no unit is
// then granted to nobody. SeatService::cancel() sets it and has the wait queue let go.
#pragma once

#include <atomic>

namespace lmp::seat {

// Thread safety: any thread.
class CancelToken {
 public:
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  void cancel() { cancelled_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace lmp::seat
