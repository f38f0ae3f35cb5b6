# Every dependency, found here and nowhere else; each comes from Debian's packages
# (scripts/bootstrap installs them). The modules under lib/ link the targets made here.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(simdjson REQUIRED)
# Debian's tomlplusplus CMake and pkg-config files name a shared library that the
# package does not ship; toml++ is header-only, so we find the header and nothing else.
find_path(TOMLPP_INCLUDE_DIR toml++/toml.h REQUIRED)
add_library(ia_tomlplusplus INTERFACE)
target_include_directories(ia_tomlplusplus SYSTEM INTERFACE ${TOMLPP_INCLUDE_DIR})
target_compile_definitions(ia_tomlplusplus INTERFACE TOML_HEADER_ONLY=1)
find_package(OpenSSL REQUIRED)  # TLS in the scheduler (Boost.Asio SSL), token hashes
find_package(Boost 1.81 REQUIRED)  # Beast: the HTTP server and ia-node's lean client
find_package(CURL REQUIRED)  # the client tools' HTTP client
find_package(SQLite3 REQUIRED)  # the embedded store
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # the PostgreSQL store

if(IA_PLATFORM STREQUAL "linux")
  # The seccomp filter is compiled at build time by a program on libseccomp.
  pkg_check_modules(LIBSECCOMP REQUIRED IMPORTED_TARGET libseccomp)
  # libdbus-1 is dlopen()ed by idle detection (its headers only) and linked by the tests'
  # stand-in logind.
  pkg_check_modules(DBUS REQUIRED IMPORTED_TARGET dbus-1)
endif()

if(IA_BUILD_TESTS AND NOT CMAKE_CROSSCOMPILING)
  find_package(Catch2 REQUIRED)
  find_program(BATS bats REQUIRED)
endif()
