-- wrk script of bench/pages.py: each request carries the cookies of one of the simulated
-- users in BENCH_COOKIES (comma-separated Cookie headers, one per user); at the end one JSON
-- line.
local cookies = {}
for header in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^,]+") do
  table.insert(cookies, header)
end

request = function()
  if #cookies > 0 then
    wrk.headers["Cookie"] = cookies[math.random(#cookies)]
  end
  return wrk.format()
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
