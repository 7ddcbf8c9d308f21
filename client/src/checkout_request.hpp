// What a lease was checked out with, kept so that a lapsed lease can be taken again the same way.
#pragma once

#include <cstdint>
#include <string>

#include "server_pool.hpp"
#include "wire.hpp"

namespace lmp::client {

struct CheckoutRequest {
  std::string code;
  std::string product;
  std::string host;
  std::string user;
  std::string holder_key;  // protocol 1.1; empty: none sent
  std::uint32_t units = 1;
  std::uint32_t wait_seconds = 0;
  std::uint32_t borrow_seconds = 0;  // protocol 1.1 borrowing; 0: an ordinary lease

  std::string line(std::uint32_t wait) const {
    RequestLine request("CHECKOUT");
    request.field("code", code).field("product", product).field("host", host).field("user", user);
    request.field("holder_key", holder_key);
    if (units != 1) request.field("units", units);
    if (wait > 0) request.field("wait", wait);
    if (borrow_seconds > 0) request.field("borrow", borrow_seconds);
    return request.text();
  }

  // A checkout that names its holder is answered with the holder's lease when repeated, so a
  // copy whose answer was lost can be sent again; an anonymous one would take another unit.
  RetryPolicy retry() const {
    return host.empty() && user.empty() ? RetryPolicy::unsent_only : RetryPolicy::anywhere;
  }
};

}  // namespace lmp::client
