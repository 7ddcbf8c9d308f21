// lmp_settings_docs: writes the settings tables of docs/configuration.md from kSettings, or with
// --check says where the file disagrees with it (the tests run the same check), or with --man
// VERSION prints the manual page lmpd.yaml(5).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "config/settings_doc.hpp"
#include "config/settings_man.hpp"

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--man") {
    std::cout << lmp::config::settings_man_page(argv[2]);
    return std::cout.flush() ? 0 : 2;
  }
  const bool check = argc == 3 && std::string_view(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::cerr << "usage: lmp_settings_docs [--check] docs/configuration.md\n"
                 "       lmp_settings_docs --man VERSION\n";
    return 2;
  }
  const std::string path = argv[argc - 1];
  std::ifstream in(path);
  if (!in) {
    std::cerr << "lmp_settings_docs: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  in.close();
  if (check) {
    const auto problems = lmp::config::check_settings_tables(text.str(), path);
    for (const auto& problem : problems) std::cerr << problem << "\n";
    return problems.empty() ? 0 : 1;
  }
  std::ofstream out(path, std::ios::trunc);
  out << lmp::config::update_settings_tables(text.str());
  if (!out.flush()) {
    std::cerr << "lmp_settings_docs: cannot write " << path << "\n";
    return 2;
  }
  return 0;
}
