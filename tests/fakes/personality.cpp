#include "fakes/personality.h"

namespace osprey::fakes {

std::optional<Vendor> parse_vendor(std::string_view name) {
  if (name == "openai") return Vendor::kOpenAi;
  if (name == "anthropic") return Vendor::kAnthropic;
  if (name == "ollama") return Vendor::kOllama;
  if (name == "bedrock") return Vendor::kBedrock;
  return std::nullopt;
}

std::string_view vendor_name(Vendor vendor) {
  switch (vendor) {
    case Vendor::kOpenAi:
      return "openai";
    case Vendor::kAnthropic:
      return "anthropic";
    case Vendor::kOllama:
      return "ollama";
    case Vendor::kBedrock:
      return "bedrock";
  }
  return "unknown";
}

void Personality::add_retry_after(Reply& reply, int seconds) const {
  reply.headers.emplace_back("Retry-After", std::to_string(seconds));
}

std::unique_ptr<Personality> make_personality(Vendor vendor, const PersonalityOptions& options) {
  switch (vendor) {
    case Vendor::kOpenAi:
      return make_openai_personality(options);
    case Vendor::kAnthropic:
      return make_anthropic_personality(options);
    case Vendor::kOllama:
      return make_ollama_personality(options);
    case Vendor::kBedrock:
      return make_bedrock_personality(options);
  }
  return make_openai_personality(options);
}

std::string text_of(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (!content.is_array()) return out;
  for (const auto& block : content) {
    if (!block.is_object()) continue;
    auto t = block.find("text");
    if (t == block.end() || !t->is_string()) continue;
    if (!out.empty()) out.push_back('\n');
    out += t->get<std::string>();
  }
  return out;
}

bool json_true(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace osprey::fakes
