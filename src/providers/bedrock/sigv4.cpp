#include "providers/bedrock/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>
#include <string_view>

namespace osprey::providers::bedrock {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Headers the official signer never signs: proxies and HTTP stacks add, drop or rewrite them,
// which would break the signature in transit.
constexpr std::array<std::string_view, 15> kUnsignableHeaders = {
    "authorization", "cache-control",     "connection", "expect",     "from",
    "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
    "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id"};

using Digest = std::array<unsigned char, 32>;

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidRequest, "sigv4: " + std::move(message));
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

bool sha256(std::string_view data, Digest* out) {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), out->data(), &len, EVP_sha256(), nullptr) == 1 &&
         len == out->size();
}

bool hmac_sha256(std::string_view key, std::string_view data, Digest* out) {
  unsigned int len = 0;
  const unsigned char* r =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out->data(), &len);
  return r != nullptr && len == out->size();
}

std::string_view as_view(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

bool is_unsignable(std::string_view lower_name) {
  if (lower_name.starts_with("proxy-") || lower_name.starts_with("sec-")) return true;
  return std::find(kUnsignableHeaders.begin(), kUnsignableHeaders.end(), lower_name) !=
         kUnsignableHeaders.end();
}

// RFC 7230 token characters: what a header name or method may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

// Field values may not carry CR, LF, NUL or other controls (header injection); tab is allowed.
bool is_safe_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

// The region, service and access key id end up inside the credential scope, which is
// '/'-separated and sits in a ','-separated header: allow only a conservative alphabet.
bool is_scope_part(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string canonical_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool in_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

std::string encoded_segments(const std::vector<std::string>& segments, bool normalize) {
  std::vector<std::string_view> kept;
  for (const std::string& seg : segments) {
    if (normalize && seg == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!normalize || (!seg.empty() && seg != ".")) {
      kept.push_back(seg);
    }
  }
  std::string out;
  for (std::string_view seg : kept) out.append("/").append(uri_encode(seg, false));
  return out.empty() ? "/" : out;
}

// Removes empty, "." and ".." segments as RFC 3986 section 5.2.4 does; keeps a leading and a
// trailing slash.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (!segments.empty() && path.ends_with('/')) out.push_back('/');
  return out;
}

std::string build_canonical_query(const std::vector<std::pair<std::string, std::string>>& q) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(q.size());
  for (const auto& [k, v] : q) encoded.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(k).append("=").append(v);
  }
  return out;
}

Status validate(const SigningInput& in) {
  if (!is_token(in.method)) return invalid("method is not an HTTP token");
  if (!is_scope_part(in.region)) return invalid("region is empty or has invalid characters");
  if (!is_scope_part(in.service)) return invalid("service is empty or has invalid characters");
  if (!is_scope_part(in.credentials.access_key_id)) {
    return invalid("access key id is empty or has invalid characters");
  }
  if (in.credentials.secret_access_key.empty()) return invalid("secret access key is empty");
  if (in.credentials.session_token &&
      (in.credentials.session_token->empty() || !is_safe_value(*in.credentials.session_token))) {
    return invalid("session token is empty or has control characters");
  }
  if (in.payload_hash && (in.payload_hash->empty() || !is_safe_value(*in.payload_hash))) {
    return invalid("payload hash is empty or has control characters");
  }
  bool has_host = false;
  for (const auto& [name, value] : in.headers) {
    if (!is_token(name)) return invalid("header name '" + name + "' is not an HTTP token");
    if (!is_safe_value(value)) return invalid("header '" + name + "' has control characters");
    if (to_lower(name) == "host") has_host = !value.empty();
  }
  if (!has_host) return invalid("a non-empty Host header is required");
  return {};
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[u >> 4]);
      out.push_back(kDigits[u & 0x0f]);
    }
  }
  return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::vector<std::pair<std::string, std::string>> SignedHeaders::as_headers() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("X-Amz-Date", amz_date);
  if (security_token) out.emplace_back("X-Amz-Security-Token", *security_token);
  if (content_sha256) out.emplace_back("X-Amz-Content-SHA256", *content_sha256);
  out.emplace_back("Authorization", authorization);
  return out;
}

Result<SignedHeaders> sign_request(const SigningInput& in) {
  if (Status s = validate(in); !s) return s.error();
  SignedHeaders out;
  out.amz_date = format_amz_date(in.time);
  const std::string short_date = out.amz_date.substr(0, 8);

  // Canonical headers: lower-case name -> comma-joined canonical values, sorted by the map.
  const bool has_token = in.credentials.session_token.has_value();
  std::map<std::string, std::string> canonical;
  std::optional<std::string> supplied_content_sha;
  for (const auto& [name, value] : in.headers) {
    std::string lower = to_lower(name);
    if (lower == "x-amz-date" || lower == "date" || lower == "authorization") continue;
    if (lower == "x-amz-security-token" && has_token) continue;
    if (lower == "x-amz-content-sha256") supplied_content_sha = value;
    if (is_unsignable(lower)) continue;
    auto [it, inserted] = canonical.try_emplace(lower, canonical_value(value));
    if (!inserted) it->second.append(",").append(canonical_value(value));
  }

  if (in.payload_hash) {
    out.payload_hash = *in.payload_hash;
  } else if (supplied_content_sha) {
    out.payload_hash = canonical_value(*supplied_content_sha);
  } else if (in.payload.empty()) {
    out.payload_hash = kEmptyPayloadHash;
  } else {
    Digest d;
    if (!sha256(in.payload, &d)) return make_error(ErrorCode::kInternal, "sigv4: SHA-256 failed");
    out.payload_hash = to_hex(d.data(), d.size());
  }

  canonical["x-amz-date"] = out.amz_date;
  if (has_token) {
    out.security_token = *in.credentials.session_token;
    canonical["x-amz-security-token"] = canonical_value(*out.security_token);
  }
  if (in.add_content_sha256_header && !supplied_content_sha) {
    out.content_sha256 = out.payload_hash;
    canonical["x-amz-content-sha256"] = out.payload_hash;
  }

  if (!in.path_segments.empty()) {
    out.encoded_path = encoded_segments(in.path_segments, in.normalize_path);
  } else {
    std::string path = in.path.empty() || in.path.front() != '/' ? "/" + in.path : in.path;
    if (in.normalize_path) path = normalized_path(path);
    out.encoded_path = uri_encode(path, true);
  }
  out.canonical_query = build_canonical_query(in.query);

  std::string header_block;
  for (const auto& [name, value] : canonical) {
    header_block.append(name).append(":").append(value).append("\n");
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers.append(name);
  }

  out.canonical_request =
      in.method + "\n" +
      (in.double_encode_path ? uri_encode(out.encoded_path, true) : out.encoded_path) + "\n" +
      out.canonical_query + "\n" + header_block + "\n" + out.signed_headers + "\n" +
      out.payload_hash;

  const std::string scope = short_date + "/" + in.region + "/" + in.service + "/aws4_request";
  Digest creq_hash;
  if (!sha256(out.canonical_request, &creq_hash)) {
    return make_error(ErrorCode::kInternal, "sigv4: SHA-256 failed");
  }
  out.string_to_sign = std::string(kAlgorithm) + "\n" + out.amz_date + "\n" + scope + "\n" +
                       to_hex(creq_hash.data(), creq_hash.size());

  // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
  Digest key;
  const std::string secret = "AWS4" + in.credentials.secret_access_key;
  bool ok = hmac_sha256(secret, short_date, &key);
  for (std::string_view part : {std::string_view(in.region), std::string_view(in.service),
                                std::string_view("aws4_request")}) {
    Digest next;
    ok = ok && hmac_sha256(as_view(key), part, &next);
    key = next;
  }
  Digest sig;
  ok = ok && hmac_sha256(as_view(key), out.string_to_sign, &sig);
  if (!ok) return make_error(ErrorCode::kInternal, "sigv4: HMAC-SHA256 failed");
  out.signature = to_hex(sig.data(), sig.size());

  out.authorization = std::string(kAlgorithm) + " Credential=" + in.credentials.access_key_id +
                      "/" + scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  return out;
}

}  // namespace osprey::providers::bedrock
