// The osprey binary: server and CLI in one executable.
#include <gperftools/tcmalloc.h>

#include "app/commands.h"
#include "core/build_info.h"
#include "osprey_git_commit.h"  // generated at every build (src/CMakeLists.txt)

int main(int argc, char** argv) {
  osprey::set_git_commit(OSPREY_GIT_COMMIT);
  // The one call into tcmalloc keeps the linker (--as-needed) from dropping the library that
  // serves every malloc/free of the process.
  static_cast<void>(tc_version(nullptr, nullptr, nullptr));
  return osprey::app::run_cli(argc - 1, argv + 1);
}
