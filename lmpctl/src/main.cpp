// lmpctl: the command-line client of lmpd's admin HTTP API (docs/lmpctl.md).
#include <cstdlib>
#include <iostream>

#include "runner.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto env = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  const int status = lmpctl::run(args, env, std::cout, std::cerr);
  std::cout.flush();
  return status;
}
