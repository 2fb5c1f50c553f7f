#pragma once
// mutate_bytes(): the small random edits the parser tests feed their inputs through, to reach the
// malformed and the almost-valid inputs a hand-written list misses. A fixed seed keeps each run
// the same, so a failure names an input that fails again.
#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace osprey::testing {

// Replaces, inserts or deletes `min_edits`..`max_edits` bytes of `text`; new bytes come from
// `alphabet`, which each test biases to the bytes its format cares about.
inline std::string mutate_bytes(std::string text, std::mt19937& rng, std::string_view alphabet,
                                int min_edits = 1, int max_edits = 2) {
  const int edits =
      min_edits + static_cast<int>(rng() % static_cast<unsigned>(max_edits - min_edits + 1));
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t at = rng() % text.size();
    const char c = alphabet[rng() % alphabet.size()];
    switch (rng() % 3) {
      case 0:
        text[at] = c;
        break;
      case 1:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
        break;
      default:
        text.erase(at, 1);
    }
  }
  return text;
}

}  // namespace osprey::testing
