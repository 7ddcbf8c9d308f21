// The HTTP client that posts events to webhooks (Boost.Beast, plain http): the domain's
// WebhookSender (domain/webhook_delivery.hpp).
#pragma once

#include <memory>

#include "domain/webhook_delivery.hpp"

namespace lmp::http {

// Each post resolves, connects, sends and reads the answer within kSendTimeout, on an
// io_context of its own on the caller's thread (the webhook dispatcher's). User-Agent lmpd.
std::unique_ptr<domain::WebhookSender> make_webhook_client();

}  // namespace lmp::http
