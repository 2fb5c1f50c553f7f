#pragma once
// mutate_json(): one structural edit of a JSON document (a value of another type, a number out of
// range, a key removed, an element duplicated), for tests that check a reader of client or config
// JSON answers every wrong shape with an error, not an exception. Byte edits (byte_mutator.h)
// mostly break the syntax; these keep it and break the meaning.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace osprey::testing {

// Values a reader may meet where it expects something else.
inline const std::vector<nlohmann::json>& odd_json_values() {
  static const std::vector<nlohmann::json> values = {
      nullptr,
      true,
      false,
      0,
      -1,
      1,
      2.5,
      -0.0,
      1e300,
      std::numeric_limits<std::int64_t>::min(),
      std::numeric_limits<std::uint64_t>::max(),
      "",
      "x",
      "-1",
      "1e9",
      "\xC3\xA9",
      nlohmann::json::array(),
      nlohmann::json::array({1, "a", nullptr}),
      nlohmann::json::object(),
      nlohmann::json::object({{"a", 1}}),
  };
  return values;
}

namespace json_mutator_detail {

inline void collect(nlohmann::json& node, std::vector<nlohmann::json*>& out) {
  out.push_back(&node);
  if (node.is_object() || node.is_array()) {
    for (auto& child : node) collect(child, out);
  }
}

}  // namespace json_mutator_detail

// `doc` with `edits` edits, each at a node picked uniformly among all nodes.
inline nlohmann::json mutate_json(nlohmann::json doc, std::mt19937& rng, int edits = 1) {
  for (int e = 0; e < edits; ++e) {
    std::vector<nlohmann::json*> nodes;
    json_mutator_detail::collect(doc, nodes);
    nlohmann::json& node = *nodes[rng() % nodes.size()];
    const unsigned choice = rng() % 4;
    if (choice == 0 && node.is_object() && !node.empty()) {
      auto it = node.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(rng() % node.size()));
      node.erase(it);  // a key left out
    } else if (choice == 1 && node.is_array() && !node.empty()) {
      const nlohmann::json copy = node[rng() % node.size()];
      node.push_back(copy);  // one more of the same
    } else if (choice == 2 && node.is_object()) {
      node["unexpected"] = odd_json_values()[rng() % odd_json_values().size()];
    } else {
      node = odd_json_values()[rng() % odd_json_values().size()];
    }
  }
  return doc;
}

// Calls `check` on `rounds` mutations of `seed` (one or two edits each, the same ones on every
// run of the same `rng_seed`), stopping at the test's first failure.
template <typename Check>
void for_each_json_mutation(const nlohmann::json& seed, unsigned rng_seed, int rounds,
                            Check check) {
  std::mt19937 rng(rng_seed);
  for (int i = 0; i < rounds && !::testing::Test::HasFailure(); ++i) {
    check(mutate_json(seed, rng, 1 + i % 2));
  }
}

}  // namespace osprey::testing
