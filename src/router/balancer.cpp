#include "router/balancer.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace osprey::router {
namespace {

bool contains(std::span<const DeploymentState* const> list, const DeploymentState* d) {
  return std::find(list.begin(), list.end(), d) != list.end();
}

// Draws one of `eligible` with probability weight / total, skipping `skip`.
DeploymentState* weighted_draw(const std::vector<DeploymentState*>& eligible, double total,
                               const DeploymentState* skip, Rng& rng) {
  std::uniform_real_distribution<double> dist(0.0, total);
  double point = dist(rng);
  DeploymentState* last = nullptr;
  for (DeploymentState* d : eligible) {
    if (d == skip) continue;
    last = d;
    point -= d->weight();
    if (point < 0.0) return d;
  }
  return last;  // rounding left `point` just past the end
}

// `soft` exclusions may be overridden in kPrefer mode; `hard` ones never.
DeploymentState* pick_among(std::span<DeploymentState* const> candidates, Rng& rng,
                            std::span<const DeploymentState* const> soft,
                            std::span<const DeploymentState* const> hard, ExclusionMode mode,
                            HealthMode health) {
  std::vector<DeploymentState*> eligible;
  eligible.reserve(candidates.size());
  std::vector<DeploymentState*> only_excluded;
  for (DeploymentState* d : candidates) {
    if (d == nullptr || contains(hard, d)) continue;
    if (!(health == HealthMode::kIgnore ? d->breaker().available() : d->available())) continue;
    if (contains(soft, d)) {
      only_excluded.push_back(d);
    } else {
      eligible.push_back(d);
    }
  }
  if (eligible.empty() && mode == ExclusionMode::kPrefer) eligible.swap(only_excluded);
  if (eligible.empty()) return nullptr;
  if (eligible.size() == 1) return eligible.front();

  double total = 0.0;
  for (const DeploymentState* d : eligible) total += d->weight();
  DeploymentState* first = weighted_draw(eligible, total, nullptr, rng);
  DeploymentState* second =
      weighted_draw(eligible, std::max(0.0, total - first->weight()), first, rng);
  // Compare outstanding/weight without dividing: a.o / a.w < b.o / b.w <=> a.o * b.w < b.o * a.w
  const double first_load = static_cast<double>(first->outstanding()) * second->weight();
  const double second_load = static_cast<double>(second->outstanding()) * first->weight();
  return second_load < first_load ? second : first;
}

}  // namespace

DeploymentState* pick(std::span<DeploymentState* const> candidates, Rng& rng,
                      std::span<const DeploymentState* const> excluded, ExclusionMode mode,
                      HealthMode health) {
  return pick_among(candidates, rng, excluded, {}, mode, health);
}

Selection select(std::span<DeploymentState* const> candidates, Rng& rng,
                 std::span<const DeploymentState* const> excluded, ExclusionMode mode,
                 HealthMode health) {
  std::vector<const DeploymentState*> lost_race;
  // Each round either succeeds or drops one candidate, so this ends.
  for (std::size_t round = 0; round <= candidates.size(); ++round) {
    DeploymentState* chosen = pick_among(candidates, rng, excluded, lost_race, mode, health);
    if (chosen == nullptr) break;
    CircuitBreaker::Permit permit = chosen->breaker().try_acquire();
    if (!permit) {
      lost_race.push_back(chosen);
      continue;
    }
    return Selection{chosen, std::move(permit), OutstandingGuard(*chosen)};
  }
  return Selection{};
}

}  // namespace osprey::router
