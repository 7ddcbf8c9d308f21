// Creating, listing and deleting webhooks within the caller's subtree, and their deliveries.
#include "domain/webhooks.hpp"

#include <boost/json/object.hpp>

#include "core/secure_random.hpp"
#include "domain/domain_error.hpp"
#include "domain/domain_json.hpp"
#include "domain/webhook_url.hpp"

namespace lmp::domain {
namespace {

// The place the caller's webhooks receive the events of: the parent's covers the whole tree
// (also customers made before the first run, and the products' events).
std::string webhook_scope(const Caller& caller) {
  return caller.is_parent() ? "/" : caller.scope;
}

}  // namespace

CreatedWebhook create_webhook(const Context& ctx, const std::string& url) {
  if (ctx.caller.is_anonymous() || ctx.caller.scope.empty()) throw forbidden("no account");
  parse_webhook_url(url);  // refuses what lmpd would not post to
  CreatedWebhook out;
  // 256 random bits, shown once; the database keeps it sealed with the server secret, since
  // signing needs the secret itself (a hash would not do).
  out.secret = "whsec_" + random_hex(32);
  const std::string scope = webhook_scope(ctx.caller);
  const std::int64_t id = ctx.db.webhooks().create(scope, url, out.secret, ctx.now_ms);
  out.webhook = Webhook{id, scope, url, ctx.now_ms, 0, 0, 0};
  ctx.audit("webhook.created", "webhook:" + std::to_string(id), scope, {},
            to_text(webhook_json(out.webhook)));
  return out;
}

std::vector<Webhook> list_webhooks(const Context& ctx, Page page) {
  return ctx.db.webhooks().list(webhook_scope(ctx.caller), page);
}

Webhook find_webhook(const Context& ctx, std::int64_t id) {
  auto webhook = ctx.db.webhooks().find(id);
  const std::string seen = webhook_scope(ctx.caller);
  if (!webhook || webhook->scope.compare(0, seen.size(), seen) != 0) throw not_found("webhook");
  return *webhook;
}

void delete_webhook(const Context& ctx, std::int64_t id) {
  const Webhook webhook = find_webhook(ctx, id);
  ctx.db.webhooks().remove(id);
  ctx.audit("webhook.deleted", "webhook:" + std::to_string(id), webhook.scope,
            to_text(webhook_json(webhook)), {});
}

std::vector<WebhookDelivery> list_deliveries(const Context& ctx, std::int64_t id, Page page) {
  find_webhook(ctx, id);
  return ctx.db.webhooks().deliveries(id, page);
}

}  // namespace lmp::domain
