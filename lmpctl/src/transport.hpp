// How lmpctl exchanges one HTTP request for one answer. Plain HTTP today; an https transport
// (Beast over an SSL stream) goes beside PlainTransport once the admin listener serves TLS, and
// make_transport picks it by the URL's scheme.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "server_url.hpp"

namespace lmpctl {

struct HttpExchange {
  std::string method;
  std::string target;  // path?query
  std::string body;    // sent as application/json when not empty
  std::string token;   // sent as a bearer token when not empty
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// No answer: cannot resolve or connect, the connection broke, the deadline passed, or the
// answer was not HTTP. Exit status 3.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // The whole exchange (resolve, connect, send, receive) ends within `timeout`.
  virtual HttpAnswer exchange(const HttpExchange& request, std::chrono::seconds timeout) = 0;
};

std::unique_ptr<Transport> make_transport(const ServerUrl& server);

}  // namespace lmpctl
