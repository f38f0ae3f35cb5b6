// Times N runs of a command (posix_spawn + waitpid, stdout to /dev/null) and prints
// "median_ms min_ms p90_ms" so the bench script can compare tools started the same way.
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>
#include <fcntl.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4 || std::string_view(argv[2]) != "--") {
    std::fprintf(stderr, "usage: spawn_time N -- command [args...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv[3], &actions, nullptr, argv + 3, environ) != 0) {
      std::perror(argv[3]);
      return 1;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
      std::fprintf(stderr, "%s failed (status %d)\n", argv[3], status);
      return 1;
    }
  }
  std::sort(times.begin(), times.end());
  std::printf("%.3f %.3f %.3f\n", times[times.size() / 2], times.front(), times[times.size() * 9 / 10]);
  return 0;
}
