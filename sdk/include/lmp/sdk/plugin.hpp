// How a shared library becomes an lmpd family plugin: a descriptor the daemon reads before it
// runs any plugin code, and a factory. Public SDK header: standard library only.
#pragma once

#include <cstdint>

#include "lmp/sdk/family.hpp"

namespace lmp::sdk {

// ABI policy (docs/plugin-guide.md): a new major breaks existing plugins and the daemon refuses
// any other major; a new minor only adds, so the daemon accepts plugins built against its own or
// an older minor and refuses a newer one.
inline constexpr std::uint32_t kAbiMajor = 1;
// 1.1: settings_schema(), overage_percent(), permanent()
inline constexpr std::uint32_t kAbiMinor = 1;

// Identifies the C++ ABI the plugin was compiled for, as "compiler/standard library". The
// interface passes std::string and virtual calls across the boundary, so the standard library's
// ABI (the part after the '/') must match the daemon's; the compiler's name is for information
// only, since GCC and Clang share the Itanium C++ ABI and may build plugins for each other.
#if defined(__clang__)
#define LMP_SDK_COMPILER "clang"
#elif defined(__GNUC__)
#define LMP_SDK_COMPILER "gcc"
#else
#define LMP_SDK_COMPILER "unknown"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define LMP_SDK_STDLIB "libstdc++-cxx11"
#elif defined(__GLIBCXX__)
#define LMP_SDK_STDLIB "libstdc++-legacy"
#elif defined(_LIBCPP_VERSION)
#define LMP_SDK_STDLIB "libc++"
#else
#define LMP_SDK_STDLIB "unknown"
#endif
#define LMP_SDK_TOOLCHAIN_TAG LMP_SDK_COMPILER "/" LMP_SDK_STDLIB

// Plain data, read by the daemon straight from the library's symbol table after dlopen and
// before any plugin function is called. Fields are only ever appended (struct_size tells how many
// the plugin knows).
struct PluginDescriptor {
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  std::uint32_t struct_size;
  char toolchain[48];
  char family[32];   // the family name products refer to, e.g. "software"
  char version[32];  // the plugin's own version, for logs
};

// Exported symbol names, looked up with dlsym semantics.
inline constexpr const char* kDescriptorSymbol = "lmp_plugin_descriptor";
inline constexpr const char* kCreateSymbol = "lmp_plugin_create";
inline constexpr const char* kDestroySymbol = "lmp_plugin_destroy";

using CreateFamilyFn = Family* (*)(Host* host);
using DestroyFamilyFn = void (*)(Family* family);

}  // namespace lmp::sdk

#define LMP_PLUGIN_EXPORT __attribute__((visibility("default")))

// Declares a family plugin in exactly one source file of the plugin:
//   LMP_DECLARE_FAMILY_PLUGIN(MyFamily, "my_family", "1.0.0")
// MyFamily must derive from lmp::sdk::Family and be constructible from `lmp::sdk::Host&`.
// The daemon owns the created instance and hands it back to lmp_plugin_destroy.
#define LMP_DECLARE_FAMILY_PLUGIN(FamilyClass, family_name, plugin_version)                    \
  extern "C" LMP_PLUGIN_EXPORT const ::lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {    \
      ::lmp::sdk::kAbiMajor, ::lmp::sdk::kAbiMinor, sizeof(::lmp::sdk::PluginDescriptor),      \
      LMP_SDK_TOOLCHAIN_TAG, family_name,           plugin_version};                           \
  extern "C" LMP_PLUGIN_EXPORT ::lmp::sdk::Family* lmp_plugin_create(::lmp::sdk::Host* host) { \
    return new FamilyClass(*host);                                                             \
  }                                                                                            \
  extern "C" LMP_PLUGIN_EXPORT void lmp_plugin_destroy(::lmp::sdk::Family* family) {           \
    delete family;                                                                             \
  }
