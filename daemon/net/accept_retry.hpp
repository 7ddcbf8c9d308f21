// What a listener does when accepting a connection fails for want of a resource (out of file
// descriptors, of memory): the listening socket stays readable, so accepting again at once fails
// again at once and spins the network thread that serves every other connection. It waits.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "core/log_throttle.hpp"

namespace lmp::net {

// Long enough that a listener out of descriptors costs nothing, short enough that a connection
// waiting in the kernel's queue is taken soon after a descriptor is free.
inline constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// Thread safety: the io_context's thread only.
class AcceptRetry {
 public:
  AcceptRetry(boost::asio::io_context& io, std::string listener) noexcept
      : timer_(io), listener_(std::move(listener)) {}

  // Called after a failed accept (not one cancelled by stopping): logs it (throttled), calls
  // `counted`, and calls `again` after kAcceptRetryDelay unless cancel() comes first.
  void failed(const boost::system::error_code& ec, log::Throttle& flood_log,
              const std::function<void()>& counted, std::function<void()> again);
  void cancel() noexcept;

 private:
  boost::asio::steady_timer timer_;
  std::string listener_;
};

}  // namespace lmp::net
