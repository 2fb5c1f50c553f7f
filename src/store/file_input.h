#pragma once
// Checks for files-table inputs, shared by both backends so they accept and reject exactly the
// same values. Errors are kInvalidRequest and name the field.
#include "core/result.h"
#include "store/file_records.h"

namespace osprey::store {

Status check_file_record(const FileRecord& file);
Status check_file_filter(const FileFilter& filter);

}  // namespace osprey::store
