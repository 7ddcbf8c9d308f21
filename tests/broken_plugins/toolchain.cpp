// Broken plugin: claims a different compiler and standard library, whose std::string and vtable
// layout the daemon cannot trust.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor, lmp::sdk::kAbiMinor, sizeof(lmp::sdk::PluginDescriptor),
    "msvc/msvc-stl",     "broken_toolchain",  "1.0.0"};
LMP_TEST_CREATE_ENTRY
LMP_TEST_DESTROY_ENTRY
