// The osprey binary: server and CLI in one executable.
#include <mimalloc.h>

#include "app/commands.h"

int main(int argc, char** argv) {
  // The one call into mimalloc keeps the linker (--as-needed) from dropping the library that
  // serves every malloc/free of the process.
  static_cast<void>(mi_version());
  return osprey::app::run_cli(argc - 1, argv + 1);
}
