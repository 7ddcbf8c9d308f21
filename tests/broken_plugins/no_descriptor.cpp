// Broken plugin: a valid shared library that exports no lmp_plugin_descriptor, like any
// unrelated .so dropped into the plugin directory.
#include "lmp/sdk/plugin.hpp"

extern "C" LMP_PLUGIN_EXPORT int lmp_test_unrelated_function(int value) {
  return value * 2;
}
