// Broken plugin: built for the next ABI major, which the daemon must refuse before calling it.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor + 1, 0,      sizeof(lmp::sdk::PluginDescriptor), LMP_SDK_TOOLCHAIN_TAG,
    "broken_abi_major",      "1.0.0"};
LMP_TEST_CREATE_ENTRY
LMP_TEST_DESTROY_ENTRY
