#pragma once
// ResponseCache: where cached answers live, behind one interface so that the in-process
// MemoryResponseCache can be joined later by a shared one (e.g. Redis) for many replicas.
// lookup and invalidate are coroutines because a remote cache answers over the network; store
// is fire-and-forget (an implementation may complete it in the background) so that saving an
// answer never delays the client. Implementations are thread-safe.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gateway/cache/cached_answer.h"
#include "net/task.h"

namespace osprey::gateway {

// Which entries to drop; unset fields match everything. Both unset drops every entry.
struct CacheInvalidation {
  std::optional<std::string> model;       // the requested public model name
  std::optional<std::int64_t> tenant_id;  // the tenant whose request stored the entry
};

class ResponseCache {
 public:
  virtual ~ResponseCache() = default;

  // The live entry under `key`, or null (absent or expired).
  virtual net::Task<std::shared_ptr<const CachedAnswer>> lookup(std::string key) = 0;
  // Saves `answer` under `key`, replacing an older entry.
  virtual void store(std::string key, CachedAnswer answer) = 0;
  // Drops the matching entries; returns how many.
  virtual net::Task<std::size_t> invalidate(CacheInvalidation which) = 0;
};

}  // namespace osprey::gateway
