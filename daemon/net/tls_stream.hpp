// What the seat and HTTP listeners share to run a connection over plain TCP or TLS alike: the
// stream built in place, its TCP socket, and the report of a failed handshake. Include only in
// listener sources (it pulls in Asio's TCP and SSL headers).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace lmp::log {
class Throttle;
}

namespace lmp::net {

// Built in place (a prvalue), so no stream type needs to be movable. `context` is used only
// for a TLS stream (one constructed from a socket and a context).
template <class Stream>
Stream make_stream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context* context) {
  if constexpr (std::is_same_v<Stream, boost::asio::ip::tcp::socket>) {
    return std::move(socket);
  } else {
    return Stream(std::move(socket), *context);
  }
}

// The TCP socket under a plain or TLS stream.
template <class Stream>
boost::asio::ip::tcp::socket& lowest(Stream& stream) {
  if constexpr (std::is_same_v<Stream, boost::asio::ip::tcp::socket>) {
    return stream;
  } else {
    return stream.next_layer();
  }
}

// Counts a failed handshake and logs `tls_handshake_failed` through the listener's flood
// throttle (info for a peer that just left, else warning).
void report_handshake_failure(std::string_view listener, const std::string& peer,
                              std::string_view reason, const std::string& error,
                              const std::function<void(std::string_view)>& count,
                              log::Throttle& flood_log);

}  // namespace lmp::net
