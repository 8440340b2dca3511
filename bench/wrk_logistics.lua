-- SPDX-License-Identifier: MIT
-- wrk script for bench/wrk_logistics.sh: GET every waybill path of the file
-- $WRK_PATHS in turn (each wrk thread starting at its own offset) with the
-- bearer token $WRK_TOKEN; counts the answers that are not 200 (a 401 or 500
-- would otherwise pass as a fast response).
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
	paths[#paths + 1] = line
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN")

local counter = 0
local threads = {}

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	i = id * 7919
	bad = 0
end

function request()
	i = i + 1
	return wrk.format("GET", paths[i % #paths + 1])
end

function response(status, headers, body)
	if status ~= 200 then
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local b = 0
	for _, t in ipairs(threads) do
		b = b + t:get("bad")
	end
	io.write(string.format("answers other than 200: %d\n", b))
end
