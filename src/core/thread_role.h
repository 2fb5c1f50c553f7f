#pragma once
// Names the calling thread (shown by top -H, perf and gdb) and, for light background writers that
// must not delay request handling when they share a busy core with it, lowers the thread's
// scheduling priority a little (nice +5: it no longer preempts an I/O thread on wake-up). Not for
// a writer whose work grows with the request rate: at nice +5 the usage ledger fell behind a
// saturated core.
// I/O threads ask for short scheduler slices instead (kLatency: 100 µs, Linux 6.12+ EEVDF, ignored
// by older kernels), so that when a request arrives they preempt whatever else runs on their core
// rather than wait for its slice to end (perf sched showed ~3 ms waits behind a SQLite write).
// Best effort: a failure leaves the thread as it was.
namespace osprey {

enum class ThreadPriority { kNormal, kBackground, kLatency };

// `name` is cut to the 15 characters Linux keeps; null keeps the current name.
void set_current_thread_role(const char* name, ThreadPriority priority = ThreadPriority::kNormal);

}  // namespace osprey
