// lmpd.yaml(5) from kSettings: the cells of each settings row, with markdown's `code` as bold.
#include "config/settings_man.hpp"

#include <vector>

#include "config/settings_doc.hpp"

namespace lmp::config {
namespace {

// Markdown text as roff text: `code` in bold, backslashes and minus signs escaped, and a line
// that would start with a control character ('.' or '\'') guarded.
std::string roff(std::string_view markdown) {
  std::string out;
  bool in_code = false;
  for (char c : markdown) {
    if (c == '`') {
      out += in_code ? "\\fR" : "\\fB";
      in_code = !in_code;
    } else if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (in_code) out += "\\fR";
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

constexpr std::string_view kHeadings[][2] = {
    {"listeners", "Listeners"}, {"tls", "TLS (under listeners.seat and listeners.admin)"},
    {"storage", "Storage"},     {"plugins", "Plugins"},
    {"leases", "Leases"},       {"limits", "Limits"},
    {"logging", "Logging"},
};

std::string_view heading_of(std::string_view group) {
  for (const auto& [name, heading] : kHeadings)
    if (name == group) return heading;
  return group;
}

}  // namespace

std::string settings_man_page(std::string_view version) {
  std::string page;
  page += ".TH LMPD.YAML 5 \"\" \"lmpd " + std::string(version) + "\" \"lmpd manual\"\n";
  page += ".SH NAME\nlmpd.yaml \\- configuration file of the lmpd license server\n";
  page += ".SH SYNOPSIS\n/etc/lmpd/lmpd.yaml\n";
  page +=
      ".SH DESCRIPTION\n"
      "lmpd reads one YAML file at start and again on SIGHUP (\\fBsystemctl reload lmpd\\fR). "
      "Every key is optional unless marked required; unknown or duplicate keys are errors, "
      "reported with file, line and column. Relative paths resolve against the file's folder. "
      "\\fBlmpd \\-\\-check\\-config\\fR \\fIFILE\\fR reports every problem without starting "
      "anything.\n"
      ".PP\n"
      "Besides the keys below, \\fBproducts\\fR lists the products the server licenses, each "
      "with \\fBcode\\fR, \\fBname\\fR, \\fBfamily\\fR (the plugin that decides its checkouts), "
      "\\fBunit\\fR, optional \\fBend_of_sale\\fR and \\fBend_of_life\\fR dates and the family's "
      "own \\fBsettings\\fR; /usr/share/doc/lmpd/configuration.md describes them, and "
      "/usr/share/doc/lmpd/lmpd.example.yaml shows every key with its default.\n";
  page += ".SH KEYS\n";
  std::vector<std::string_view> groups;
  for (const Setting& s : kSettings) {
    const std::string_view group = group_of(s);
    if (groups.empty() || groups.back() != group) {
      groups.push_back(group);
      page += ".SS " + std::string(heading_of(group)) + "\n";
    }
    const auto cells = row_cells(s);  // key, type, range, default, doc
    page += ".TP\n" + roff(cells[0]) + "\n";
    page += roff(cells[1]);
    if (!cells[2].empty()) page += ", " + roff(cells[2]);
    if (s.default_value.empty())
      page += "; " + (s.default_note == "none" ? std::string("no default") : roff(cells[3]));
    else
      page += "; default " + roff(cells[3]);
    page += ".\n.br\n" + roff(cells[4]) + "\n";
  }
  page += ".SH SEE ALSO\n.BR lmpd (8),\n.BR lmpctl (1),\n.BR lmp\\-run (1)\n";
  return page;
}

}  // namespace lmp::config
