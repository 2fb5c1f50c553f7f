#include "gateway/limits/token_estimator.h"

#include <type_traits>
#include <variant>

namespace osprey::gateway {
namespace {

constexpr std::int64_t kPerMessageTokens = 4;
constexpr std::int64_t kImageTokens = 85;

// Characters of text the model reads from one content block; images are counted apart.
std::size_t block_chars(const providers::ContentBlock& block, std::int64_t& images) {
  return std::visit(
      [&images](const auto& b) -> std::size_t {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, providers::TextBlock>) {
          return b.text.size();
        } else if constexpr (std::is_same_v<T, providers::ImageBlock>) {
          ++images;
          return 0;
        } else if constexpr (std::is_same_v<T, providers::ToolUseBlock>) {
          return b.name.size() + b.input.dump().size();
        } else {
          std::size_t n = 0;
          for (const providers::ToolResultPart& part : b.content) {
            n += part.kind == providers::ToolResultPart::Kind::kText ? part.text.size()
                                                                     : part.json.dump().size();
          }
          return n;
        }
      },
      block);
}

}  // namespace

std::int64_t estimate_text_tokens(std::size_t chars) {
  return static_cast<std::int64_t>((chars + 3) / 4);
}

TokenEstimate estimate_tokens(const providers::ChatRequest& request,
                              std::int64_t default_max_tokens) {
  std::size_t chars = 0;
  std::int64_t images = 0;
  for (const std::string& s : request.system) chars += s.size();
  for (const providers::Message& m : request.messages) {
    for (const providers::ContentBlock& block : m.content) chars += block_chars(block, images);
  }
  for (const providers::ToolSpec& tool : request.tools) {
    chars += tool.name.size() + tool.description.size() + tool.input_schema.dump().size();
  }
  TokenEstimate estimate;
  estimate.prompt_tokens = estimate_text_tokens(chars) +
                           kPerMessageTokens * static_cast<std::int64_t>(request.messages.size()) +
                           kImageTokens * images;
  const std::int64_t max_tokens = request.inference.max_tokens.value_or(default_max_tokens);
  estimate.max_output_tokens = max_tokens > 0 ? max_tokens : 0;
  return estimate;
}

}  // namespace osprey::gateway
