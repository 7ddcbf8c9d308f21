# lmp_add_family_plugin(): builds an lmpd family plugin. Shared by lmpd's own plugins and, through
# the installed lmp-sdk package, by outside plugin authors, so both get the same flags.
include_guard(GLOBAL)

# lmp_add_family_plugin(<target> <source>...)
# Creates a MODULE library named exactly <target>.so (no "lib" prefix: the daemon loads plugins by
# file name from its plugin directory, never through the linker), linked to lmp::sdk.
# Hidden visibility keeps the plugin's own classes out of the daemon's symbol namespace; only the
# LMP_PLUGIN_EXPORT entry points of LMP_DECLARE_FAMILY_PLUGIN stay visible.
# C++20 is required because the SDK headers are C++20.
function(lmp_add_family_plugin target)
  if(ARGC LESS 2)
    message(FATAL_ERROR "lmp_add_family_plugin(${target}): no source files given")
  endif()
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE lmp::sdk)
  target_compile_features(${target} PRIVATE cxx_std_20)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
