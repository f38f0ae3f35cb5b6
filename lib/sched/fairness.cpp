#include "sched/fairness.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "core/units.hpp"

namespace ia::sched {
namespace {

constexpr std::int64_t k_minute_ms = 60 * 1000;
constexpr std::int64_t k_recent_ms = 30 * k_minute_ms;

std::string ago(std::int64_t ms) { return format_duration(Millis((ms / 1000) * 1000)); }

}  // namespace

double fair_score(double wait_s, std::int64_t completed) {
  double contribution = std::min(static_cast<double>(completed) * 0.1, 10.0);
  double newcomer = completed < 10 ? 20.0 - 2.0 * static_cast<double>(completed) : 0.0;
  return -wait_s + contribution + newcomer;
}

FairEntry fair_entry(const FairInput& input, std::int64_t now_ms) {
  FairEntry entry;
  entry.node_id = input.node_id;
  std::int64_t wait_ms = std::max<std::int64_t>(0, now_ms - input.waiting_since_ms);
  entry.wait_s = static_cast<double>(wait_ms) / 1000.0;
  entry.score = fair_score(entry.wait_s, input.completed);
  entry.starving = wait_ms > k_starving_ms;
  bool served_recently = input.last_served_ms > 0 && now_ms - input.last_served_ms < k_recent_ms;
  if (entry.starving) {
    entry.band = "high";
    entry.reason = "waiting " + ago(wait_ms) + ", over 5 minutes: served first";
  } else if (input.completed < 5) {
    entry.band = "high";
    entry.reason = "new node: " + std::to_string(input.completed) + " tasks completed";
  } else if (wait_ms >= k_minute_ms) {
    entry.band = "medium";
    entry.reason = "waiting " + ago(wait_ms);
  } else if (served_recently) {
    entry.band = "low";
    entry.reason = "served " + ago(now_ms - input.last_served_ms) + " ago";
  } else {
    entry.band = "normal";
    entry.reason = "waiting " + ago(wait_ms) + ", " + std::to_string(input.completed) +
                   " tasks completed";
  }
  return entry;
}

std::vector<FairEntry> fair_order(const std::vector<FairInput>& waiting, std::int64_t now_ms) {
  std::vector<FairEntry> entries;
  entries.reserve(waiting.size());
  for (const FairInput& input : waiting) entries.push_back(fair_entry(input, now_ms));
  std::sort(entries.begin(), entries.end(), [](const FairEntry& a, const FairEntry& b) {
    if (a.starving != b.starving) return a.starving;
    if (a.starving && a.wait_s != b.wait_s) return a.wait_s > b.wait_s;
    if (a.score != b.score) return a.score < b.score;
    return a.node_id < b.node_id;
  });
  return entries;
}

}  // namespace ia::sched
