#include "store/migration.h"

#include <algorithm>
#include <string>

namespace osprey::store {

std::vector<MigrationInfo> migration_infos(std::span<const Migration> migrations) {
  std::vector<MigrationInfo> infos;
  infos.reserve(migrations.size());
  for (const Migration& m : migrations) {
    infos.push_back(MigrationInfo{m.version, std::string(m.name)});
  }
  return infos;
}

int latest_version(std::span<const Migration> migrations) {
  int latest = 0;
  for (const Migration& m : migrations) latest = std::max(latest, m.version);
  return latest;
}

Status check_schema_not_newer(int database_version, int binary_version) {
  if (database_version <= binary_version) return {};
  return make_error(ErrorCode::kStoreError,
                    "database schema version " + std::to_string(database_version) +
                        " is newer than this binary (" + std::to_string(binary_version) +
                        "); upgrade osprey");
}

}  // namespace osprey::store
