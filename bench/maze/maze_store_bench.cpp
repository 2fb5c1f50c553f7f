// The issue-7 persistence benchmark: E experiments × A actions (default 10,000 × 2,000 = 20 M
// rows) appended through Store::append_actions, then the two reads the viewer and the API
// make: one experiment's actions (list_actions) and a page of experiments filtered by
// model_config.temperature (list_experiments). A baseline in the same run puts the ingest
// figure in proportion: the same rows written the plainest way the backend allows (SQLite: one
// prepared INSERT per row into a table without a key; PostgreSQL: raw COPY into a table
// without indexes), before and after the measured ingest.
//   osprey_bench_maze [--url sqlite:<path>|postgres://...] [--experiments E] [--actions A]
//                     [--batch B] [--threads T] [--reads R] [--baseline-rows N]
// Without --url a SQLite file in a temp dir is used (and removed). A PostgreSQL URL must name
// an empty database. Prints one "key: value" line per figure.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace {

using namespace osprey::store;
using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "osprey_bench_maze: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// CPU seconds of a PostgreSQL cluster: the postmaster with its reaped children plus every live
// child (the store's pooled backends). 0 without a data dir.
double server_cpu_seconds(const std::string& data_dir) {
  if (data_dir.empty()) return 0;
  std::ifstream pid_file(data_dir + "/postmaster.pid");
  long postmaster = 0;
  pid_file >> postmaster;
  if (postmaster <= 0) return 0;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15)
    // cutime(16) cstime(17), counted from 1.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(rest)),
                               std::istream_iterator<std::string>());
    if (f.size() < 15) continue;
    const long pid = std::stol(name);
    const long ppid = std::stol(f[1]);
    if (pid == postmaster) {
      total += std::stod(f[11]) + std::stod(f[12]) + std::stod(f[13]) + std::stod(f[14]);
    } else if (ppid == postmaster) {
      total += std::stod(f[11]) + std::stod(f[12]);
    }
  }
  return total / tick;
}

// Median and p99 of `ms`, in ms.
std::pair<double, double> median_p99(std::vector<double> ms) {
  if (ms.empty()) return {0, 0};
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) {
    return ms[std::min(ms.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  return {at(0.5), at(0.99)};
}

const std::vector<std::string> kModels = {"llama3.1:8b", "qwen2.5:7b", "mistral:7b", "gpt-4o-mini"};
const std::vector<std::string> kTemperatures = {"0", "0.2", "0.5", "0.7", "1"};

// One experiment's actions, realistic in size: a reasoning sentence and the tiles seen.
std::vector<ExperimentAction> make_actions(int count) {
  std::vector<ExperimentAction> actions;
  actions.reserve(static_cast<std::size_t>(count));
  const char* kTypes[] = {"move_north", "move_east", "move_south", "move_west"};
  int x = 2, y = 2;
  for (int step = 1; step <= count; ++step) {
    ExperimentAction a;
    a.step_number = step;
    a.turn_number = (step + 1) / 2;
    a.action_type = step % 50 == 0 ? "recall_movement_history" : kTypes[step % 4];
    a.reasoning = "Step " + std::to_string(step) +
                  ": the corridor to the east is open and unexplored, so I move there next.";
    a.from_x = x;
    a.from_y = y;
    a.success = step % 5 != 0;
    if (a.success) x = (x + 1) % 60;
    a.to_x = x;
    a.to_y = y;
    a.tiles_seen_json = "[{\"x\":" + std::to_string(x) + ",\"y\":" + std::to_string(y) +
                        ",\"t\":0},{\"x\":" + std::to_string(x + 1) +
                        ",\"y\":2,\"t\":0},{\"x\":3,\"y\":1,\"t\":1},{\"x\":3,\"y\":3,\"t\":1}]";
    a.tokens_in = 900 + step % 100;
    a.tokens_out = 40;
    a.cost_micros = 12;
    a.model_ms = step % 2 == 1 ? 850 : 0;
    a.elapsed_ms = step * 900;
    actions.push_back(std::move(a));
  }
  return actions;
}

// --- Baselines: the same rows, the plainest way each backend takes them.

double sqlite_baseline(const std::string& path, const std::vector<ExperimentAction>& rows,
                       std::int64_t total, int batch) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) fail("baseline: cannot open " + path);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
               nullptr);
  sqlite3_exec(db,
               "DROP TABLE IF EXISTS baseline_actions; CREATE TABLE baseline_actions ("
               "experiment_id, step_number, turn_number, action_type, reasoning, from_x, from_y, "
               "to_x, to_y, success, tiles_seen, tokens_in, tokens_out, cost_micros, model_ms, "
               "elapsed_ms)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO baseline_actions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     -1, &stmt, nullptr);
  const auto start = Clock::now();
  std::int64_t written = 0;
  for (std::int64_t experiment = 1; written < total; ++experiment) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (std::size_t i = 0; i < rows.size() && written < total; ++i, ++written) {
      if (i > 0 && i % static_cast<std::size_t>(batch) == 0) {
        sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr);
      }
      const ExperimentAction& a = rows[i];
      sqlite3_bind_int64(stmt, 1, experiment);
      sqlite3_bind_int64(stmt, 2, a.step_number);
      sqlite3_bind_int64(stmt, 3, a.turn_number);
      sqlite3_bind_text(stmt, 4, a.action_type.data(), static_cast<int>(a.action_type.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(stmt, 5, a.reasoning.data(), static_cast<int>(a.reasoning.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(stmt, 6, a.from_x);
      sqlite3_bind_int64(stmt, 7, a.from_y);
      sqlite3_bind_int64(stmt, 8, a.to_x);
      sqlite3_bind_int64(stmt, 9, a.to_y);
      sqlite3_bind_int64(stmt, 10, a.success ? 1 : 0);
      sqlite3_bind_text(stmt, 11, a.tiles_seen_json.data(),
                        static_cast<int>(a.tiles_seen_json.size()), SQLITE_STATIC);
      sqlite3_bind_int64(stmt, 12, a.tokens_in);
      sqlite3_bind_int64(stmt, 13, a.tokens_out);
      sqlite3_bind_int64(stmt, 14, a.cost_micros);
      sqlite3_bind_int64(stmt, 15, a.model_ms);
      sqlite3_bind_int64(stmt, 16, a.elapsed_ms);
      if (sqlite3_step(stmt) != SQLITE_DONE) fail(std::string("baseline: ") + sqlite3_errmsg(db));
      sqlite3_reset(stmt);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double rate = static_cast<double>(total) / seconds_since(start);
  sqlite3_finalize(stmt);
  sqlite3_exec(db, "DROP TABLE baseline_actions", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rate;
}

std::string copy_text(std::int64_t experiment, const std::vector<ExperimentAction>& rows,
                      std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    const ExperimentAction& a = rows[i];
    // The bench's texts hold no tab, newline or backslash: no escaping needed.
    out += std::to_string(experiment) + '\t' + std::to_string(a.step_number) + '\t' +
           std::to_string(a.turn_number) + '\t' + a.action_type + '\t' + a.reasoning + '\t' +
           std::to_string(a.from_x) + '\t' + std::to_string(a.from_y) + '\t' +
           std::to_string(a.to_x) + '\t' + std::to_string(a.to_y) + '\t' + (a.success ? "t" : "f") +
           '\t' + a.tiles_seen_json + '\t' + std::to_string(a.tokens_in) + '\t' +
           std::to_string(a.tokens_out) + '\t' + std::to_string(a.cost_micros) + '\t' +
           std::to_string(a.model_ms) + '\t' + std::to_string(a.elapsed_ms) + '\n';
  }
  return out;
}

void pg_run(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail("baseline: " + sql + ": " + PQerrorMessage(conn));
  }
}

double pg_baseline(const std::string& url, const std::vector<ExperimentAction>& rows,
                   std::int64_t total, int batch) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) fail(std::string("baseline: ") + PQerrorMessage(conn));
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  pg_run(conn,
         "DROP TABLE IF EXISTS baseline_actions; CREATE TABLE baseline_actions "
         "(LIKE experiment_actions EXCLUDING INDEXES EXCLUDING CONSTRAINTS)");
  const auto start = Clock::now();
  std::int64_t written = 0;
  for (std::int64_t experiment = 1; written < total; ++experiment) {
    for (std::size_t from = 0; from < rows.size() && written < total;
         from += static_cast<std::size_t>(batch)) {
      const std::size_t to = std::min({rows.size(), from + static_cast<std::size_t>(batch),
                                       from + static_cast<std::size_t>(total - written)});
      const std::string data = copy_text(experiment, rows, from, to);
      pg_run(conn, "BEGIN");
      PGresult* r = PQexec(conn, "COPY baseline_actions FROM STDIN");
      PQclear(r);
      PQputCopyData(conn, data.data(), static_cast<int>(data.size()));
      PQputCopyEnd(conn, nullptr);
      while (PGresult* done = PQgetResult(conn)) PQclear(done);
      pg_run(conn, "COMMIT");
      written += static_cast<std::int64_t>(to - from);
    }
  }
  // The text is built by the caller in the store too (copy_rows): counted in both.
  const double rate = static_cast<double>(total) / seconds_since(start);
  pg_run(conn, "DROP TABLE baseline_actions");
  PQfinish(conn);
  return rate;
}

std::string pg_scalar(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* r = PQexec(conn, sql.c_str());
  std::string value = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0)
                                                                               : std::string("?");
  PQclear(r);
  PQfinish(conn);
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, pg_data_dir;
  int experiments = 10000, actions = 2000, batch = 2000, threads = 1, reads = 200;
  std::int64_t baseline_rows = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url")
      url = value;
    else if (flag == "--experiments")
      experiments = std::stoi(value);
    else if (flag == "--actions")
      actions = std::stoi(value);
    else if (flag == "--batch")
      batch = std::stoi(value);
    else if (flag == "--threads")
      threads = std::stoi(value);
    else if (flag == "--reads")
      reads = std::stoi(value);
    else if (flag == "--pg-data-dir")
      pg_data_dir = value;
    else if (flag == "--baseline-rows")
      baseline_rows = std::stoll(value);
    else
      fail("unknown flag " + flag);
  }
  std::filesystem::path dir;
  std::string sqlite_path;
  if (url.empty()) {
    dir = std::filesystem::temp_directory_path() /
          ("osprey_maze_bench_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
    sqlite_path = (dir / "maze.db").string();
    url = "sqlite:" + sqlite_path;
  } else if (url.rfind("sqlite:", 0) == 0) {
    sqlite_path = url.substr(7);
  }
  const bool pg = sqlite_path.empty();

  StoreOptions options;
  options.url = url;
  options.pool_size = threads + 2;
  auto opened = open_store(options);
  if (!opened) fail(opened.error().message);
  Store& store = **opened;
  if (auto s = store.migrate(); !s) fail(s.error().message);
  auto tenant = store.create_tenant("bench-" + std::to_string(std::random_device{}()), "{}");
  if (!tenant) fail(tenant.error().message);

  std::printf("backend: %s\n", std::string(store.backend()).c_str());
  std::printf("shape: %d experiments x %d actions = %lld rows, batch %d, threads %d\n", experiments,
              actions, static_cast<long long>(experiments) * actions, batch, threads);
  std::printf("machine: %u cores, load average at start %s\n", std::thread::hardware_concurrency(),
              load_average().c_str());

  // A sweep: models × temperatures, created 1,000 at a time.
  std::vector<std::int64_t> ids;
  const std::string maze =
      R"({"name":"maze-01","width":60,"height":60,"generator":"backtracker","seed":7})";
  for (int from = 0; from < experiments; from += 1000) {
    std::vector<NewExperiment> sweep;
    for (int i = from; i < std::min(experiments, from + 1000); ++i) {
      NewExperiment e;
      e.tenant_id = tenant->id;
      e.maze_ref = "maze-" + std::to_string(i % 12 + 1);
      e.maze_json = maze;
      e.start_x = 2;
      e.start_y = 2;
      e.agent = "llm";
      e.model_config_json =
          R"({"model":")" + kModels[static_cast<std::size_t>(i) % 4] + R"(","temperature":)" +
          kTemperatures[static_cast<std::size_t>(i / 4) % 5] +
          R"(,"num_ctx":8192,"vision_range":3,"recall_interval":10,"max_moves":2000})";
      e.comment = "bench sweep";
      e.seed = i;
      sweep.push_back(std::move(e));
    }
    auto created = store.create_experiments(sweep);
    if (!created) fail(created.error().message);
    ids.insert(ids.end(), created->begin(), created->end());
  }

  const std::vector<ExperimentAction> rows = make_actions(actions);
  double cpu_mark = cpu_seconds();
  double server_mark = server_cpu_seconds(pg_data_dir);
  const double baseline_before = pg ? pg_baseline(url, rows, baseline_rows, batch)
                                    : sqlite_baseline(sqlite_path, rows, baseline_rows, batch);
  std::printf("baseline before: %.0f rows/s (CPU: bench %.1f s, server %.1f s; %lld rows, %s)\n",
              baseline_before, cpu_seconds() - cpu_mark,
              server_cpu_seconds(pg_data_dir) - server_mark, static_cast<long long>(baseline_rows),
              pg ? "raw COPY into a table without indexes"
                 : "one prepared INSERT per row into a table without a key");

  // Ingest: each thread takes every T-th experiment and appends its actions in batches.
  std::atomic<std::int64_t> written{0};
  std::vector<std::vector<double>> batch_ms(static_cast<std::size_t>(threads));
  const double cpu_start = cpu_seconds();
  const double server_start = server_cpu_seconds(pg_data_dir);
  const auto ingest_start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<ExperimentAction> chunk;
      for (std::size_t e = static_cast<std::size_t>(t); e < ids.size();
           e += static_cast<std::size_t>(threads)) {
        for (std::size_t from = 0; from < rows.size(); from += static_cast<std::size_t>(batch)) {
          const std::size_t to = std::min(rows.size(), from + static_cast<std::size_t>(batch));
          chunk.assign(rows.begin() + static_cast<std::ptrdiff_t>(from),
                       rows.begin() + static_cast<std::ptrdiff_t>(to));
          for (ExperimentAction& a : chunk) a.experiment_id = ids[e];
          const auto t0 = Clock::now();
          auto added = store.append_actions(chunk);
          batch_ms[static_cast<std::size_t>(t)].push_back(seconds_since(t0) * 1000);
          if (!added) fail(added.error().message);
          written += *added;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double ingest_s = seconds_since(ingest_start);
  const double ingest_cpu = cpu_seconds() - cpu_start;
  const double ingest_server_cpu = server_cpu_seconds(pg_data_dir) - server_start;
  const double rate = static_cast<double>(written.load()) / ingest_s;
  std::vector<double> all_batches;
  for (const auto& v : batch_ms) all_batches.insert(all_batches.end(), v.begin(), v.end());
  const auto [batch_median, batch_p99] = median_p99(all_batches);
  std::printf("ingest: %lld rows in %.1f s = %.0f rows/s (CPU: bench %.1f s, server %.1f s)\n",
              static_cast<long long>(written.load()), ingest_s, rate, ingest_cpu,
              ingest_server_cpu);
  // What one core would do if nothing else ran: a load-independent figure.
  std::printf("ingest per CPU second (bench + server): %.0f rows/s\n",
              static_cast<double>(written.load()) / (ingest_cpu + ingest_server_cpu));
  std::printf("append_actions per batch: median %.2f ms, p99 %.2f ms\n", batch_median, batch_p99);
  if (written.load() != static_cast<std::int64_t>(experiments) * actions) fail("rows missing");

  cpu_mark = cpu_seconds();
  server_mark = server_cpu_seconds(pg_data_dir);
  const double baseline_after = pg ? pg_baseline(url, rows, baseline_rows, batch)
                                   : sqlite_baseline(sqlite_path, rows, baseline_rows, batch);
  std::printf("baseline after: %.0f rows/s (CPU: bench %.1f s, server %.1f s)\n", baseline_after,
              cpu_seconds() - cpu_mark, server_cpu_seconds(pg_data_dir) - server_mark);
  std::printf("ingest vs baseline: %.2fx (baseline = mean of before and after)\n",
              rate / ((baseline_before + baseline_after) / 2));

  // Reads: one experiment's actions, and a page of experiments with one temperature.
  std::mt19937_64 random(12345);
  std::vector<double> read_ms, filter_ms, filter_model_ms, compare_ms;
  for (int r = 0; r < reads + 10; ++r) {  // the first 10 warm up and are not counted
    const std::int64_t id = ids[random() % ids.size()];
    auto t0 = Clock::now();
    auto got = store.list_actions(tenant->id, id, 0, 100000);
    const double ms = seconds_since(t0) * 1000;
    if (!got) fail(got.error().message);
    if (got->size() != static_cast<std::size_t>(actions)) fail("list_actions: wrong row count");
    if (r >= 10) read_ms.push_back(ms);

    ExperimentFilter filter;
    filter.tenant_id = tenant->id;
    filter.config = {{"temperature", kTemperatures[static_cast<std::size_t>(r) % 5]}};
    t0 = Clock::now();
    auto page = store.list_experiments(filter);
    const double filter_one = seconds_since(t0) * 1000;
    if (!page) fail(page.error().message);
    if (page->empty()) fail("list_experiments: empty page");
    filter.config.push_back({"model", "\"" + kModels[static_cast<std::size_t>(r) % 4] + "\""});
    t0 = Clock::now();
    auto both = store.list_experiments(filter);
    const double filter_two = seconds_since(t0) * 1000;
    if (!both) fail(both.error().message);
    if (r >= 10) {
      filter_ms.push_back(filter_one);
      filter_model_ms.push_back(filter_two);
    }
    if (r % 10 == 0) {
      ExperimentCompare compare;
      compare.filter.tenant_id = tenant->id;
      compare.config_keys = {"temperature"};
      t0 = Clock::now();
      auto groups = store.compare_experiments(compare);
      if (!groups) fail(groups.error().message);
      if (r >= 10) compare_ms.push_back(seconds_since(t0) * 1000);
    }
  }
  const auto [read_median, read_p99] = median_p99(read_ms);
  const auto [filter_median, filter_p99] = median_p99(filter_ms);
  const auto [both_median, both_p99] = median_p99(filter_model_ms);
  const auto [compare_median, compare_p99] = median_p99(compare_ms);
  std::printf("list_actions (%d rows of one experiment): median %.2f ms, p99 %.2f ms (%d reads)\n",
              actions, read_median, read_p99, reads);
  std::printf("list_experiments temperature=x, page of 100: median %.2f ms, p99 %.2f ms\n",
              filter_median, filter_p99);
  std::printf("list_experiments temperature=x and model=y: median %.2f ms, p99 %.2f ms\n",
              both_median, both_p99);
  std::printf("compare_experiments by model and temperature: median %.2f ms, p99 %.2f ms\n",
              compare_median, compare_p99);
  if (pg) {
    std::printf(
        "size: experiment_actions %s (table + indexes)\n",
        pg_scalar(url, "SELECT pg_size_pretty(pg_total_relation_size('experiment_actions'))")
            .c_str());
  } else {
    std::printf("size: database file %.2f GB\n",
                static_cast<double>(std::filesystem::file_size(sqlite_path)) / 1e9);
  }
  std::printf("load average at end: %s\n", load_average().c_str());
  (void)store.close();
  if (!dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return 0;
}
