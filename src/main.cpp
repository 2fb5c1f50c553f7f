// The osprey binary: server and CLI in one executable.
#include "app/commands.h"

int main(int argc, char** argv) { return osprey::app::run_cli(argc - 1, argv + 1); }
