#include "core/yaml_to_json.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace osprey {
namespace {

constexpr int kMaxDepth = 64;

Error yaml_error(const std::string& name, int line, const std::string& what) {
  return make_error(ErrorCode::kConfigInvalid,
                    "config: " + name + ":" + std::to_string(line) + ": " + what);
}

// YAML 1.2 core schema resolution for plain (unquoted) scalars.
nlohmann::json resolve_plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kInt)) {
    std::int64_t v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) return v;
    return s;  // out of int64 range: keep the text, the owner decides
  }
  if (std::regex_match(s, kFloat)) {
    try {
      return std::stod(s);
    } catch (const std::exception&) {
      return s;  // overflow: keep the text
    }
  }
  return s;
}

class Converter {
 public:
  explicit Converter(std::string name) : name_(std::move(name)) {}

  Result<nlohmann::json> convert(const YAML::Node& node, const std::string& path, int depth) {
    if (depth > kMaxDepth) {
      return yaml_error(name_, node.Mark().line + 1, "nesting deeper than 64 levels");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return nlohmann::json(nullptr);
      case YAML::NodeType::Scalar:
        if (node.Tag() == "!") return nlohmann::json(node.Scalar());  // quoted
        return resolve_plain_scalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        nlohmann::json out = nlohmann::json::array();
        int index = 0;
        for (const auto& item : node) {
          auto v = convert(item, path + "[" + std::to_string(index++) + "]", depth + 1);
          if (!v.ok()) return v;
          out.push_back(std::move(*v));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& kv : node) {
          const int line = kv.first.Mark().line + 1;
          if (!kv.first.IsScalar()) return yaml_error(name_, line, "mapping keys must be scalars");
          const std::string key = kv.first.Scalar();
          const std::string child = path.empty() ? key : path + "." + key;
          if (out.contains(key)) return yaml_error(name_, line, "duplicate key '" + child + "'");
          doc_.key_lines[child] = line;
          auto v = convert(kv.second, child, depth + 1);
          if (!v.ok()) return v;
          out[key] = std::move(*v);
        }
        return out;
      }
    }
    return nlohmann::json(nullptr);
  }

  YamlDocument& doc() { return doc_; }

 private:
  std::string name_;
  YamlDocument doc_;
};

}  // namespace

Result<YamlDocument> parse_yaml(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return yaml_error(name, e.mark.line + 1, e.msg);
  }
  Converter converter(name);
  Result<nlohmann::json> json = nlohmann::json(nullptr);
  try {
    json = converter.convert(root, "", 0);
  } catch (const YAML::Exception& e) {
    return yaml_error(name, e.mark.line + 1, e.msg);
  }
  if (!json.ok()) return json.error();
  YamlDocument doc = std::move(converter.doc());
  if (json->is_null()) return doc;  // empty file
  if (!json->is_object()) {
    return yaml_error(name, root.Mark().line + 1, "the top level must be a mapping of keys");
  }
  doc.root = std::move(*json);
  return doc;
}

Result<YamlDocument> load_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kConfigInvalid,
                      "config: cannot read config file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return make_error(ErrorCode::kConfigInvalid, "config: cannot read config file " + path);
  }
  return parse_yaml(text.str(), path);
}

}  // namespace osprey
