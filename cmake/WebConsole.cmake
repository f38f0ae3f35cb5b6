# The web console (lib/server/web): bundled by esbuild when Node.js and the packages of its
# package-lock.json (npm ci, which scripts/bootstrap runs) are present, then embedded in
# libia as a generated source file of byte arrays. Without them every tool still builds
# and ia-sched's /web says how to build the console.
#
# Outputs, at fixed paths a release can pick up: ${IA_WEB_DIST} (index.html, assets/*,
# each with its .gz) and ${IA_WEB_BUNDLE_CPP}.

set(IA_WEB_CONSOLE AUTO CACHE STRING
    "Build the web console: AUTO (when Node.js and npm ci's packages are there), ON, OFF")
set_property(CACHE IA_WEB_CONSOLE PROPERTY STRINGS AUTO ON OFF)

set(IA_WEB_SOURCE_DIR ${PROJECT_SOURCE_DIR}/lib/server/web)
set(IA_WEB_DIST ${PROJECT_BINARY_DIR}/web/dist)
set(IA_WEB_BUNDLE_CPP ${PROJECT_BINARY_DIR}/web/web_bundle.cpp)

# Sets <out_var> to the source file that defines ia::server::web_bundle().
function(ia_web_console_source out_var)
  set(missing_cpp ${CMAKE_CURRENT_SOURCE_DIR}/web_bundle_missing.cpp)
  if(IA_WEB_CONSOLE STREQUAL "OFF")
    set(${out_var} ${missing_cpp} PARENT_SCOPE)
    return()
  endif()
  find_program(IA_NODE NAMES node nodejs)
  set(why "")
  if(NOT IA_NODE)
    set(why "no Node.js (node) found")
  elseif(NOT EXISTS ${IA_WEB_SOURCE_DIR}/node_modules/esbuild/package.json)
    set(why "its npm packages are not installed (npm ci in lib/server/web)")
  endif()
  if(why)
    if(IA_WEB_CONSOLE STREQUAL "ON")
      message(FATAL_ERROR "web console: ${why}; run scripts/bootstrap build")
    endif()
    message(STATUS "web console: not built, ${why}; scripts/bootstrap build installs it")
    set(${out_var} ${missing_cpp} PARENT_SCOPE)
    return()
  endif()
  message(STATUS "web console: bundled with ${IA_NODE} into ${IA_WEB_DIST}")
  file(GLOB_RECURSE web_sources CONFIGURE_DEPENDS ${IA_WEB_SOURCE_DIR}/src/*)
  add_custom_command(
    OUTPUT ${IA_WEB_BUNDLE_CPP}
    COMMAND ${IA_NODE} ${IA_WEB_SOURCE_DIR}/build.mjs --dist ${IA_WEB_DIST}
            --cpp ${IA_WEB_BUNDLE_CPP}
    DEPENDS ${IA_WEB_SOURCE_DIR}/build.mjs ${IA_WEB_SOURCE_DIR}/package-lock.json
            ${web_sources}
    WORKING_DIRECTORY ${IA_WEB_SOURCE_DIR}
    COMMENT "Bundling the web console"
    VERBATIM)
  # libia is defined one directory up, where this command's output is not known: a
  # target here runs it, and libia waits for that target.
  add_custom_target(ia_web_bundle DEPENDS ${IA_WEB_BUNDLE_CPP})
  add_dependencies(ia ia_web_bundle)
  set(${out_var} ${IA_WEB_BUNDLE_CPP} PARENT_SCOPE)
endfunction()
