// Fair node order (DESIGN.md §8): which waiting node is served first. The score favours
// long waits and bounds the effect of contribution; a node waiting over five minutes is
// served first regardless. Pure functions of their arguments; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ia::sched {

struct FairInput {
  std::string node_id;
  std::int64_t waiting_since_ms = 0;
  std::int64_t completed = 0;
  std::int64_t last_served_ms = 0;  // 0: never served
};

struct FairEntry {
  std::string node_id;
  double score = 0;
  double wait_s = 0;
  bool starving = false;  // waiting over five minutes: first regardless of score
  std::string band;       // high, medium, low, normal
  std::string reason;
};

inline constexpr std::int64_t k_starving_ms = 5 * 60 * 1000;

// score = -wait_seconds + min(completed * 0.1, 10) + (completed < 10 ? 20 - 2 * completed : 0)
double fair_score(double wait_s, std::int64_t completed);

FairEntry fair_entry(const FairInput& input, std::int64_t now_ms);

// Waiting nodes in the order they are served: starving first (longest wait first), then
// lowest score, then node id so the order is stable.
std::vector<FairEntry> fair_order(const std::vector<FairInput>& waiting, std::int64_t now_ms);

}  // namespace ia::sched
