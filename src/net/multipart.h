#pragma once
// multipart/form-data bodies (RFC 7578), as clients upload files (POST /v1/files). Parses the
// whole body at once: parts with their field name, filename and content type, data as bytes.
// Pure functions, thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey::net {

struct FormPart {
  std::string name;           // Content-Disposition name="..."
  std::string filename;       // filename="..." ("" for plain fields)
  bool has_filename = false;  // a file part, even with an empty filename
  std::string content_type;   // the part's Content-Type, "" if absent
  std::string data;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type; kUnsupportedMediaType
// for any other type, kInvalidRequest for a missing or bad boundary.
Result<std::string> multipart_boundary(std::string_view content_type);

// kInvalidRequest with a message saying what is wrong (no opening boundary, a part without
// headers or Content-Disposition, no closing boundary).
Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary);

// The first part named `name`, or null.
const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace osprey::net
