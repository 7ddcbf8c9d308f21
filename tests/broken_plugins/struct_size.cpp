// Broken plugin: its descriptor claims to end before the `version` field every ABI 1.0
// descriptor has.
#include <cstddef>

#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,   lmp::sdk::kAbiMinor,  offsetof(lmp::sdk::PluginDescriptor, version),
    LMP_SDK_TOOLCHAIN_TAG, "broken_struct_size", "1.0.0"};
LMP_TEST_CREATE_ENTRY
LMP_TEST_DESTROY_ENTRY
