// The pause after a failed accept, shared by the seat and admin listeners.
#include "net/accept_retry.hpp"

namespace lmp::net {

void AcceptRetry::failed(const boost::system::error_code& ec, log::Throttle& flood_log,
                         const std::function<void()>& counted, std::function<void()> again) {
  log::write_throttled(flood_log, log::Level::warning, "accept_failed",
                       {{"listener", listener_},
                        {"error", ec.message()},
                        {"retry_in_ms", std::to_string(kAcceptRetryDelay.count())}});
  if (counted) counted();
  timer_.expires_after(kAcceptRetryDelay);
  timer_.async_wait([again = std::move(again)](const boost::system::error_code& wait_ec) {
    if (!wait_ec) again();
  });
}

void AcceptRetry::cancel() noexcept {
  timer_.cancel();
}

}  // namespace lmp::net
