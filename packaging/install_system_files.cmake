# Installs the files that live outside /usr on a system install: the config in /etc/lmpd and the
# systemd unit. With prefix /usr (the package) they go to /etc/lmpd and /lib/systemd/system, as
# Debian wants; with any other prefix under it (PREFIX/etc/lmpd, PREFIX/lib/systemd/system, the
# unit's paths rewritten to match), so that `cmake --install build --prefix X` writes nothing
# outside X. Decided here, at install time, since --prefix may differ from the configured prefix.
# Needs lmp_packaging_dir (this folder) and lmp_packaging_build_dir (a scratch folder) set first.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  file(INSTALL DESTINATION /etc/lmpd TYPE FILE FILES "${lmp_packaging_dir}/lmpd.yaml")
  file(INSTALL DESTINATION /lib/systemd/system TYPE FILE FILES "${lmp_packaging_dir}/lmpd.service")
else()
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/etc/lmpd" TYPE FILE
       FILES "${lmp_packaging_dir}/lmpd.yaml")
  file(READ "${lmp_packaging_dir}/lmpd.service" unit)
  foreach(path /usr/sbin/ /usr/share/ /etc/lmpd/)
    string(REGEX REPLACE "^/usr" "" under_prefix "${path}")
    foreach(before "=" " " "file://")
      string(REPLACE "${before}${path}" "${before}${CMAKE_INSTALL_PREFIX}${under_prefix}" unit
             "${unit}")
    endforeach()
  endforeach()
  file(WRITE "${lmp_packaging_build_dir}/lmpd.service" "${unit}")
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE
       FILES "${lmp_packaging_build_dir}/lmpd.service")
endif()
