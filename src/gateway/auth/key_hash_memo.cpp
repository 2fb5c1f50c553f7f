#include "gateway/auth/key_hash_memo.h"

#include "core/api_key.h"

namespace osprey::gateway {

const std::string& memoized_api_key_hash(std::string_view key) {
  struct Memo {
    std::string key;
    std::string hash;  // empty until the first call
  };
  thread_local Memo memo;
  // Constant time, so the comparison tells nothing about the remembered key.
  if (!memo.hash.empty() && constant_time_equals(memo.key, key)) return memo.hash;
  memo.hash = api_key_hash(key);
  memo.key.assign(key);
  return memo.hash;
}

}  // namespace osprey::gateway
