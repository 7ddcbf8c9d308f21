# CTest script: installs the `sdk` component into a scratch prefix, builds an outside plugin with
# find_package(lmp-sdk 1.0) and lmp_add_family_plugin(), checks that a 2.0 request is refused,
# then has plugin_loader_tests load the plugin it built; with CLANG_COMPILER, builds and loads it
# once more with Clang (the daemon's GCC build must take a plugin of the same standard library).
# Inputs (-D): BUILD_DIR, CONSUMER_SOURCE_DIR, WORK_DIR, INSTALL_DATADIR, INSTALL_INCLUDEDIR,
#              GENERATOR, CXX_COMPILER, TEST_EXE; optional CLANG_COMPILER.
cmake_minimum_required(VERSION 3.25)

function(run description)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${description} failed (${rc}):\n${out}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run("installing the sdk component"
    ${CMAKE_COMMAND} --install ${BUILD_DIR} --component sdk --prefix ${prefix})

set(package_dir ${prefix}/${INSTALL_DATADIR}/cmake/lmp-sdk)
foreach(file
    ${prefix}/${INSTALL_INCLUDEDIR}/lmp/sdk/family.hpp
    ${prefix}/${INSTALL_INCLUDEDIR}/lmp/sdk/plugin.hpp
    ${package_dir}/lmp-sdkConfig.cmake
    ${package_dir}/lmp-sdkConfigVersion.cmake
    ${package_dir}/lmp-sdkTargets.cmake
    ${package_dir}/lmp-sdk-functions.cmake)
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "the sdk component did not install ${file}")
  endif()
endforeach()

set(configure_args -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
run("configuring the outside plugin project"
    ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build ${configure_args})
run("building the outside plugin" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
set(plugin ${WORK_DIR}/build/lmp_family_consumer.so)
if(NOT EXISTS ${plugin})
  message(FATAL_ERROR "the outside build produced no ${plugin}")
endif()

# SameMajorVersion: an SDK 2.0 request must not be satisfied by the 1.x package.
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build_v2 ${configure_args}
          -DLMP_SDK_REQUEST=2.0
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "lmp-sdk")
  message(FATAL_ERROR "find_package(lmp-sdk 2.0) was not refused (${rc}):\n${out}")
endif()

# load_plugin(PLUGIN COMPILER): plugin_loader_tests loads PLUGIN, whose toolchain tag must name
# COMPILER unless that is empty.
function(load_plugin plugin compiler)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env LMP_EXTERNAL_PLUGIN=${plugin}
            LMP_EXTERNAL_PLUGIN_COMPILER=${compiler} ${TEST_EXE} --gtest_filter=ExternalPlugin.*
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  # A skip exits 0 too, so the run must show the test passing, not merely no failure.
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\\[  PASSED  \\] 1 test" OR out MATCHES "SKIPPED")
    message(FATAL_ERROR "loading the outside plugin ${plugin} failed (${rc}):\n${out}")
  endif()
endfunction()
load_plugin(${plugin} "")

if(CLANG_COMPILER)
  run("configuring the outside plugin project with Clang"
      ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build_clang -G ${GENERATOR}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CLANG_COMPILER}
      -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  run("building the outside plugin with Clang" ${CMAKE_COMMAND} --build ${WORK_DIR}/build_clang)
  load_plugin(${WORK_DIR}/build_clang/lmp_family_consumer.so clang)
endif()
