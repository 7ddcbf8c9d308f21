// Broken plugin: the family name fills its whole field with no terminating NUL.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,
    lmp::sdk::kAbiMinor,
    sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG,
    {'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
     'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'},
    "1.0.0"};
LMP_TEST_CREATE_ENTRY
LMP_TEST_DESTROY_ENTRY
