// The server lmpctl talks to, from "http://host:port/prefix", "host:port" or "host".
#pragma once

#include <cstdint>
#include <string>

namespace lmpctl {

inline constexpr std::uint16_t kDefaultPort = 27480;
inline constexpr const char* kDefaultServer = "http://127.0.0.1:27480";

struct ServerUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for an IPv6 literal
  std::uint16_t port = kDefaultPort;
  std::string base_path;  // prepended to every path ("" or "/prefix", no trailing slash)

  std::string authority() const;  // host:port, the IPv6 literal in brackets
};

// Throws UsageError. Both schemes default to port 27480 (the admin listener keeps its port
// with TLS).
ServerUrl parse_server_url(const std::string& text);

}  // namespace lmpctl
