# Debian's SOCI 4.0.3 ships neither a CMake package nor a .pc file: find it by hand and expose
# imported targets named like upstream's (SOCI::soci_core, SOCI::soci_sqlite3, SOCI::soci_postgresql).
find_path(SOCI_INCLUDE_DIR soci/soci.h)
find_library(SOCI_CORE_LIBRARY soci_core)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql)
find_path(PQ_INCLUDE_DIR libpq-fe.h PATH_SUFFIXES postgresql)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SOCI REQUIRED_VARS SOCI_INCLUDE_DIR SOCI_CORE_LIBRARY
                                  SOCI_SQLITE3_LIBRARY)

if(SOCI_FOUND AND NOT TARGET SOCI::soci_core)
  add_library(SOCI::soci_core UNKNOWN IMPORTED)
  set_target_properties(SOCI::soci_core PROPERTIES IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}")
  add_library(SOCI::soci_sqlite3 UNKNOWN IMPORTED)
  set_target_properties(SOCI::soci_sqlite3 PROPERTIES IMPORTED_LOCATION "${SOCI_SQLITE3_LIBRARY}"
                        INTERFACE_LINK_LIBRARIES SOCI::soci_core)
  if(SOCI_POSTGRESQL_LIBRARY AND PQ_INCLUDE_DIR)
    add_library(SOCI::soci_postgresql UNKNOWN IMPORTED)
    set_target_properties(SOCI::soci_postgresql PROPERTIES
                          IMPORTED_LOCATION "${SOCI_POSTGRESQL_LIBRARY}"
                          INTERFACE_INCLUDE_DIRECTORIES "${PQ_INCLUDE_DIR}"
                          INTERFACE_LINK_LIBRARIES SOCI::soci_core)
  endif()
endif()
