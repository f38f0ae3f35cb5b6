# Writes core/version.hpp from version.hpp.in with the version and the revision the
# build comes from. Run as a script at every build (cmake -P), so a new commit shows in
# --version without a reconfigure; configure_file leaves the header untouched when
# nothing changed, so nothing recompiles then.
#   -DSOURCE_DIR=  the source tree   -DINPUT= version.hpp.in   -DOUTPUT= version.hpp
#   -DPROJECT_VERSION=  e.g. 0.1.0
# The revision: from git in a checkout ("-dirty" when tracked files differ from the
# commit); else from the REVISION file scripts/release puts in a release tarball;
# else "unknown".
set(IA_REVISION "")
if(EXISTS "${SOURCE_DIR}/.git")
  find_program(IA_GIT git)
  if(IA_GIT)
    # --exclude='*': the commit's hash whatever tags there are (the version is separate).
    execute_process(
      COMMAND "${IA_GIT}" -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12 "--exclude=*"
      OUTPUT_VARIABLE IA_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
      RESULT_VARIABLE git_status)
    if(NOT git_status EQUAL 0)
      set(IA_REVISION "")
    endif()
  endif()
endif()
if(IA_REVISION STREQUAL "" AND EXISTS "${SOURCE_DIR}/REVISION")
  file(STRINGS "${SOURCE_DIR}/REVISION" IA_REVISION LIMIT_COUNT 1)
endif()
# Only characters that are safe inside the C++ string literal.
string(REGEX REPLACE "[^0-9A-Za-z._+-]" "" IA_REVISION "${IA_REVISION}")
if(IA_REVISION STREQUAL "")
  set(IA_REVISION "unknown")
endif()
configure_file("${INPUT}" "${OUTPUT}" @ONLY)
