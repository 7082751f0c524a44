-- wrk script of bench/run.py: prints one JSON line at the end ("BENCH-JSON ..."), which
-- bench/run.py parses.
--
-- No response() function: with one, wrk parses every response's headers and body into Lua
-- (its documentation calls this expensive), a cost that grows with the page and lands on
-- the same two cores as the server, so pages would look slower against the 2-byte floor
-- than the server makes them. wrk counts statuses of 400 and above itself
-- (errors.status); bench/run.py catches a redirect (a lost session) from the bytes per
-- response and from the page's status after the run.

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local ms = function(us) return us / 1000.0 end
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_s": %.3f, "rps": %.2f, "bytes": %d, ' ..
    '"latency_ms": {"mean": %.3f, "stdev": %.3f, "max": %.3f, "p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    ms(latency.mean), ms(latency.stdev), ms(latency.max),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)), ms(latency:percentile(99)),
    e.connect, e.read, e.write, e.timeout, e.status))
end
