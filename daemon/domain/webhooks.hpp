// The webhooks' operations (POST/GET/DELETE /v1/webhooks, `lmpctl webhooks`): each caller keeps
// the webhooks of its own place, which receive the events of its subtree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/page.hpp"
#include "domain/webhook.hpp"

namespace lmp::domain {

struct CreatedWebhook {
  Webhook webhook;
  std::string secret;  // shown this once: the server keeps it sealed
};

// A webhook for the caller's place (the parent's: the whole tree) posting to `url`, an http://
// URL with a host (bad_request otherwise), with a fresh random secret. Audited.
CreatedWebhook create_webhook(const Context& ctx, const std::string& url);
// The webhooks the caller sees: its own place's and those below it.
std::vector<Webhook> list_webhooks(const Context& ctx, Page page);
Webhook find_webhook(const Context& ctx, std::int64_t id);  // not_found unless seen
// Deletes it; its pending deliveries are dropped. Audited.
void delete_webhook(const Context& ctx, std::int64_t id);
std::vector<WebhookDelivery> list_deliveries(const Context& ctx, std::int64_t id, Page page);

}  // namespace lmp::domain
