// Broken plugin: the factory returns no family.
#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,   lmp::sdk::kAbiMinor,   sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG, "broken_factory_null", "1.0.0"};
extern "C" LMP_PLUGIN_EXPORT lmp::sdk::Family* lmp_plugin_create(lmp::sdk::Host*) {
  return nullptr;
}
LMP_TEST_DESTROY_ENTRY
