// Broken plugin: no family name, so no product could ever refer to it.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,
    lmp::sdk::kAbiMinor,
    sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG,
    "",
    "1.0.0"};
LMP_TEST_CREATE_ENTRY
LMP_TEST_DESTROY_ENTRY
