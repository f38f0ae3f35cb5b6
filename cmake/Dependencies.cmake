# Every dependency comes from Debian's packages (scripts/bootstrap installs them).
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
