// Broken plugin: calls a function nothing defines. Loaded lazily it would crash at the first
// checkout; loaded with RTLD_NOW, as the daemon does, it must fail at load time.
#include "minimal_family.hpp"

extern "C" int lmp_test_missing_function(int value);

extern "C" LMP_PLUGIN_EXPORT const lmp::sdk::PluginDescriptor lmp_plugin_descriptor = {
    lmp::sdk::kAbiMajor,   lmp::sdk::kAbiMinor, sizeof(lmp::sdk::PluginDescriptor),
    LMP_SDK_TOOLCHAIN_TAG, "broken_unresolved", "1.0.0"};
extern "C" LMP_PLUGIN_EXPORT lmp::sdk::Family* lmp_plugin_create(lmp::sdk::Host* host) {
  if (lmp_test_missing_function(1) != 1) return nullptr;
  return new lmp_test::MinimalFamily(*host);
}
LMP_TEST_DESTROY_ENTRY
