// Broken plugin: the factory throws, which the loader must turn into a refusal, not a crash.
#include <stdexcept>

#include "minimal_family.hpp"

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,   lmp::sdk::kAbiMinor,     sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG, "broken_factory_throws", "1.0.0"};
extern "C" LMP_PLUGIN_EXPORT lmp::sdk::Family* lmp_plugin_create(lmp::sdk::Host*) {
  throw std::runtime_error("boom in factory");
}
LMP_TEST_DESTROY_ENTRY
