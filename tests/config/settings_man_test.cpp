// lmpd.yaml(5) is made from the settings declaration: every key is on the page with its default,
// and the markdown of the docs becomes roff that man(1) renders without complaint.
#include "config/settings_man.hpp"

#include <gtest/gtest.h>

#include <string>

#include "config/settings_table.hpp"

namespace lmp::config {
namespace {

// A key as the page writes it: bold, with roff's minus signs.
std::string bold_key(std::string_view key) {
  std::string out = "\\fB";
  for (char c : key) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out + "\\fR";
}

TEST(SettingsManPage, NamesEveryKeyWithItsDefault) {
  const std::string page = settings_man_page("9.8.7");
  EXPECT_TRUE(page.starts_with(".TH LMPD.YAML 5 \"\" \"lmpd 9.8.7\"")) << page.substr(0, 80);
  for (const Setting& s : kSettings) {
    const auto at = page.find(".TP\n" + bold_key(s.key) + "\n");
    ASSERT_NE(at, std::string::npos) << s.key;
    const std::string entry = page.substr(at, page.find(".TP", at + 1) - at);
    if (!s.default_value.empty()) {
      EXPECT_NE(entry.find("default \\fB" + std::string(s.default_value) + "\\fR"),
                std::string::npos)
          << entry;
    }
  }
  EXPECT_NE(page.find("\\fBlimits.max_connections\\fR\ninteger, 1 to 1000000; default \\fB4096"),
            std::string::npos);
}

TEST(SettingsManPage, NoLineStartsWithAStrayControlCharacter) {
  const std::string page = settings_man_page("1");
  std::size_t start = 0;
  while (start < page.size()) {
    const std::size_t end = page.find('\n', start);
    const std::string line = page.substr(start, end - start);
    if (line.starts_with(".") || line.starts_with("'")) {
      EXPECT_TRUE(line.starts_with(".TH ") || line.starts_with(".SH ") ||
                  line.starts_with(".SS ") || line == ".TP" || line == ".PP" || line == ".br" ||
                  line.starts_with(".BR "))
          << line;
    }
    EXPECT_EQ(line.find('`'), std::string::npos) << line;  // no markdown left
    start = end + 1;
  }
}

}  // namespace
}  // namespace lmp::config
