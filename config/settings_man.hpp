// The manual page lmpd.yaml(5), made from kSettings (settings_table.hpp) like the settings tables
// of docs/configuration.md, so the page and the loader cannot disagree. lmp_settings_docs --man
// writes it at build time; packaging installs it.
#pragma once

#include <string>
#include <string_view>

namespace lmp::config {

// The whole page in roff (man(7)): every key with its type, range, default and doc, grouped as in
// docs/configuration.md. `version` goes into the page's footer.
std::string settings_man_page(std::string_view version);

}  // namespace lmp::config
