-- wrk script of bench/run.py: counts non-2xx answers and prints one JSON line at the end.
--
-- wrk runs a Lua state per thread; setup() keeps each thread so done() can sum their
-- counters. done() prints a line starting with "BENCH-JSON " that bench/run.py parses.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non_2xx = 0
  for _, thread in ipairs(threads) do
    non_2xx = non_2xx + (thread:get("non2xx") or 0)
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local ms = function(us) return us / 1000.0 end
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_s": %.3f, "rps": %.2f, "bytes": %d, ' ..
    '"latency_ms": {"mean": %.3f, "stdev": %.3f, "max": %.3f, "p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, "non_2xx": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    ms(latency.mean), ms(latency.stdev), ms(latency.max),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)), ms(latency:percentile(99)),
    e.connect, e.read, e.write, e.timeout, e.status, non_2xx))
end
