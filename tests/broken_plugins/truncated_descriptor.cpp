// Broken plugin: the descriptor symbol is a shorter object than the struct_size it claims, so
// reading the whole descriptor would run past it.
#include <cstdint>

#include "minimal_family.hpp"

namespace lmp_test {
struct ShortDescriptor {
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  std::uint32_t struct_size;
  char toolchain[48];
};
}  // namespace lmp_test

extern "C" LMP_PLUGIN_EXPORT const lmp_test::ShortDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor, lmp::sdk::kAbiMinor, sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG};
LMP_TEST_CREATE_ENTRY
LMP_TEST_DESTROY_ENTRY
