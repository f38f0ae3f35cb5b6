// The start-up cost ia-node pays per task: sandbox::run() called from a process that is
// already running, so no ia-sandbox exec, flag parsing or config loading is in it.
// Usage: ia-bench-sandbox-lib -- COMMAND [ARGS...]
// Runs COMMAND once under the sandbox for each line read on stdin and answers each with
// the milliseconds it took (start to outcome), so bench/sandbox/run can interleave it
// with the commands it spawns. The limits are ia-sandbox's defaults (ia.toml included);
// the output is dropped, as it is when ia-sandbox writes to /dev/null.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "sandbox/sandbox.hpp"

int main(int argc, char** argv) {
  using namespace ia;
  if (argc < 3 || std::string_view(argv[1]) != "--") {
    std::fprintf(stderr, "usage: ia-bench-sandbox-lib -- COMMAND [ARGS...]\n");
    return 2;
  }
  Result<config::Config> cfg = config::load({});
  if (!cfg) {
    std::fprintf(stderr, "ia-bench-sandbox-lib: %s\n", cfg.error().message.c_str());
    return 1;
  }
  sandbox::Spec spec;
  if (Status applied = sandbox::apply_config(*cfg, spec); !applied) {
    std::fprintf(stderr, "ia-bench-sandbox-lib: %s\n", applied.error().message.c_str());
    return 1;
  }
  spec.argv.assign(argv + 2, argv + argc);
  spec.env = sandbox::default_env([](const char* name) { return std::getenv(name); });
  spec.capture = false;
  std::string line;
  while (std::getline(std::cin, line)) {
    auto start = std::chrono::steady_clock::now();
    Result<sandbox::Outcome> outcome = sandbox::run(spec);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    if (!outcome || outcome->exit_code != 0) {
      std::fprintf(stderr, "ia-bench-sandbox-lib: %s\n",
                   outcome ? "the command failed" : outcome.error().message.c_str());
      return 1;
    }
    std::printf("%.4f\n", ms);
    std::fflush(stdout);
  }
  return 0;
}
