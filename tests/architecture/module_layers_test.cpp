// The module order of docs/architecture.md, checked against the source: every `#include` of a
// module's file names a module at or below it, and the doc's dependency diagram is the one the
// includes really make (the test prints the diagram to paste when they differ).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Module {
  std::string name;    // as it is included: "seat" in #include "seat/..."
  std::string folder;  // relative to the source root
  int rank;            // a module may include modules of lower or equal rank only
};

// Lowest first. Peers share a rank and must not include each other either (checked below).
const std::vector<Module>& modules() {
  static const std::vector<Module> all = {
      {"lmp", "sdk/include/lmp", 0},  // the public SDK: <lmp/sdk/...>, standard library only
      {"core", "daemon/core", 1},       {"protocol", "daemon/protocol", 2},
      {"metrics", "daemon/metrics", 2}, {"domain", "daemon/domain", 3},
      {"storage", "daemon/storage", 4}, {"config", "config", 5},
      {"plugin", "daemon/plugin", 6},   {"seat", "daemon/seat", 7},
      {"net", "daemon/net", 8},         {"http", "daemon/http", 9},
      {"admin", "daemon/admin", 10},    {"app", "daemon/app", 10},
  };
  return all;
}

const Module* module_named(const std::string& name) {
  for (const auto& m : modules())
    if (m.name == name) return &m;
  return nullptr;
}

struct Include {
  std::string file;  // relative to the source root
  int line;
  std::string target;  // the included path
  const Module* from;
  const Module* to;
};

// The includes of `file` with a folder in their path: line number, the included path, and its
// first folder.
std::vector<std::tuple<int, std::string, std::string>> includes_of(const fs::path& file) {
  static const std::regex include_re(R"re(^\s*#\s*include\s*[<"](([a-z_]+)/[^>"]+)[>"])re");
  std::vector<std::tuple<int, std::string, std::string>> out;
  std::ifstream in(file);
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    std::smatch match;
    if (std::regex_search(text, match, include_re)) out.emplace_back(number, match[1], match[2]);
  }
  return out;
}

std::vector<Include> module_includes() {
  const fs::path root = LMP_SOURCE_DIR;
  std::vector<Include> out;
  for (const auto& m : modules()) {
    if (!fs::exists(root / m.folder)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / m.folder)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h")) continue;
      for (const auto& [number, target, prefix] : includes_of(entry.path())) {
        const Module* to = module_named(prefix);
        if (to == nullptr) continue;  // a library's header (<boost/...>, <soci/...>)
        out.push_back({fs::relative(entry.path(), root).string(), number, target, &m, to});
      }
    }
  }
  return out;
}

TEST(ModuleLayers, NoModuleIncludesAModuleAboveIt) {
  std::vector<std::string> violations;
  for (const auto& inc : module_includes()) {
    if (inc.from == inc.to) continue;
    if (inc.to->rank < inc.from->rank) continue;
    violations.push_back(inc.file + ":" + std::to_string(inc.line) + " includes " + inc.target +
                         ": " + inc.from->name + " may not include " + inc.to->name +
                         (inc.to->rank == inc.from->rank ? " (a peer)" : " (above it)"));
  }
  std::sort(violations.begin(), violations.end());
  std::string report;
  for (const auto& v : violations) report += "  " + v + "\n";
  EXPECT_TRUE(violations.empty()) << violations.size() << " include(s) against the module order "
                                  << "of docs/architecture.md:\n"
                                  << report;
}

// The endpoint client is no module of the daemon: it shares only lmp_jose (daemon/core/
// CMakeLists.txt: base64url and Ed25519, standard library and OpenSSL only) and, for lmp-run,
// lmp_cli (the command-line parser: standard library and Boost.Program_options), and those files
// include nothing else of the daemon, so the client never pulls in the rest of core.
TEST(ModuleLayers, TheClientSharesOnlyTheJoseAndCommandLinePiecesOfCore) {
  const std::set<std::string> shared = {"core/base64url.hpp", "core/ed25519.hpp",
                                        "core/command_line.hpp"};
  const fs::path root = LMP_SOURCE_DIR;
  std::vector<std::string> violations;
  auto scan = [&](const fs::path& file) {
    for (const auto& [number, target, prefix] : includes_of(file)) {
      if (target.rfind("lmp/client/", 0) == 0) continue;  // the client's own public headers
      if (module_named(prefix) == nullptr || shared.count(target)) continue;
      violations.push_back(fs::relative(file, root).string() + ":" + std::to_string(number) +
                           " includes " + target);
    }
  };
  for (const auto& entry : fs::recursive_directory_iterator(root / "client"))
    if (entry.is_regular_file()) scan(entry.path());
  for (const auto& header : shared) {
    scan(root / "daemon" / header);
    scan((root / "daemon" / header).replace_extension(".cpp"));
  }
  std::string report;
  for (const auto& v : violations) report += "  " + v + "\n";
  EXPECT_TRUE(violations.empty()) << "the client, lmp_jose and lmp_cli may include only their "
                                  << "own headers of the daemon:\n"
                                  << report;
}

// The Mermaid diagram of who includes whom, one line per edge: the higher module first, then by
// name. The SDK's include prefix `lmp` is shown as `sdk`.
std::string diagram() {
  using Edge = std::tuple<int, std::string, int, std::string>;
  std::set<Edge> edges;
  auto label = [](const Module* m) { return m->name == "lmp" ? std::string("sdk") : m->name; };
  for (const auto& inc : module_includes())
    if (inc.from != inc.to)
      edges.insert({-inc.from->rank, label(inc.from), -inc.to->rank, label(inc.to)});
  std::ostringstream out;
  out << "```mermaid\n"
      << "graph TD\n";
  for (const auto& [from_rank, from, to_rank, to] : edges)
    out << "  " << from << " --> " << to << "\n";
  out << "```\n";
  return out.str();
}

// With LMP_UPDATE_MODULE_GRAPH=1 (scripts/update-module-graph.sh) the test writes the diagram
// into the doc instead of comparing.
TEST(ModuleLayers, TheArchitectureDocShowsTheDependenciesAsTheyAre) {
  const fs::path path = fs::path(LMP_SOURCE_DIR) / "docs" / "architecture.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "docs/architecture.md is missing";
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string doc = buffer.str();
  const std::string begin = "<!-- module-graph:begin -->\n";
  const std::string end = "<!-- module-graph:end -->";
  const auto from = doc.find(begin);
  const auto to = doc.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/architecture.md has no " << begin;
  ASSERT_NE(to, std::string::npos) << "docs/architecture.md has no " << end;
  const std::string shown = doc.substr(from + begin.size(), to - from - begin.size());
  if (const char* update = std::getenv("LMP_UPDATE_MODULE_GRAPH"); update && *update == '1') {
    doc.replace(from + begin.size(), shown.size(), diagram());
    std::ofstream(path) << doc;
    return;
  }
  EXPECT_TRUE(shown == diagram())
      << "the diagram in docs/architecture.md is not the one the includes make; run "
         "scripts/update-module-graph.sh. It should be:\n"
      << diagram();
}

}  // namespace
