#pragma once
// Rng: a small, fast pseudo-random generator (SplitMix64) for retry jitter and load-balancing
// choices. It is cheap enough to seed once per request, where std::mt19937_64 builds 2.5 KB of
// state on every seeding. Not for secrets. Satisfies UniformRandomBitGenerator, so the standard
// distributions accept it.
#include <cstdint>
#include <limits>

namespace osprey {

class Rng {
 public:
  using result_type = std::uint64_t;

  explicit Rng(std::uint64_t seed = 0) : state_(seed) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

}  // namespace osprey
