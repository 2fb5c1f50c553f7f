#include "review/glob.h"

#include <cstddef>

namespace osprey::review {
namespace {

constexpr std::size_t kMaxAlternatives = 1024;

Error glob_error(std::string_view pattern, const std::string& what) {
  return make_error(ErrorCode::kInvalidRequest, what + " in glob \"" + std::string(pattern) + "\"");
}

// The index just past the class that starts at text[open] ('['), or npos if it is unterminated.
std::size_t class_end(std::string_view text, std::size_t open) {
  std::size_t i = open + 1;
  if (i < text.size() && (text[i] == '!' || text[i] == '^')) ++i;
  if (i < text.size() && text[i] == ']') ++i;  // a leading ']' is a member
  for (; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == ']') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Expands the first top-level {a,b,...} (recursively), appending complete patterns to `out`.
Status expand_braces(std::string_view whole, const std::string& text,
                     std::vector<std::string>& out) {
  std::size_t open = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '[') {
      const std::size_t end = class_end(text, i);
      if (end == std::string_view::npos) return glob_error(whole, "unterminated '['");
      i = end - 1;
    } else if (text[i] == '{') {
      open = i;
      break;
    } else if (text[i] == '}') {
      return glob_error(whole, "unmatched '}'");
    }
  }
  if (open == std::string::npos) {
    if (out.size() >= kMaxAlternatives) {
      return glob_error(whole, "more than " + std::to_string(kMaxAlternatives) + " alternatives");
    }
    out.push_back(text);
    return {};
  }
  std::vector<std::string> choices;
  std::string current;
  int depth = 0;
  std::size_t close = std::string::npos;
  for (std::size_t i = open + 1; i < text.size() && close == std::string::npos; ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      current += text.substr(i, 2);
      ++i;
    } else if (c == '[') {
      const std::size_t end = class_end(text, i);
      if (end == std::string_view::npos) return glob_error(whole, "unterminated '['");
      current += text.substr(i, end - i);
      i = end - 1;
    } else if (c == '{') {
      ++depth;
      current += c;
    } else if (c == '}' && depth > 0) {
      --depth;
      current += c;
    } else if (c == '}') {
      choices.push_back(std::move(current));
      close = i;
    } else if (c == ',' && depth == 0) {
      choices.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (close == std::string::npos) return glob_error(whole, "unterminated '{'");
  const std::string prefix = text.substr(0, open);
  const std::string suffix = text.substr(close + 1);
  for (const std::string& choice : choices) {
    if (Status st = expand_braces(whole, prefix + choice + suffix, out); !st.ok()) return st;
  }
  return {};
}

// Parses the class at text[i] ('[') into a token; returns the index past it.
std::size_t parse_class(std::string_view text, std::size_t i, Glob::Token& token) {
  const std::size_t end = class_end(text, i);
  token.kind = Glob::Token::Kind::kClass;
  std::size_t k = i + 1;
  if (text[k] == '!' || text[k] == '^') {
    token.negated = true;
    ++k;
  }
  bool first = true;
  while (k < end - 1) {
    if (text[k] == ']' && !first) break;
    char lo = text[k];
    if (lo == '\\' && k + 1 < end - 1) lo = text[++k];
    ++k;
    char hi = lo;
    if (k + 1 < end - 1 && text[k] == '-' && text[k + 1] != ']') {
      hi = text[k + 1];
      if (hi == '\\' && k + 2 < end - 1) {
        hi = text[k + 2];
        ++k;
      }
      k += 2;
    }
    token.ranges.emplace_back(lo, hi);
    first = false;
  }
  return end;
}

// One brace-free pattern as segments; a pattern without '/' matches a file name anywhere.
Result<Glob::Alternative> parse_alternative(std::string_view whole, std::string_view text) {
  bool anchored = false;
  while (text.starts_with("./")) {
    text.remove_prefix(2);
    anchored = true;
  }
  if (text.starts_with('/')) {
    text.remove_prefix(1);
    anchored = true;
  }
  std::vector<std::string_view> pieces;
  bool has_slash = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '\\') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == '[') {
      i = class_end(text, i) - 1;
      continue;
    }
    if (i == text.size() || text[i] == '/') {
      if (i < text.size()) has_slash = true;
      if (i > start) pieces.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (pieces.empty()) return glob_error(whole, "no path segment");
  Glob::Alternative segments;
  if (!has_slash && !anchored) segments.push_back({.globstar = true, .tokens = {}});
  for (std::string_view piece : pieces) {
    Glob::Segment seg;
    if (piece == "**") {
      seg.globstar = true;
      segments.push_back(std::move(seg));
      continue;
    }
    for (std::size_t i = 0; i < piece.size(); ++i) {
      Glob::Token token;
      const char c = piece[i];
      if (c == '*') {
        while (i + 1 < piece.size() && piece[i + 1] == '*') ++i;
        token.kind = Glob::Token::Kind::kStar;
      } else if (c == '?') {
        token.kind = Glob::Token::Kind::kAnyChar;
      } else if (c == '[') {
        i = parse_class(piece, i, token) - 1;
      } else if (c == '\\') {
        if (i + 1 >= piece.size()) return glob_error(whole, "trailing '\\'");
        token.literal = piece[++i];
      } else {
        token.literal = c;
      }
      seg.tokens.push_back(std::move(token));
    }
    segments.push_back(std::move(seg));
  }
  // "dir/" means everything below dir.
  if (text.ends_with('/') && !segments.back().globstar) {
    segments.push_back({.globstar = true, .tokens = {}});
  }
  return segments;
}

bool token_matches(const Glob::Token& token, char c) {
  switch (token.kind) {
    case Glob::Token::Kind::kLiteral:
      return token.literal == c;
    case Glob::Token::Kind::kAnyChar:
      return true;
    case Glob::Token::Kind::kClass: {
      bool in = false;
      for (const auto& [lo, hi] : token.ranges) in = in || (c >= lo && c <= hi);
      return in != token.negated;
    }
    case Glob::Token::Kind::kStar:
      return false;
  }
  return false;
}

// Wildcard match of one segment's tokens against one path segment (no '/').
bool segment_matches(const std::vector<Glob::Token>& tokens, std::string_view name) {
  std::size_t t = 0, n = 0;
  std::size_t star_t = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (t < tokens.size() && tokens[t].kind == Glob::Token::Kind::kStar) {
      star_t = t++;
      star_n = n;
    } else if (t < tokens.size() && token_matches(tokens[t], name[n])) {
      ++t;
      ++n;
    } else if (star_t != std::string_view::npos) {
      t = star_t + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t].kind == Glob::Token::Kind::kStar) ++t;
  return t == tokens.size();
}

bool alternative_matches(const Glob::Alternative& segs, const std::vector<std::string_view>& path) {
  // can[i][j]: pattern segments i.. match path segments j..; filled from the end.
  const std::size_t m = segs.size(), n = path.size();
  std::vector<char> can((m + 1) * (n + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> char& { return can[i * (n + 1) + j]; };
  at(m, n) = 1;
  for (std::size_t i = m; i-- > 0;) {
    for (std::size_t j = n + 1; j-- > 0;) {
      if (segs[i].globstar) {
        at(i, j) = at(i + 1, j) || (j < n && at(i, j + 1));
      } else {
        at(i, j) = j < n && at(i + 1, j + 1) && segment_matches(segs[i].tokens, path[j]);
      }
    }
  }
  return at(0, 0) != 0;
}

}  // namespace

Result<Glob> Glob::compile(std::string_view pattern) {
  if (pattern.empty()) return make_error(ErrorCode::kInvalidRequest, "empty glob");
  std::vector<std::string> expanded;
  if (Status st = expand_braces(pattern, std::string(pattern), expanded); !st.ok()) {
    return st.error();
  }
  Glob glob;
  glob.pattern_ = std::string(pattern);
  for (const std::string& text : expanded) {
    auto alt = parse_alternative(pattern, text);
    if (!alt) return alt.error();
    glob.alternatives_.push_back(std::move(alt.value()));
  }
  return glob;
}

bool Glob::matches(std::string_view path) const {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (i > start) segments.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  for (const Alternative& alt : alternatives_) {
    if (alternative_matches(alt, segments)) return true;
  }
  return false;
}

bool matches_any(const std::vector<Glob>& globs, std::string_view path) {
  for (const Glob& g : globs) {
    if (g.matches(path)) return true;
  }
  return false;
}

}  // namespace osprey::review
