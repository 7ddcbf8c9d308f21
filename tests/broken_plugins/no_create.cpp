// Broken plugin: a valid descriptor but no factory, so the daemon has nothing to call.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,   lmp::sdk::kAbiMinor, sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG, "broken_no_create",  "1.0.0"};
LMP_TEST_DESTROY_ENTRY
