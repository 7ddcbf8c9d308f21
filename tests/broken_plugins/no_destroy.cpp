// Broken plugin: a factory but no lmp_plugin_destroy, so the daemon could never free what the
// plugin allocates with its own allocator.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,   lmp::sdk::kAbiMinor, sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG, "broken_no_destroy", "1.0.0"};
LMP_TEST_CREATE_ENTRY
