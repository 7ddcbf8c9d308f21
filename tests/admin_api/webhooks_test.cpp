// Webhooks through the real listener on a ManualClock, on each storage backend, with a real
// receiver on loopback (support/webhook_receiver.hpp) that checks each signature with OpenSSL:
// each event posted once, signed, its id in a header; a receiver down for a day and up again
// gets every event queued meanwhile; a receiver answering 500 is retried and its status shown;
// each webhook receives only its subtree's events; the secret is shown once and stored sealed;
// https receivers get events only with a certificate from a trusted authority naming their host.
#include <soci/soci.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "admin_fixture.hpp"
#include "domain/domain_error.hpp"
#include "domain/webhook_url.hpp"
#include "http/webhook_client.hpp"
#include "support/test_certificates.hpp"
#include "support/webhook_receiver.hpp"

namespace lmp::test {
namespace {

namespace json = boost::json;

class Webhooks : public AdminApiTest {
 protected:
  void configure(config::Config& config) override {
    config.events.sweep_interval_ms = kTestEventSweepMs;
  }
  void advance(std::int64_t seconds) {
    server_->advance_seconds(seconds);
    wait_for_event_sweep();
  }
  std::int64_t make_license(std::int64_t customer, std::int64_t expires) {
    return id_of(
        ok(root_token_, "POST", "/v1/licenses",
           {{"customer", customer}, {"product", "cad"}, {"units", 1}, {"expires", expires}}));
  }
  // Creates a webhook to `receiver` with `token` and gives the receiver its secret.
  std::int64_t hook(const std::string& token, WebhookReceiver& receiver) {
    auto created = ok(token, "POST", "/v1/webhooks", {{"url", receiver.url()}});
    receiver.set_secret(std::string(created.at("secret").as_string()));
    return id_of(created);
  }
  json::array deliveries(std::int64_t webhook) {
    return ok(root_token_, "GET", "/v1/webhooks/" + std::to_string(webhook) + "/deliveries")
        .at("items")
        .as_array();
  }
  // The ids of the events the API lists, in order.
  std::vector<std::string> event_ids(const std::string& token) {
    std::vector<std::string> out;
    const auto page = ok(token, "GET", "/v1/events?limit=1000");
    for (const auto& item : page.at("items").as_array())
      out.emplace_back(item.at("id").as_string());
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, Webhooks, kStorageBackends, backend_name);

TEST_P(Webhooks, EachEventIsPostedOnceSignedWithItsIdInAHeader) {
  WebhookReceiver receiver;
  wait_for_event_sweep();
  const auto webhook = hook(root_token_, receiver);
  const auto customer = make_customer("acme", 0);
  const auto license = make_license(customer, kNow + kDay);
  advance(kDay + 60);
  ASSERT_TRUE(receiver.wait_for(1, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].signature_ok) << got[0].signature;
  EXPECT_EQ(got[0].event_type, "license.expired");
  const auto body = json::parse(got[0].body);
  EXPECT_EQ(body.at("id").as_string(), got[0].event_id);
  EXPECT_EQ(body.at("type"), "license.expired");
  EXPECT_EQ(body.at("data").at("license"), license);
  EXPECT_EQ(event_ids(root_token_), std::vector<std::string>{got[0].event_id});
  // Its delivery is shown delivered, after one attempt; the secret is never shown again.
  auto shown = deliveries(webhook);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].at("event").as_string(), got[0].event_id);
  EXPECT_EQ(shown[0].at("status"), "delivered");
  EXPECT_EQ(shown[0].at("attempts"), 1);
  EXPECT_EQ(shown[0].at("last_http_status"), 200);
  const auto listed = ok(root_token_, "GET", "/v1/webhooks/" + std::to_string(webhook));
  EXPECT_FALSE(listed.as_object().contains("secret"));
  EXPECT_EQ(listed.at("deliveries").at("delivered"), 1);
  // A wrong secret fails the receiver's check: the signature is of this body under that secret.
  receiver.set_secret("not-the-secret");
  make_license(customer, kNow + 2 * kDay);
  advance(kDay);
  ASSERT_TRUE(receiver.wait_for(2, 30));
  EXPECT_FALSE(receiver.received()[1].signature_ok);
}

TEST_P(Webhooks, AReceiverDownForADayGetsEveryEventQueuedMeanwhileOnce) {
  WebhookReceiver receiver;
  wait_for_event_sweep();
  const auto webhook = hook(root_token_, receiver);
  receiver.down();
  const auto customer = make_customer("acme", 0);
  for (int i = 0; i < 4; ++i) make_license(customer, kNow + 3600 + i * 600);
  advance(2 * 3600);
  // Every attempt is refused; each delivery waits for its next one.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto all_tried = [&] {
    auto shown = deliveries(webhook);
    if (shown.size() != 4) return false;
    for (const auto& d : shown)
      if (d.at("attempts").as_int64() < 1) return false;
    return true;
  };
  while (!all_tried() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(all_tried());
  for (const auto& d : deliveries(webhook)) {
    EXPECT_EQ(d.at("status"), "pending");
    EXPECT_NE(d.at("last_error").as_string(), "");
    EXPECT_TRUE(d.at("last_http_status").is_null());
  }
  // A day down, time passing in steps: retried with backoff, never given up.
  for (int hour = 0; hour < 24; ++hour) {
    server_->advance_seconds(3600);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::int64_t attempts = 0;
  for (const auto& d : deliveries(webhook)) {
    EXPECT_EQ(d.at("status"), "pending");
    attempts += d.at("attempts").as_int64();
  }
  EXPECT_GT(attempts, 8);
  EXPECT_TRUE(receiver.received().empty());

  receiver.up();
  server_->advance_seconds(3600);  // the longest wait between two attempts
  ASSERT_TRUE(receiver.wait_for(4, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  std::set<std::string> got;
  for (const auto& r : receiver.received()) {
    EXPECT_TRUE(r.signature_ok);
    got.insert(r.event_id);
  }
  EXPECT_EQ(receiver.received().size(), 4u);
  const auto ids = event_ids(root_token_);
  EXPECT_EQ(got, std::set<std::string>(ids.begin(), ids.end()));
  for (const auto& d : deliveries(webhook)) EXPECT_EQ(d.at("status"), "delivered");
}

TEST_P(Webhooks, AReceiverAnsweringAnErrorIsRetriedAndItsStatusShown) {
  WebhookReceiver receiver;
  receiver.set_status(500);
  wait_for_event_sweep();
  const auto webhook = hook(root_token_, receiver);
  make_license(make_customer("acme", 0), kNow + 3600);
  advance(3600 + 60);
  ASSERT_TRUE(receiver.wait_for(1, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto shown = deliveries(webhook);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].at("status"), "pending");
  EXPECT_EQ(shown[0].at("last_http_status"), 500);
  EXPECT_EQ(shown[0].at("attempts"), 1);
  receiver.set_status(204);
  server_->advance_seconds(5);  // the first retry
  ASSERT_TRUE(receiver.wait_for(2, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  shown = deliveries(webhook);
  EXPECT_EQ(shown[0].at("status"), "delivered");
  EXPECT_EQ(shown[0].at("attempts"), 2);
  const auto got = receiver.received();
  EXPECT_EQ(got[0].event_id, got[1].event_id) << "a retry sends the same event id";
  EXPECT_EQ(got[0].body, got[1].body);
}

TEST_P(Webhooks, EachWebhookReceivesOnlyItsSubtreesEvents) {
  WebhookReceiver parent_receiver, partner_receiver;
  wait_for_event_sweep();
  const auto fabrikam = make_partner("fabrikam", "msp");
  const auto fabrikam_admin = make_user("fabrikam-admin", "account", fabrikam);
  hook(root_token_, parent_receiver);
  const auto partner_hook = hook(fabrikam_admin.token, partner_receiver);
  const auto theirs = make_customer("contoso", fabrikam);
  const auto ours = make_customer("own", 0);
  make_license(theirs, kNow + 3600);
  make_license(ours, kNow + 3600);
  advance(3600 + 60);
  ASSERT_TRUE(parent_receiver.wait_for(2, 30));
  ASSERT_TRUE(partner_receiver.wait_for(1, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ASSERT_EQ(partner_receiver.received().size(), 1u);
  EXPECT_EQ(json::parse(partner_receiver.received()[0].body).at("data").at("customer"), theirs);
  EXPECT_EQ(parent_receiver.received().size(), 2u);
  // The partner sees its webhook, the parent both; another partner neither.
  EXPECT_EQ(ok(fabrikam_admin.token, "GET", "/v1/webhooks").at("items").as_array().size(), 1u);
  EXPECT_EQ(ok(root_token_, "GET", "/v1/webhooks").at("items").as_array().size(), 2u);
  const auto tailspin = make_partner("tailspin", "msp");
  const auto tailspin_admin = make_user("tailspin-admin", "account", tailspin);
  EXPECT_EQ(
      call(tailspin_admin.token, "GET", "/v1/webhooks/" + std::to_string(partner_hook)).status,
      404);
  EXPECT_EQ(
      call(tailspin_admin.token, "DELETE", "/v1/webhooks/" + std::to_string(partner_hook)).status,
      404);
  // Deleted, it receives nothing more.
  ok(fabrikam_admin.token, "DELETE", "/v1/webhooks/" + std::to_string(partner_hook));
  EXPECT_EQ(call(root_token_, "GET", "/v1/webhooks/" + std::to_string(partner_hook)).status, 404);
  make_license(theirs, kNow + 2 * 3600 + 120);
  advance(3600 + 120);
  ASSERT_TRUE(parent_receiver.wait_for(3, 30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(partner_receiver.received().size(), 1u);
  auto audit = ok(root_token_, "GET", "/v1/audit?action=webhook.deleted").at("items").as_array();
  EXPECT_EQ(audit.size(), 1u);
}

TEST_P(Webhooks, BadUrlsAreRefusedAndTheSecretIsStoredSealed) {
  for (const char* url : {"ftp://x/", "http://", "http://user:pw@host/", "https://u@example.com/",
                          "http://host/a b", "http://:80/", "http://host:0/", "http://host:99999/",
                          "http://host/#part", "http://h\xc3\xa9/"})
    EXPECT_EQ(call(root_token_, "POST", "/v1/webhooks", {{"url", url}}).status, 400) << url;
  EXPECT_EQ(call(root_token_, "POST", "/v1/webhooks", json::object{}).status, 400);
  auto created = ok(root_token_, "POST", "/v1/webhooks", {{"url", "http://127.0.0.1:9/x"}});
  const std::string secret(created.at("secret").as_string());
  EXPECT_EQ(secret.size(), 6u + 64u);
  auto sql = raw_session();
  std::string sealed;
  *sql << "SELECT sealed_secret FROM webhooks", soci::into(sealed);
  EXPECT_EQ(sealed.find(secret.substr(6)), std::string::npos);
  EXPECT_GT(sealed.size(), 64u);
  auto audit = ok(root_token_, "GET", "/v1/audit?action=webhook.created").at("items").as_array();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(json::serialize(audit[0]).find(secret), std::string::npos);
}

// https receivers: lmpd trusts the certificates of events.webhook_ca_file's authority, issued for
// the URL's host (the test CA issues for 127.0.0.1 and localhost).
class HttpsWebhooks : public Webhooks {
 protected:
  void configure(config::Config& config) override {
    ca_ = std::make_unique<TestCa>(dir_.path(), "hooks");
    config.events.webhook_ca_file = ca_->certificate().string();
  }
  WebhookReceiver::Tls issued(TestCa& ca, const std::string& stem) {
    const auto certificate = ca.issue(stem, "receiver", ++serial_);
    return {certificate.certificate, certificate.key};
  }
  // Waits for the first attempt of `webhook`'s one delivery, which the certificate failed: it
  // stays pending for its retry and says why.
  void expect_refused_certificate(std::int64_t webhook) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    json::array shown;
    while (std::chrono::steady_clock::now() < deadline) {
      shown = deliveries(webhook);
      if (shown.size() == 1 && shown[0].at("attempts").as_int64() > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0].at("status"), "pending");
    EXPECT_NE(std::string(shown[0].at("last_error").as_string()).find("certificate verify failed"),
              std::string::npos)
        << shown[0];
  }
  std::unique_ptr<TestCa> ca_;
  long serial_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, HttpsWebhooks, kStorageBackends, backend_name);

TEST_P(HttpsWebhooks, AReceiverLmpdTrustsGetsTheEventsAndAnUntrustedOneOnlyFailedAttempts) {
  WebhookReceiver trusted(issued(*ca_, "trusted"));
  TestCa stranger(dir_.path(), "stranger");
  WebhookReceiver untrusted(issued(stranger, "untrusted"));
  wait_for_event_sweep();
  hook(root_token_, trusted);
  const auto refused = hook(root_token_, untrusted);
  // Reached by name too: the certificate names localhost, which lmpd checks (and sends as SNI).
  WebhookReceiver by_name(issued(*ca_, "by-name"));
  const auto named = ok(root_token_, "POST", "/v1/webhooks", {{"url", by_name.url("localhost")}});
  by_name.set_secret(std::string(named.at("secret").as_string()));

  const auto customer = make_customer("acme", 0);
  make_license(customer, kNow + kDay);
  advance(kDay + 60);
  ASSERT_TRUE(trusted.wait_for(1, 30));
  ASSERT_TRUE(by_name.wait_for(1, 30));
  for (const auto* receiver : {&trusted, &by_name}) {
    const auto got = receiver->received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].signature_ok);
    EXPECT_EQ(got[0].event_type, "license.expired");
  }
  // The other's certificate is refused at the handshake: nothing is sent, the attempt fails with
  // the reason and stays pending for its retry.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (untrusted.failed_handshakes() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GT(untrusted.failed_handshakes(), 0);
  EXPECT_TRUE(untrusted.received().empty());
  expect_refused_certificate(refused);
}

TEST_P(HttpsWebhooks, ACertificateForAnotherHostIsRefused) {
  // Issued for 127.0.0.1 and localhost, reached as 127.0.0.2 (loopback too, another address).
  WebhookReceiver receiver(issued(*ca_, "elsewhere"), "127.0.0.2");
  wait_for_event_sweep();
  const auto created = ok(root_token_, "POST", "/v1/webhooks", {{"url", receiver.url()}});
  receiver.set_secret(std::string(created.at("secret").as_string()));
  make_license(make_customer("acme", 0), kNow + kDay);
  advance(kDay + 60);
  expect_refused_certificate(id_of(created));
  EXPECT_TRUE(receiver.received().empty());
}

TEST(WebhookUrl, OneReadingForTheCheckAndThePost) {
  const auto https = domain::parse_webhook_url("https://hooks.example/in?site=3");
  EXPECT_TRUE(https.tls);
  EXPECT_EQ(https.host, "hooks.example");
  EXPECT_EQ(https.port, "443");
  EXPECT_EQ(https.target, "/in?site=3");
  const auto v6 = domain::parse_webhook_url("http://[::1]:8080");
  EXPECT_FALSE(v6.tls);
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "8080");
  EXPECT_EQ(v6.target, "/");
  EXPECT_THROW(domain::parse_webhook_url("https://" + std::string(2048, 'a')), domain::DomainError);
  // The host is percent-decoded: encoded control characters or slashes would reach the resolver
  // and the Host header (found by fuzz_webhook_url). Encoded letters are still a name.
  for (const char* encoded : {"https://h%1e.example/", "https://h%0d%0aX-Evil:1.example/",
                              "http://h%2fx.example/", "http://h%40x.example/", "http://[v1.x]/"})
    EXPECT_THROW(domain::parse_webhook_url(encoded), domain::DomainError) << encoded;
  EXPECT_EQ(domain::parse_webhook_url("http://%68ooks.example/").host, "hooks.example");
  EXPECT_EQ(domain::parse_webhook_url("http://hooks.example:08080/").port, "8080");
}

TEST(WebhookClient, ATrustStoreThatCannotBeReadStopsTheStartWithItsName) {
  TempDir dir;
  const auto not_pem = dir.path() / "not.pem";
  std::ofstream(not_pem) << "not a certificate\n";
  for (const auto& file : {(dir.path() / "missing.pem").string(), not_pem.string()}) {
    try {
      http::make_webhook_client(file);
      ADD_FAILURE() << file << " was taken";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("events.webhook_ca_file " + file), std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(http::make_webhook_client(""));  // the system's trust store
}

}  // namespace
}  // namespace lmp::test
