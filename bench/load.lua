-- wrk script: send the requests of a file, one per line as
-- "METHOD<TAB>PATH<TAB>BODY", in order. Arguments: the file, then "cycle" to
-- start over at its end or "once" to stop there. Counts the answers' statuses
-- and their "cache" field, and prints one JSON line of results at the end.
-- Run with one wrk thread (-t1): the file is walked by that thread alone.
--
-- Requests come from CLIENTS clients by X-Forwarded-For (the server trusts
-- one proxy in front), in turn, as many point-of-sale terminals would: one
-- client at this rate would only measure the throttle's 429 answers.

local CLIENTS = 1000

local requests = {}
local mode = "cycle"
local next_index = 1
local answered = 0
hits, misses, failures, exhausted = 0, 0, 0, 0

function init(args)
  mode = args[2] or "cycle"
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if body == "" then body = nil end
    requests[#requests + 1] = {method, path, body}
  end
end

local sent = 0

function request()
  if next_index > #requests then
    -- In "once" mode, only the last answers' stragglers get here.
    exhausted = 1
    next_index = 1
  end
  local r = requests[next_index]
  next_index = next_index + 1
  sent = sent + 1
  local client = sent % CLIENTS
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] =
      string.format("127.1.%d.%d", math.floor(client / 256), client % 256),
  }
  return wrk.format(r[1], r[2], headers, r[3])
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    failures = failures + 1
  elseif body:find('"cache":%s*"hit"') then
    hits = hits + 1
  elseif body:find('"cache":%s*"miss"') then
    misses = misses + 1
  end
  if mode == "once" and answered >= #requests then
    wrk.thread:stop()
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, _)
  local t = threads[1]
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, ' ..
    '"p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f, "hits": %d, ' ..
    '"misses": %d, "failures": %d, "socket_errors": %d, "exhausted": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000,
    t:get("hits"), t:get("misses"), t:get("failures"),
    e.connect + e.read + e.write + e.timeout, t:get("exhausted")))
end
