#pragma once
// StreamAccumulator folds StreamEvents back into one ChatResponse: full text per block, tool
// call arguments parsed from their concatenated JSON fragments, usage and stop reason. Used when
// a caller wants a complete answer from a streaming upstream, and by tests.
// Not thread-safe: one instance per stream.
#include <map>
#include <string>

#include "providers/chat_types.h"

namespace osprey::providers {

class StreamAccumulator {
 public:
  void add(const StreamEvent& event);
  // The response so far. Tool arguments that are not (yet) valid JSON are kept as a string.
  ChatResponse response() const;

 private:
  struct Block {
    bool is_tool = false;
    std::string text;  // text, or the concatenated partial JSON of a tool call
    std::string id;
    std::string name;
  };
  ChatResponse head_;
  std::map<int, Block> blocks_;  // ordered by content index
};

}  // namespace osprey::providers
