// Loading one family plugin: every check the daemon makes on a shared library before it trusts it
// with a product family (format, descriptor, ABI, toolchain, entry points, factory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "lmp/sdk/plugin.hpp"

namespace lmp::plugin {

// A family created by a plugin that passed every check.
struct LoadedFamily {
  std::string name;     // the descriptor's family name
  std::string version;  // the descriptor's plugin version
  std::string path;     // the file it came from, as given to the loader
  // The deleter hands the instance back to the plugin's lmp_plugin_destroy and only then releases
  // the library, so the plugin's code stays mapped for as long as any copy of this pointer lives.
  std::shared_ptr<sdk::Family> family;
  // The SDK minor the plugin was built against: the daemon calls a Family method added in a
  // later minor only when this is at least that minor.
  std::uint32_t abi_minor = 0;
  std::string toolchain = {};  // the descriptor's toolchain tag ("clang/libstdc++-cxx11"), for logs
};

// Why a plugin file was refused.
struct LoadFailure {
  std::string path;
  std::string reason;
  // "plugin <path>: <reason>", one line.
  std::string to_string() const;
};

// Loads one plugin file and creates its family with `host`, which must outlive the family.
// Checks, in order, each one refusing the file with its own reason: a regular file; an ELF shared
// object (read with library_info, without running any of its code); an exported
// lmp_plugin_descriptor; loadable with RTLD_NOW | RTLD_LOCAL (so an unresolved symbol fails here,
// not at first call); descriptor ABI major equal to and minor not newer than the daemon's; a
// struct_size covering ABI 1.0's fields and backed by the symbol's real size; the daemon's
// standard-library ABI (the toolchain tag's part after '/': the compiler's name may differ); a
// valid family name (lowercase letters, digits, '_', starting with a letter); both entry points
// present; a factory that neither throws nor returns null.
// Never throws. Thread-safe (dlopen is); plugins' static initialisers run during the load step.
std::variant<LoadedFamily, LoadFailure> load_family_plugin(const std::filesystem::path& file,
                                                           sdk::Host& host);

}  // namespace lmp::plugin
