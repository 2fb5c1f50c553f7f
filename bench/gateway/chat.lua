-- wrk script for bench/gateway: POSTs one small non-streaming OpenAI chat completion per request
-- and, when the run ends, prints one line "WRK_JSON {...}" that run.sh parses.
--
-- The model name comes from the environment (BENCH_MODEL, default "bench-model") so the same
-- script drives the fake upstream directly, nginx in front of it, and Osprey in front of it.
--
-- Errors are wrk's own counters: connect/read/write/timeout, and "status" = responses with a
-- status >= 400 (wrk does not count 3xx; none of the servers under test answer 3xx). A response
-- callback would count every non-2xx exactly, but it costs the load generator a Lua call and a
-- body copy per response, which would cap the direct scenario; run.sh checks one response of
-- each target with curl before measuring instead.

local model = os.getenv("BENCH_MODEL") or "bench-model"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
-- Osprey's admin key (run.sh reads it from Osprey's first start); harmless for the other targets.
local api_key = os.getenv("BENCH_API_KEY")
if api_key and api_key ~= "" then wrk.headers["Authorization"] = "Bearer " .. api_key end
-- run.sh's CHAT_BODY is this request (its checks send it): keep the two in step.
wrk.body = '{"model":"' .. model .. '","messages":[' ..
    '{"role":"system","content":"You are a terse assistant."},' ..
    '{"role":"user","content":"Say hello to the benchmark in five words."}],' ..
    '"max_tokens":16,"temperature":0' ..
    -- BENCH_STREAM=1 asks for an SSE stream instead (scripts/build-pgo.sh trains on both).
    ((os.getenv("BENCH_STREAM") == "1") and ',"stream":true}' or '}')

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local rps = 0
  if seconds > 0 then rps = summary.requests / seconds end
  io.write(string.format(
      'WRK_JSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
      '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"mean_ms":%.3f,"max_ms":%.3f,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}}\n',
      summary.requests, seconds, rps,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
      e.connect, e.read, e.write, e.timeout, e.status))
end
