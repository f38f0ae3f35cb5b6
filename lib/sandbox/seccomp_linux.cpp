// The task's seccomp filter: compiled at build time (seccomp_gen.cpp holds the rules) into
// seccomp_filter.inc, so a start costs no libseccomp work.
#include "sandbox/seccomp_linux.hpp"

namespace ia::sandbox {

namespace {

constexpr sock_filter k_program[] = {
#include "sandbox/seccomp_filter.inc"
};

}  // namespace

std::vector<sock_filter> seccomp_filter() {
  return std::vector<sock_filter>(std::begin(k_program), std::end(k_program));
}

}  // namespace ia::sandbox
