-- wrk.lua: request shaping and a one-line summary for bench/run
--
-- Environment:
--   WRK_METHOD     GET (default), HEAD or PUT
--   WRK_ACCEPT     Accept header, if set
--   WRK_BODY_FILE  PUT: file sent as the body of every request
--   WRK_CTYPE      PUT: Content-Type of that body
--   WRK_TAG_PREFIX PUT: each request goes to <path><prefix><thread>-<n>,
--                  so every PUT writes a new tag
-- done() prints one line:
--   WRKRESULT <requests> <seconds> <req/s> <p50 ms> <p99 ms> <non-2xx/3xx> <socket errors>

local method = os.getenv("WRK_METHOD") or "GET"
local accept = os.getenv("WRK_ACCEPT")
local body_file = os.getenv("WRK_BODY_FILE")
local ctype = os.getenv("WRK_CTYPE")
local prefix = os.getenv("WRK_TAG_PREFIX")

local threads = {}
local counter = 0
local body = nil
local base = nil


function setup(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

function init(args)
	wrk.method = method
	if accept ~= nil and accept ~= "" then
		wrk.headers["Accept"] = accept
	end
	if body_file ~= nil and body_file ~= "" then
		local f = assert(io.open(body_file, "rb"))
		body = f:read("*a")
		f:close()
		wrk.body = body
		if ctype ~= nil then
			wrk.headers["Content-Type"] = ctype
		end
	end
	base = wrk.path
end

function request()
	if prefix ~= nil and prefix ~= "" then
		counter = counter + 1
		return wrk.format(nil, base .. prefix .. tid .. "-" .. counter)
	end
	return wrk.format()
end

function done(summary, latency, requests)
	local secs = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format("WRKRESULT %d %.3f %.1f %.3f %.3f %d %d\n",
		summary.requests, secs, summary.requests / secs,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		e.status, e.connect + e.read + e.write + e.timeout))
end
