// The router on its own: exact matching, 404 and 405 with Allow, and the per-route
// authentication step (fail closed without an authenticator, asynchronous verdicts, and run by
// an open route's handler for some requests).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/json_response.hpp"
#include "http/router.hpp"

namespace lmp::http {
namespace {

// Dispatches and returns the reply given synchronously (nullopt when none came yet).
std::optional<HttpResponse> dispatch(const Router& router, HttpRequest& request) {
  std::optional<HttpResponse> got;
  router.dispatch(request, [&got](HttpResponse response) { got = std::move(response); });
  return got;
}

HttpRequest request_for(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

std::string header_of(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return {};
}

std::string code_of(const HttpResponse& response) {
  auto body = boost::json::parse(response.body);
  return std::string(body.at("error").at("code").as_string());
}

Handler answering(int status, std::string* principal_seen = nullptr) {
  return [status, principal_seen](HttpRequest& request, Reply reply) {
    if (principal_seen != nullptr) *principal_seen = request.principal;
    HttpResponse response;
    response.status = status;
    reply(std::move(response));
  };
}

TEST(Router, MatchesMethodAndExactPath) {
  Router router;
  router.add("GET", "/v1/things", answering(200));
  router.add("POST", "/v1/things", answering(201));
  router.add("DELETE", "/v1/things", answering(204));
  auto get = request_for("GET", "/v1/things");
  EXPECT_EQ(dispatch(router, get)->status, 200);
  auto post = request_for("POST", "/v1/things");
  EXPECT_EQ(dispatch(router, post)->status, 201);

  auto put = request_for("PUT", "/v1/things");
  auto refused = dispatch(router, put);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405);
  EXPECT_EQ(header_of(*refused, "Allow"), "DELETE, GET, POST");
  EXPECT_EQ(code_of(*refused), "method_not_allowed");
  // Methods are case-sensitive.
  auto lower = request_for("get", "/v1/things");
  EXPECT_EQ(dispatch(router, lower)->status, 405);

  for (const char* path : {"/v1/things/", "/v1/thing", "/V1/things", "", "/"}) {
    auto unknown = request_for("GET", path);
    auto missing = dispatch(router, unknown);
    ASSERT_TRUE(missing) << path;
    EXPECT_EQ(missing->status, 404) << path;
    EXPECT_EQ(code_of(*missing), "not_found");
  }
  EXPECT_EQ(router.methods_for("/v1/things"), (std::vector<std::string>{"DELETE", "GET", "POST"}));
  EXPECT_TRUE(router.methods_for("/nope").empty());
}

TEST(Router, IdSegmentsMatchOneNonEmptySegmentAndReachTheHandler) {
  Router router;
  std::vector<std::string> seen;
  router.add("POST", "/v1/partners/{}/status", [&seen](HttpRequest& request, Reply reply) {
    seen = request.path_params;
    reply(HttpResponse{});
  });
  router.add("GET", "/v1/partners/{}", answering(200));
  router.add("GET", "/v1/partners", answering(201));

  auto status = request_for("POST", "/v1/partners/42/status");
  EXPECT_EQ(dispatch(router, status)->status, 200);
  EXPECT_EQ(seen, (std::vector<std::string>{"42"}));
  auto one = request_for("GET", "/v1/partners/7");
  EXPECT_EQ(dispatch(router, one)->status, 200);
  auto list = request_for("GET", "/v1/partners");
  EXPECT_EQ(dispatch(router, list)->status, 201);

  for (const char* path : {"/v1/partners/", "/v1/partners//status", "/v1/partners/1/status/",
                           "/v1/partners/1/2", "/v1/partner/1", "/v1/partners/1/Status"}) {
    auto request = request_for("GET", path);
    auto reply = dispatch(router, request);
    EXPECT_EQ(reply->status, 404) << path;
  }
  // The methods of a pattern count for 405 and Allow.
  auto put = request_for("PUT", "/v1/partners/9/status");
  auto refused = dispatch(router, put);
  EXPECT_EQ(refused->status, 405);
  EXPECT_EQ(header_of(*refused, "Allow"), "POST");
}

// Found by fuzz/router: a target without a leading '/' had its first character taken for the
// slash, so "ab" matched "/{}" with the id "b".
TEST(Router, ATargetWithoutALeadingSlashMatchesNoRoute) {
  Router router;
  router.add("GET", "/{}", answering(200));
  router.add("OPTIONS", "/x", answering(200));
  for (const char* path : {"ab", "*", "", "x"}) {
    auto request = request_for("GET", path);
    EXPECT_EQ(dispatch(router, request)->status, 404) << path;
  }
  EXPECT_TRUE(router.methods_for("ab").empty());
}

TEST(Router, RefusesAPatternThatIsNotAPath) {
  Router router;
  EXPECT_THROW(router.add("GET", "v1/me", answering(200)), std::logic_error);
  EXPECT_THROW(router.add("GET", "", answering(200)), std::logic_error);
}

TEST(Router, RefusesADuplicateRoute) {
  Router router;
  router.add("GET", "/x", answering(200));
  EXPECT_THROW(router.add("GET", "/x", answering(200)), std::logic_error);
  EXPECT_NO_THROW(router.add("POST", "/x", answering(200)));
}

TEST(Router, TokenRoutesFailClosedWithoutAnAuthenticator) {
  Router router;
  bool ran = false;
  router.add(
      "GET", "/v1/accounts",
      [&ran](HttpRequest&, Reply reply) {
        ran = true;
        reply(HttpResponse{});
      },
      Access::bearer_token);
  router.add("GET", "/healthz", answering(200));
  auto request = request_for("GET", "/v1/accounts");
  auto refused = dispatch(router, request);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(code_of(*refused), "unauthorized");
  EXPECT_EQ(header_of(*refused, "WWW-Authenticate"), "Bearer");
  EXPECT_FALSE(ran);
  auto open = request_for("GET", "/healthz");
  EXPECT_EQ(dispatch(router, open)->status, 200);
}

TEST(Router, AuthenticatorAdmitsRefusesAndMayAnswerLater) {
  Router router;
  std::string principal;
  router.add("GET", "/v1/accounts", answering(200, &principal), Access::bearer_token);
  router.add("GET", "/open", answering(200, &principal));
  int asked = 0;
  std::function<void(AuthOutcome)> pending;
  router.set_authenticator([&](const HttpRequest& request, std::function<void(AuthOutcome)> done) {
    ++asked;
    const std::string* authorization = request.header("authorization");
    if (authorization == nullptr) {
      done({error_response(401, "unauthorized", "no token"), {}});
    } else if (*authorization == "Bearer later") {
      pending = std::move(done);  // a lookup that completes after dispatch returned
    } else {
      done({std::nullopt, "partner:7"});
    }
  });

  auto anonymous = request_for("GET", "/v1/accounts");
  EXPECT_EQ(dispatch(router, anonymous)->status, 401);

  auto admitted = request_for("GET", "/v1/accounts");
  admitted.headers.emplace_back("authorization", "Bearer good");
  EXPECT_EQ(dispatch(router, admitted)->status, 200);
  EXPECT_EQ(principal, "partner:7");

  auto deferred = request_for("GET", "/v1/accounts");
  deferred.headers.emplace_back("authorization", "Bearer later");
  std::optional<HttpResponse> got;
  router.dispatch(deferred, [&got](HttpResponse response) { got = std::move(response); });
  EXPECT_FALSE(got);
  ASSERT_TRUE(pending);
  principal.clear();
  pending({std::nullopt, "account:3"});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(principal, "account:3");

  // Open routes never consult the authenticator.
  const int before = asked;
  auto open = request_for("GET", "/open");
  EXPECT_EQ(dispatch(router, open)->status, 200);
  EXPECT_EQ(asked, before);
  EXPECT_EQ(principal, "");
}

// An open route may ask for the token on some requests only: authenticate_then runs the same
// step as a bearer-token route (refusal, or the principal for the handler).
TEST(Router, AnOpenRouteMayAuthenticateSomeRequestsItself) {
  Router router;
  std::string principal;
  const Handler listed = answering(201, &principal);
  router.add("GET", "/v1/keys", [&](HttpRequest& request, Reply reply) {
    if (request.header("authorization") == nullptr)
      answering(200, &principal)(request, std::move(reply));
    else
      router.authenticate_then(listed, request, std::move(reply));
  });
  auto anonymous = request_for("GET", "/v1/keys");
  auto with_token = request_for("GET", "/v1/keys");
  with_token.headers.emplace_back("authorization", "Bearer good");
  // Without an authenticator a token is refused (fail closed), the open answer stays.
  EXPECT_EQ(dispatch(router, with_token)->status, 401);
  EXPECT_EQ(dispatch(router, anonymous)->status, 200);

  router.set_authenticator([](const HttpRequest& request, std::function<void(AuthOutcome)> done) {
    if (*request.header("authorization") == "Bearer good")
      done({std::nullopt, "account:1"});
    else
      done({error_response(401, "unauthorized", "bad token"), {}});
  });
  EXPECT_EQ(dispatch(router, with_token)->status, 201);
  EXPECT_EQ(principal, "account:1");
  auto bad = request_for("GET", "/v1/keys");
  bad.headers.emplace_back("authorization", "Bearer bad");
  EXPECT_EQ(dispatch(router, bad)->status, 401);
  principal = "unchanged";
  EXPECT_EQ(dispatch(router, anonymous)->status, 200);
  EXPECT_EQ(principal, "");
}

}  // namespace
}  // namespace lmp::http
