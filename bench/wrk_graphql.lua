-- wrk script for bench/loadgen.py: POST GraphQL bodies and check every answer.
--
-- Environment (set by loadgen.py):
--   BENCH_BODIES         file with one JSON request body per line
--   BENCH_EXPECT         text every good response body contains
--   BENCH_AUTHORIZATION  Authorization header value, or empty
--   BENCH_DISTINCT       "1": send each body once (register needs fresh certificates);
--                        the lines are shared out between wrk's threads
--   BENCH_ROTATE         "1": the lines are shared out between the threads like a distinct
--                        load's, and each thread sends its share in turn, again and again
--                        (sign-ins spread over many members, as real ones are)
--   BENCH_THREADS        wrk's -t, so that each thread knows its share of the lines
--   BENCH_LEAD_MS        answers completed this long after a thread starts are left out of
--                        "steady" (the rate's count): a load started cold answers nothing
--                        for its first moments, which a short slice would count against it
-- done() prints one line, "BENCH_JSON {...}", that loadgen.py reads.

local bodies_path = os.getenv("BENCH_BODIES")
local expect = os.getenv("BENCH_EXPECT") or ""
local authorization = os.getenv("BENCH_AUTHORIZATION") or ""
local distinct = os.getenv("BENCH_DISTINCT") == "1"
local rotate = os.getenv("BENCH_ROTATE") == "1"
local per_request = distinct or rotate
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local lead_us = tonumber(os.getenv("BENCH_LEAD_MS") or "0") * 1000

-- wrk's Lua has no clock finer than a second; LuaJIT's FFI reaches the monotonic one.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1e6 + tonumber(timespec.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  local line_number = 0
  for line in io.lines(bodies_path) do
    if not per_request or line_number % thread_count == thread_index then
      table.insert(bodies, line)
    end
    line_number = line_number + 1
  end
  next_body = 1
  bad = 0
  reused = 0
  steady = 0
  steady_from = now_us() + lead_us
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if authorization ~= "" then
    wrk.headers["Authorization"] = authorization
  end
  wrk.body = bodies[1]
end

-- Only a distinct or rotating load builds each request; otherwise wrk sends one prebuilt
-- request.
if per_request then
  function request()
    local body = bodies[next_body]
    if body == nil then
      if distinct then
        reused = reused + 1
      end
      next_body = 1
      body = bodies[1]
    end
    next_body = next_body + 1
    return wrk.format(nil, nil, nil, body)
  end
end

function response(status, headers, body)
  if lead_us == 0 or now_us() >= steady_from then
    steady = steady + 1
  end
  if status ~= 200 or not string.find(body, expect, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total, reused_total, steady_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    reused_total = reused_total + thread:get("reused")
    steady_total = steady_total + thread:get("steady")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"steady":%d,"lead_us":%d,"duration_us":%d,"p50_us":%d,'
      .. '"p99_us":%d,"bad":%d,"reused":%d,"socket_errors":%d}\n',
    steady_total, lead_us, summary.duration, latency:percentile(50),
    latency:percentile(99), bad_total, reused_total,
    errors.connect + errors.read + errors.write + errors.timeout
  ))
end
