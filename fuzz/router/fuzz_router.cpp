// libFuzzer target: the HTTP router's path matching. Every request gets exactly one answer: the
// handler of the one route an independent segment-by-segment matcher also picks (with the ids
// it took), or 404 / 405 exactly when that matcher finds no route / only other methods' routes.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/fuzz_check.hpp"
#include "http/router.hpp"

namespace {

using lmp::fuzz::check;
using lmp::http::HttpRequest;
using lmp::http::HttpResponse;
using lmp::http::Router;

// The route patterns lmpd registers (docs/admin-api.md), so the fuzzer starts from real shapes.
const std::vector<std::pair<std::string, std::string>> kRealRoutes = {
    {"POST", "/v1/seat/checkout"},
    {"POST", "/v1/seat/checkin"},
    {"GET", "/healthz"},
    {"GET", "/v1/me"},
    {"POST", "/v1/partners"},
    {"GET", "/v1/partners"},
    {"GET", "/v1/partners/{}"},
    {"PUT", "/v1/partners/{}/permissions"},
    {"POST", "/v1/partners/{}/status"},
    {"POST", "/v1/users/{}/tokens"},
    {"DELETE", "/v1/tokens/{}"},
    {"GET", "/v1/customers/{}"},
    {"POST", "/v1/customers/{}/status"},
    {"GET", "/v1/audit"},
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// A pattern or path split once into its '/'-separated segments, so the reference below costs
// one comparison per segment rather than a split per route and request (the long runs' time).
struct Segments {
  bool rooted = false;
  std::vector<std::string_view> parts;
};

Segments segments_of(std::string_view text) {
  Segments s;
  s.rooted = !text.empty() && text[0] == '/';
  if (s.rooted) s.parts = split(text.substr(1), '/');
  return s;
}

// The reference: both start with '/', the same number of '/'-separated segments, each equal,
// or `{}` against a non-empty one (which it takes).
bool reference_match(const Segments& want, const Segments& got, std::vector<std::string>& taken) {
  taken.clear();
  if (!want.rooted || !got.rooted) return false;
  if (want.parts.size() != got.parts.size()) return false;
  for (std::size_t i = 0; i < want.parts.size(); ++i) {
    if (want.parts[i] == "{}") {
      if (got.parts[i].empty()) return false;
      taken.emplace_back(got.parts[i]);
    } else if (want.parts[i] != got.parts[i]) {
      return false;
    }
  }
  return true;
}

// Input: lines "METHOD PATTERN" (extra routes) up to an empty line, then lines "METHOD PATH".
void run(std::string_view input) {
  std::vector<std::pair<std::string, std::string>> routes = kRealRoutes;
  auto lines = split(input, '\n');
  std::size_t next = 0;
  for (; next < lines.size() && !lines[next].empty() && routes.size() < 64; ++next) {
    const auto space = lines[next].find(' ');
    if (space == std::string_view::npos) continue;
    routes.emplace_back(lines[next].substr(0, space), lines[next].substr(space + 1));
  }

  Router router;
  std::vector<std::pair<std::string, std::string>> registered;
  int last_handler = -1;
  for (const auto& [method, pattern] : routes) {
    const int index = static_cast<int>(registered.size());
    try {
      router.add(method, pattern, [&last_handler, index](HttpRequest&, lmp::http::Reply reply) {
        last_handler = index;
        reply(HttpResponse{});
      });
      registered.emplace_back(method, pattern);
    } catch (const std::logic_error&) {
      // A duplicate or a pattern that is not a path: refused at registration, never served.
    }
  }

  // Split after registration: `registered` no longer grows, so the views stay valid.
  std::vector<Segments> registered_segments;
  registered_segments.reserve(registered.size());
  for (const auto& route : registered) registered_segments.push_back(segments_of(route.second));

  for (; next < lines.size(); ++next) {
    const auto space = lines[next].find(' ');
    if (space == std::string_view::npos) continue;
    HttpRequest request;
    request.method = std::string(lines[next].substr(0, space));
    request.path = std::string(lines[next].substr(space + 1));

    int expected = -1;
    bool other_method = false;
    std::vector<std::string> taken, expected_params;
    const Segments path = segments_of(request.path);
    for (std::size_t i = 0; i < registered.size(); ++i) {
      if (!reference_match(registered_segments[i], path, taken)) continue;
      if (registered[i].first != request.method) {
        other_method = true;
      } else if (expected < 0) {
        expected = static_cast<int>(i);
        expected_params = taken;
      }
    }

    int answers = 0;
    int status = 0;
    last_handler = -1;
    router.dispatch(request, [&](HttpResponse response) {
      ++answers;
      status = response.status;
    });
    check(answers == 1, "a request did not get exactly one answer", request.path);
    if (expected >= 0) {
      check(last_handler == expected, "the router picked another route than the reference",
            request.path);
      check(request.path_params == expected_params, "the ids taken differ from the reference",
            request.path);
    } else {
      check(last_handler < 0, "a handler ran for a path no route matches", request.path);
      check(status == (other_method ? 405 : 404), "wrong status for an unrouted request",
            request.path);
      check(router.methods_for(request.path).empty() == !other_method,
            "methods_for disagrees with the reference", request.path);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
