-- wrk script for bench/mixed.py: analysts writing while many read (issue 21 item 5).
-- One request in WRITE_EVERY is an analyst's claim (POST /api/v1/claims, a claimant
-- name unique per thread and request); the others cycle through the dashboard's reads.
-- A write is acknowledged when its answer carries the journal entry ("claim_added");
-- done() prints ACKED <n> for the harness to compare with the ledger.
local reads = {
  "/api/v1/series?bucket=week&from=2015-01-01&to=2020-12-31&type=battle",
  "/api/v1/map/provinces",
  "/api/v1/summary",
  "/api/v1/incidents?type=battle&sort=-fatalities_best&page_size=50&page=1",
  "/",
}
local token = os.getenv("SITREP_TOKEN")
local every = tonumber(os.getenv("WRITE_EVERY") or "20")
local threads = {}
local n = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  acked = 0
  counter = 0
end

function request()
  counter = counter + 1
  if counter % every == 0 then
    local body = string.format(
      '{"incident":"curated-afg:AFG-CUR-0006","claimant":"load-%d-%d","stance":"claims","reason":"mixed load"}',
      tid, counter)
    return wrk.format("POST", "/api/v1/claims",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
  end
  return wrk.format("GET", reads[(counter % #reads) + 1])
end

function response(status, headers, body)
  if status >= 200 and status < 300 and body and string.find(body, "claim_added", 1, true) then
    acked = acked + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("acked")
  end
  io.write(string.format("ACKED %d\n", total))
end
