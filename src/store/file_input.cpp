#include "store/file_input.h"

#include "store/tenancy_input.h"

namespace osprey::store {

Status check_file_record(const FileRecord& file) {
  if (Status s = check_name("file.id", file.id); !s) return s;
  if (Status s = check_name("file.purpose", file.purpose); !s) return s;
  if (file.filename.size() > 1000 || file.filename.find('\0') != std::string::npos) {
    return make_error(ErrorCode::kInvalidRequest, "file.filename: at most 1000 bytes, no NUL");
  }
  if (file.bytes < 0) return make_error(ErrorCode::kInvalidRequest, "file.bytes: must be >= 0");
  return {};
}

Status check_file_filter(const FileFilter& filter) {
  if (filter.limit < 1 || filter.limit > 10000) {
    return make_error(ErrorCode::kInvalidRequest, "limit: must be in [1, 10000]");
  }
  return {};
}

}  // namespace osprey::store
