#include "core/metrics_process.h"

#include "core/build_info.h"
#include "core/process_stats.h"

namespace osprey::metrics {

void register_process_metrics(Registry& registry) {
  Gauge& rss =
      registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.").with();
  Gauge& start = registry
                     .gauge("process_start_time_seconds",
                            "Start time of the process since unix epoch in seconds.")
                     .with();
  Gauge& fds = registry.gauge("process_open_fds", "Number of open file descriptors.").with();
  Gauge& uptime =
      registry.gauge("osprey_uptime_seconds", "Seconds since the process started.").with();
  registry
      .gauge("osprey_build_info", "Build facts as labels; the value is always 1.",
             {"version", "commit"})
      .with({version(), git_commit()})
      .set(1);
  registry.add_collector([&rss, &start, &fds, &uptime] {
    rss.set(static_cast<double>(resident_memory_bytes()));
    start.set(process_start_time_seconds());
    fds.set(open_fds());
    uptime.set(uptime_seconds());
  });
}

}  // namespace osprey::metrics
