#pragma once
// CachedAnswer: one successful, complete answer as it was sent to the client, so a hit replays
// it byte for byte: the JSON body, or every SSE data payload of a stream ("[DONE]" last).
// Plain values; entries are shared read-only (shared_ptr<const CachedAnswer>) between hits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace osprey::gateway {

struct CachedAnswer {
  bool stream = false;
  std::string body;                 // non-streamed answer: the JSON body
  std::vector<std::string> events;  // streamed answer: the data payloads in order
  std::string model;                // public model that answered (differs on fallback)
  std::string deployment;           // deployment that answered, for x-osprey-deployment
  // For invalidation: the model the client asked for and the tenant whose request stored it.
  std::string requested_model;
  std::int64_t tenant_id = 0;

  // Approximate memory held by the entry, for the cache's byte bound.
  std::size_t bytes() const {
    std::size_t n = 128 + body.size() + model.size() + deployment.size() + requested_model.size();
    for (const std::string& e : events) n += 32 + e.size();
    return n;
  }
};

}  // namespace osprey::gateway
