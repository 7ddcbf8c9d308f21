// The steps of one run and the mapping of each outcome to output and an exit status.
#include "runner.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <set>

#include "api_call.hpp"
#include "name_lookup.hpp"
#include "render.hpp"
#include "site_status.hpp"
#include "transport.hpp"

namespace lmpctl {
namespace json = boost::json;

namespace {

// An answer to stop at, with its exit status and message for stderr.
struct Refusal {
  int status;
  std::string message;
};

// "not_found: no such partner (HTTP 404)" when the body is the API's error object
// ({"error": {"code": ..., "message": ...}}), else nothing.
std::optional<std::string> api_error(const HttpAnswer& answer) {
  std::error_code ec;
  json::value body = json::parse(answer.body, ec);
  if (ec || !body.is_object()) return std::nullopt;
  const auto* error = body.get_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  const auto* code = error->get_object().if_contains("code");
  if (code == nullptr || !code->is_string()) return std::nullopt;
  std::string out(code->get_string());
  const auto* message = error->get_object().if_contains("message");
  if (message && message->is_string()) out += ": " + std::string(message->get_string());
  return out + " (HTTP " + std::to_string(answer.status) + ")";
}

// The API's error, or the status and the start of the body of any other answer.
std::string describe_error(const HttpAnswer& answer) {
  if (auto error = api_error(answer)) return *error;
  std::string shown = answer.body.substr(0, 200);
  while (!shown.empty() && (shown.back() == '\n' || shown.back() == '\r')) shown.pop_back();
  return "HTTP " + std::to_string(answer.status) + (shown.empty() ? "" : ": " + shown);
}

class Session {
 public:
  Session(const Settings& settings, bool send_token)
      : settings_(settings),
        transport_(make_transport(parse_server_url(settings.server), settings.ca_file)),
        token_(send_token ? settings.token : std::string()) {}

  // The answer's JSON body; throws Refusal for anything but a 200 with JSON.
  json::value call(const ApiCall& call, std::string* raw = nullptr) {
    HttpAnswer answer = exchange(call);
    std::error_code ec;
    json::value body = json::parse(answer.body, ec);
    if (ec) throw Refusal{kExitNoService, "the answer is not JSON: " + answer.body.substr(0, 200)};
    if (raw != nullptr) *raw = std::move(answer.body);
    return body;
  }

  // The answer's body as it is (CSV); throws Refusal for anything but a 200.
  std::string call_text(const ApiCall& call) { return exchange(call).body; }

 private:
  HttpAnswer exchange(const ApiCall& call) {
    HttpExchange request{call.method, call.target(),
                         call.body ? json::serialize(*call.body) : std::string(), token_};
    HttpAnswer answer = transport_->exchange(
        request, settings_.timeout + std::chrono::seconds(call.extra_timeout_seconds));
    // Only lmpd's own refusals exit 1: a 4xx without the API's error object comes from some
    // other server (a proxy, a web server on the wrong port), which is no usable service.
    if (answer.status != 200) {
      const bool refused = answer.status >= 400 && answer.status < 500 && api_error(answer);
      throw Refusal{refused ? kExitApiError : kExitNoService,
                    refused ? describe_error(answer)
                            : "not an answer of lmpd's API: " + describe_error(answer)};
    }
    return answer;
  }

  const Settings& settings_;
  std::unique_ptr<Transport> transport_;
  std::string token_;
};

const json::value* next_of(const json::value& page) {
  if (!page.is_object()) return nullptr;
  const auto* items = page.get_object().if_contains("items");
  const auto* next = page.get_object().if_contains("next");
  return items && items->is_array() && next ? next : nullptr;
}

// Every page from the first: one {"items": [...], "next": null}.
json::value all_pages(Session& session, const ApiCall& first) {
  json::value page = session.call(first);
  json::array items;
  std::set<std::string> cursors;
  while (true) {
    const json::value* next = next_of(page);
    if (next == nullptr) return page;  // not a list: nothing to follow
    for (auto& item : page.get_object().at("items").get_array()) items.push_back(std::move(item));
    if (!next->is_string()) break;
    const std::string cursor(next->get_string());
    // A server repeating a cursor would keep lmpctl paging for ever.
    if (!cursors.insert(cursor).second)
      throw Refusal{kExitNoService, "the server repeated the cursor " + cursor};
    page = session.call(first.with_after(cursor));
  }
  json::object out;
  out["items"] = std::move(items);
  out["next"] = nullptr;
  return out;
}

void print_human(const json::value& answer, const CommandSpec& spec, std::ostream& out,
                 std::ostream& err) {
  const auto each = spec.text_field.find("[].");
  if (each != std::string_view::npos && answer.is_object()) {
    const json::value* list = answer.get_object().if_contains(spec.text_field.substr(0, each));
    if (list != nullptr && list->is_array()) {
      for (const auto& item : list->get_array()) {
        const json::value* text =
            item.is_object() ? item.get_object().if_contains(spec.text_field.substr(each + 3))
                             : nullptr;
        if (text != nullptr && text->is_string())
          out << std::string_view(text->get_string()) << "\n";
      }
      return;
    }
  }
  if (!spec.text_field.empty() && answer.is_object()) {
    const json::value* text = answer.get_object().if_contains(spec.text_field);
    if (text != nullptr && text->is_string()) {
      // As text: streaming a json::string would print it as JSON, quoted.
      out << std::string_view(text->get_string()) << "\n";
      return;
    }
  }
  const json::value* next = next_of(answer);
  if (next != nullptr) {
    out << render_items(answer.get_object().at("items").get_array(), spec.columns);
    if (next->is_string())
      err << "(more: add --after " << next->get_string() << ", or --all for every page)\n";
    return;
  }
  // A report: its rows as a table, without pages.
  const auto* items = answer.is_object() ? answer.get_object().if_contains("items") : nullptr;
  if (items != nullptr && items->is_array()) {
    out << render_items(items->get_array(), spec.columns);
    return;
  }
  if (answer.is_object())
    out << render_object(answer.get_object());
  else
    out << json::serialize(answer) << "\n";
}

// Every item of every page of GET `path`, narrowed to `product` when one is given.
json::array every_item(Session& session, const std::string& path,
                       const std::vector<std::string>* product) {
  ApiCall call{"GET", path, {{"limit", "1000"}}, std::nullopt};
  if (product != nullptr) call.query.emplace_back("product", product->front());
  return std::move(all_pages(session, call).as_object()["items"].as_array());
}

int site_status(const CommandLine& line, const Settings& settings, std::ostream& out) {
  Session session(settings, true);
  const auto found = line.values.find("product");
  const std::vector<std::string>* product = found == line.values.end() ? nullptr : &found->second;
  const json::array licenses = every_item(session, "/v1/licenses", product);
  const json::array leases = every_item(session, "/v1/leases", product);
  const json::object status = lmpctl::site_status(licenses, leases);
  if (line.globals.json)
    out << json::serialize(status) << "\n";
  else
    print_site_status(status, out);
  return kExitOk;
}

int execute(const CommandLine& line, const Environment& env, std::ostream& out, std::ostream& err) {
  const CommandSpec& spec = *line.command;
  const Settings settings = resolve_settings(line.globals, env);
  // `api` sends the token whenever there is one: it cannot know whether the endpoint needs it.
  const bool generic = spec.method.empty();
  if (spec.auth && settings.token.empty())
    throw UsageError("no token: give --token, set LMPCTL_TOKEN, or put token: in the config file");
  if (spec.composite == Composite::site_status) return site_status(line, settings, out);
  Session session(settings, spec.auth || generic);
  CommandLine resolved = line;
  resolve_names(resolved,
                [&](const std::string& path) { return every_item(session, path, nullptr); });
  ApiCall call = build_call(resolved);
  if (line.globals.csv) {
    call.query.emplace_back("format", "csv");
    out << session.call_text(call);
    return kExitOk;
  }
  if (line.globals.all) {
    json::value answer = all_pages(session, call);
    if (line.globals.json)
      out << json::serialize(answer) << "\n";
    else
      print_human(answer, spec, out, err);
    return kExitOk;
  }
  std::string raw;
  json::value answer = session.call(call, &raw);
  if (line.globals.json) {
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();
    out << raw << "\n";
  } else {
    print_human(answer, spec, out, err);
  }
  return kExitOk;
}

}  // namespace

int run(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
        std::ostream& err) {
  const auto& specs = commands();
  try {
    CommandLine line = parse_command_line(args, specs);
    if (line.globals.version) {
      out << version_text(specs);
      return kExitOk;
    }
    if (line.globals.help) {
      out << help_text(line, specs);
      return kExitOk;
    }
    return execute(line, env, out, err);
  } catch (const UsageError& e) {
    // One line (an unknown command's says where the list is): the usage is long enough to push
    // the line itself out of sight.
    err << "lmpctl: " << e.what() << "\n";
    return kExitUsage;
  } catch (const Refusal& refusal) {
    err << "lmpctl: " << refusal.message << "\n";
    return refusal.status;
  } catch (const TransportError& e) {
    err << "lmpctl: " << e.what() << "\n";
    return kExitNoService;
  }
}

}  // namespace lmpctl
