// How lmpctl exchanges one HTTP request for one answer: HTTP, or HTTPS with the server's
// certificate verified against a CA file (or the system's CAs) and the URL's host name.
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

// `ca_file`: the CAs an https server's certificate must chain to; "" for the system's. Throws
// UsageError when the CA file cannot be used.
std::unique_ptr<Transport> make_transport(const ServerUrl& server, const std::string& ca_file);

}  // namespace lmpctl
