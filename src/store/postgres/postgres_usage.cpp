// PostgresStore: usage ledger, daily rollup, and budget reservations.
#include "store/postgres/pg_query.h"
#include "store/postgres/postgres_store.h"
#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

#define OSPREY_AGGREGATE_SUMS                                                        \
  ", sum(d.requests)::bigint, sum(d.tokens_in)::bigint, sum(d.tokens_out)::bigint, " \
  "sum(d.cost_micros)::bigint, sum(d.cache_hits)::bigint "
#define OSPREY_AGGREGATE_WHERE \
  " WHERE ($1::bigint < 0 OR d.tenant_id = $1::bigint) AND d.day >= $2 AND d.day < $3 "

#define OSPREY_PER_TENANT                                                                    \
  "(SELECT d.tenant_id, sum(d.requests) AS r, sum(d.tokens_in) AS ti, sum(d.tokens_out) AS " \
  "tout, sum(d.cost_micros) AS c, sum(d.cache_hits) AS h FROM usage_daily "                  \
  "d" OSPREY_AGGREGATE_WHERE "GROUP BY d.tenant_id) s JOIN tenants t ON t.id = s.tenant_id "

// Group values use the "C" collation so groups come back in bytewise order, as from SQLite.
// Tenant and tag groupings sum per tenant first and join the few resulting rows.
std::string_view aggregate_sql(UsageGroupBy group_by) {
  switch (group_by) {
    case UsageGroupBy::kTenant:
      return "SELECT t.name COLLATE \"C\", s.r::bigint, s.ti::bigint, s.tout::bigint, "
             "s.c::bigint, s.h::bigint FROM " OSPREY_PER_TENANT "ORDER BY 1";
    case UsageGroupBy::kTag:
      return "SELECT coalesce(t.tags::jsonb ->> $4, '') COLLATE \"C\", sum(s.r)::bigint, "
             "sum(s.ti)::bigint, sum(s.tout)::bigint, sum(s.c)::bigint, sum(s.h)::bigint "
             "FROM " OSPREY_PER_TENANT "GROUP BY 1 ORDER BY 1";
    case UsageGroupBy::kModel:
      return "SELECT d.model" OSPREY_AGGREGATE_SUMS "FROM usage_daily d" OSPREY_AGGREGATE_WHERE
             "GROUP BY 1 ORDER BY 1";
    case UsageGroupBy::kDay:
      break;
  }
  return "SELECT d.day" OSPREY_AGGREGATE_SUMS "FROM usage_daily d" OSPREY_AGGREGATE_WHERE
         "GROUP BY 1 ORDER BY 1";
}

Status check_amount(std::int64_t amount) {
  if (amount < 0) return make_error(ErrorCode::kInvalidRequest, "amounts cannot be negative");
  return {};
}

}  // namespace

Status PostgresStore::append_usage(std::span<const UsageRecord> records) {
  for (const UsageRecord& record : records) {
    if (Status s = check_usage_record(record); !s) return s;
  }
  if (records.empty()) return {};
  // Columns as arrays: the whole batch is one statement and one round trip, whatever its size.
  std::vector<std::vector<std::string>> columns(12);
  for (auto& column : columns) column.reserve(records.size());
  for (const UsageRecord& r : records) {
    const std::string at = *normalize_timestamp("usage.at", r.at);
    columns[0].push_back(at);
    columns[1].push_back(std::to_string(r.tenant_id));
    columns[2].push_back(std::to_string(r.key_id));
    columns[3].push_back(r.model);
    columns[4].push_back(r.deployment);
    columns[5].push_back(std::to_string(r.tokens_in));
    columns[6].push_back(std::to_string(r.tokens_out));
    columns[7].push_back(std::to_string(r.cost_micros));
    columns[8].push_back(std::to_string(r.latency_ms));
    columns[9].push_back(std::to_string(r.status));
    columns[10].push_back(r.cache_hit ? "t" : "f");
    columns[11].push_back(at.substr(0, 10));
  }
  std::vector<std::string> arrays;
  for (const auto& column : columns) arrays.push_back(pg_array_literal(column));
  return with_connection([&](PgConnection& conn) -> Status {
    // One statement is one transaction: the ledger rows and the rollup change together. The
    // rollup rows are upserted in key order so concurrent batches lock them in the same order.
    auto r = conn.exec(
        "WITH rows AS (SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], "
        "$4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], "
        "$10::int[], $11::boolean[], $12::text[]) AS u(at, tenant_id, key_id, model, deployment, "
        "tokens_in, tokens_out, cost_micros, latency_ms, status, cache_hit, day)), "
        "ledger AS (INSERT INTO usage_ledger (at, tenant_id, key_id, model, deployment, "
        "tokens_in, tokens_out, cost_micros, latency_ms, status, cache_hit) SELECT at, "
        "tenant_id, key_id, model, deployment, tokens_in, tokens_out, cost_micros, latency_ms, "
        "status, cache_hit FROM rows) "
        "INSERT INTO usage_daily (day, tenant_id, model, requests, tokens_in, tokens_out, "
        "cost_micros, cache_hits) SELECT day, tenant_id, model, count(*), sum(tokens_in), "
        "sum(tokens_out), sum(cost_micros), count(*) FILTER (WHERE cache_hit) FROM rows GROUP BY "
        "day, tenant_id, model ORDER BY day, tenant_id, model ON CONFLICT (day, tenant_id, model) "
        "DO UPDATE SET requests = usage_daily.requests + excluded.requests, tokens_in = "
        "usage_daily.tokens_in + excluded.tokens_in, tokens_out = usage_daily.tokens_out + "
        "excluded.tokens_out, cost_micros = usage_daily.cost_micros + excluded.cost_micros, "
        "cache_hits = usage_daily.cache_hits + excluded.cache_hits",
        {arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5], arrays[6], arrays[7],
         arrays[8], arrays[9], arrays[10], arrays[11]});
    if (!r) return r.error();
    return {};
  });
}

Result<std::vector<UsageAggregate>> PostgresStore::aggregate_usage(const UsageFilter& filter,
                                                                   UsageGroupBy group_by) {
  if (Status s = check_usage_filter(filter, group_by); !s) return s.error();
  const std::string tenant = std::to_string(filter.tenant_id.value_or(-1));
  const std::string to = filter.to_day.empty() ? "9999-99-99" : filter.to_day;
  return with_connection([&](PgConnection& conn) -> Result<std::vector<UsageAggregate>> {
    auto r = group_by == UsageGroupBy::kTag
                 ? conn.exec(aggregate_sql(group_by), {tenant, filter.from_day, to, filter.tag_key})
                 : conn.exec(aggregate_sql(group_by), {tenant, filter.from_day, to});
    if (!r) return r.error();
    std::vector<UsageAggregate> groups;
    for (int i = 0; i < r->rows(); ++i) {
      groups.push_back(UsageAggregate{r->text(i, 0), std::stoll(r->text(i, 1)),
                                      std::stoll(r->text(i, 2)), std::stoll(r->text(i, 3)),
                                      std::stoll(r->text(i, 4)), std::stoll(r->text(i, 5))});
    }
    return groups;
  });
}

Result<std::int64_t> PostgresStore::month_spend(std::int64_t tenant_id, std::string_view month) {
  if (Status s = check_month("month", month); !s) return s.error();
  const std::string id = std::to_string(tenant_id);
  const std::string from = std::string(month) + "-01";
  const std::string to = std::string(month) + "-99";
  return with_connection([&](PgConnection& conn) -> Result<std::int64_t> {
    auto r = conn.exec(
        "SELECT coalesce(sum(cost_micros), 0)::bigint FROM usage_daily WHERE tenant_id = "
        "$1::bigint AND day >= $2 AND day < $3",
        {id, from, to});
    if (!r) return r.error();
    return std::stoll(r->text(0, 0));
  });
}

Result<bool> PostgresStore::reserve_spend(std::int64_t tenant_id, std::string_view month,
                                          std::int64_t amount_micros, std::int64_t limit_micros) {
  if (Status s = check_month("month", month); !s) return s.error();
  if (Status s = check_amount(amount_micros); !s) return s.error();
  const std::string id = std::to_string(tenant_id);
  const std::string amount = std::to_string(amount_micros);
  const std::string limit = std::to_string(limit_micros);
  return with_connection([&](PgConnection& conn) -> Result<bool> {
    auto created = conn.exec(
        "INSERT INTO spend_counters (tenant_id, month) VALUES ($1::bigint, $2) ON CONFLICT DO "
        "NOTHING",
        {id, month});
    if (!created) return created.error();
    // A single conditional UPDATE: concurrent reservations on the row queue on its lock and
    // each re-checks the condition against the row as the previous one left it.
    auto r = conn.exec(
        "UPDATE spend_counters SET reserved_micros = reserved_micros + $3::bigint WHERE "
        "tenant_id = $1::bigint AND month = $2 AND spent_micros + reserved_micros + $3::bigint "
        "<= $4::bigint RETURNING reserved_micros",
        {id, month, amount, limit});
    if (!r) return r.error();
    return r->rows() == 1;
  });
}

Status PostgresStore::settle_spend(std::int64_t tenant_id, std::string_view month,
                                   std::int64_t reserved_micros, std::int64_t actual_micros) {
  if (Status s = check_month("month", month); !s) return s;
  if (Status s = check_amount(reserved_micros); !s) return s;
  if (Status s = check_amount(actual_micros); !s) return s;
  const std::string id = std::to_string(tenant_id);
  const std::string reserved = std::to_string(reserved_micros);
  const std::string actual = std::to_string(actual_micros);
  return with_connection([&](PgConnection& conn) -> Status {
    auto r = conn.exec(
        "INSERT INTO spend_counters AS c (tenant_id, month, spent_micros) VALUES ($1::bigint, $2, "
        "$4::bigint) ON CONFLICT (tenant_id, month) DO UPDATE SET spent_micros = c.spent_micros "
        "+ $4::bigint, reserved_micros = greatest(c.reserved_micros - $3::bigint, 0)",
        {id, month, reserved, actual});
    if (!r) return r.error();
    return {};
  });
}

Result<SpendCounter> PostgresStore::get_spend(std::int64_t tenant_id, std::string_view month) {
  if (Status s = check_month("month", month); !s) return s.error();
  const std::string id = std::to_string(tenant_id);
  return with_connection([&](PgConnection& conn) -> Result<SpendCounter> {
    auto r = conn.exec(
        "SELECT spent_micros, reserved_micros FROM spend_counters WHERE tenant_id = $1::bigint "
        "AND month = $2",
        {id, month});
    if (!r) return r.error();
    if (r->rows() == 0) return SpendCounter{};
    return SpendCounter{std::stoll(r->text(0, 0)), std::stoll(r->text(0, 1))};
  });
}

}  // namespace osprey::store
