# ia_version_header(OUTPUT): generate OUTPUT from lib/core/version.hpp.in now and again at
# every build (target ia_version), so --version names the commit actually built.
function(ia_version_header output)
  set(args -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
           -DINPUT=${PROJECT_SOURCE_DIR}/lib/core/version.hpp.in
           -DOUTPUT=${output} -DPROJECT_VERSION=${PROJECT_VERSION})
  execute_process(COMMAND ${CMAKE_COMMAND} ${args} -P ${PROJECT_SOURCE_DIR}/cmake/Revision.cmake
                  COMMAND_ERROR_IS_FATAL ANY)
  # BYPRODUCTS: Ninja restats the header, so an unchanged revision rebuilds nothing.
  add_custom_target(ia_version
    COMMAND ${CMAKE_COMMAND} ${args} -P ${PROJECT_SOURCE_DIR}/cmake/Revision.cmake
    BYPRODUCTS ${output}
    COMMENT "Checking the source revision"
    VERBATIM)
endfunction()
