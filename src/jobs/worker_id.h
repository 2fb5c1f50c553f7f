#pragma once
// The id a process leases job items under: "<host>:<pid>", so an operator can tell from a
// lease which process holds it.
#include <string>

namespace osprey::jobs {

std::string process_worker_id();

}  // namespace osprey::jobs
