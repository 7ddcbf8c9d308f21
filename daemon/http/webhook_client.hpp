// The HTTP client that posts events to webhooks (Boost.Beast; https through OpenSSL, the
// receiver's certificate checked against a trust store and the URL's host): the domain's
// WebhookSender (domain/webhook_delivery.hpp).
#pragma once

#include <memory>
#include <string>

#include "domain/webhook_delivery.hpp"

namespace lmp::http {

// Each post resolves, connects, (for https) shakes hands, sends and reads the answer within
// kSendTimeout, on an io_context of its own on the caller's thread (the webhook dispatcher's).
// User-Agent lmpd. https receivers must present a certificate that `ca_file` (PEM; empty: the
// system's trust store) vouches for, issued for the URL's host; TLS 1.2 at least.
// Throws std::runtime_error when `ca_file` cannot be read.
std::unique_ptr<domain::WebhookSender> make_webhook_client(const std::string& ca_file = {});

}  // namespace lmp::http
