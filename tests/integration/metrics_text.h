#pragma once
// Reads one sample out of a Prometheus text exposition (for tests).
#include <map>
#include <string>

namespace osprey::testing {

// Value of the sample `name{labels}` whose labels include every given pair (other labels are
// ignored); -1 if absent.
double metric_value(const std::string& text, const std::string& name,
                    const std::map<std::string, std::string>& labels);

}  // namespace osprey::testing
