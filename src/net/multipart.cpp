#include "net/multipart.h"

#include "net/headers.h"
#include "net/http_whitespace.h"

namespace osprey::net {
namespace {

Error bad(std::string message) {
  return make_error(ErrorCode::kInvalidRequest, "multipart body: " + std::move(message));
}

// The value of `key=` in a header's parameters (`form-data; name="file"; filename="a.jsonl"`),
// quoted or not (a ';' inside quotes is data); nullopt when absent.
std::optional<std::string> header_param(std::string_view header, std::string_view key) {
  std::size_t i = header.find(';');
  while (i < header.size()) {
    ++i;  // past the ';'
    const std::size_t name_start = i;
    while (i < header.size() && header[i] != '=' && header[i] != ';') ++i;
    const std::string_view name = trim_ows(header.substr(name_start, i - name_start));
    std::string value;
    if (i < header.size() && header[i] == '=') {
      ++i;
      while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
      if (i < header.size() && header[i] == '"') {
        for (++i; i < header.size() && header[i] != '"'; ++i) {
          if (header[i] == '\\' && i + 1 < header.size()) ++i;
          value.push_back(header[i]);
        }
        while (i < header.size() && header[i] != ';') ++i;
      } else {
        const std::size_t value_start = i;
        while (i < header.size() && header[i] != ';') ++i;
        value = std::string(trim_ows(header.substr(value_start, i - value_start)));
      }
    }
    if (iequals(name, key)) return value;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  const std::string_view type = trim_ows(content_type.substr(0, content_type.find(';')));
  if (!iequals(type, "multipart/form-data")) {
    return make_error(ErrorCode::kUnsupportedMediaType,
                      "Content-Type: must be multipart/form-data (got \"" +
                          std::string(content_type.substr(0, 100)) + "\")");
  }
  std::optional<std::string> boundary = header_param(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) {
    return make_error(ErrorCode::kInvalidRequest,
                      "Content-Type: multipart/form-data needs a boundary of 1 to 200 characters");
  }
  return *boundary;
}

Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return bad("no opening boundary");
  std::vector<FormPart> parts;
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
    // Transport padding after the boundary, then CRLF.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return bad("a boundary line does not end in CRLF");
    pos += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", pos);
    // A part with no header at all starts with the blank line right away.
    const bool no_headers = body.substr(pos, 2) == "\r\n";
    if (headers_end == std::string_view::npos && !no_headers) {
      return bad("part " + std::to_string(parts.size() + 1) + " has no end of headers");
    }
    FormPart part;
    bool disposition = false;
    std::string_view header_block =
        no_headers ? std::string_view() : body.substr(pos, headers_end - pos);
    pos = no_headers ? pos + 2 : headers_end + 4;
    while (!header_block.empty()) {
      const std::size_t eol = header_block.find("\r\n");
      const std::string_view line = header_block.substr(0, eol);
      header_block =
          eol == std::string_view::npos ? std::string_view() : header_block.substr(eol + 2);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = trim_ows(line.substr(0, colon));
      const std::string_view value = trim_ows(line.substr(colon + 1));
      if (iequals(name, "content-disposition")) {
        if (!iequals(trim_ows(value.substr(0, value.find(';'))), "form-data")) continue;
        disposition = true;
        part.name = header_param(value, "name").value_or("");
        if (auto filename = header_param(value, "filename")) {
          part.filename = std::move(*filename);
          part.has_filename = true;
        }
      } else if (iequals(name, "content-type")) {
        part.content_type = std::string(value);
      }
    }
    if (!disposition || part.name.empty()) {
      return bad("part " + std::to_string(parts.size() + 1) +
                 " has no Content-Disposition: form-data with a name");
    }
    const std::string next = "\r\n" + delimiter;
    const std::size_t end = body.find(next, pos);
    if (end == std::string_view::npos) return bad("no closing boundary");
    part.data = std::string(body.substr(pos, end - pos));
    parts.push_back(std::move(part));
    pos = end + 2;
  }
}

const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name) {
  for (const FormPart& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

}  // namespace osprey::net
