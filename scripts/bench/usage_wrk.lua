-- usage_wrk.lua: POST /v1/usage batches (from gen_usage.py) with ids never sent before.
--
--   wrk -t<T> -c<C> -d10s --timeout 30s -s usage_wrk.lua http://127.0.0.1:18090/v1/usage \
--       -- <admin token> <run prefix> template-0.json [template-1.json ...]
--
-- Each template is split at its \1 and \2 bytes once, in init(). Every request fills the \1 slots
-- with a token unique to the request ("<run prefix>t<thread>s<seq>"; give each wrk run its own
-- prefix), so each record id "mt0s17-00042" is new, and the stored rows of one request all start
-- with its token (usage-loadtest counts partial batches with that); and the \2 slots (timestamps,
-- when gen_usage.py --spread is 0) with the send time in unix seconds.
-- Threads cycle through the templates.
--
-- Output (stdout, after wrk's own report):
--   USAGE_RESULT requests=... duration_s=... p50_ms=... p90_ms=... p99_ms=... max_ms=... non2xx=...
--                sent=... accepted=... duplicates=... connect_err=... read_err=... write_err=...
--                timeout_err=... codes=<status:count,...>
--   USAGE_SAMPLE <status> <first bytes of a non-2xx response body>

local threads = {}
local nthreads = 0

function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   table.insert(threads, thread)
end

-- Per-thread state (globals, so done() can read them through thread:get).
sent, non2xx, accepted, duplicates = 0, 0, 0, 0
codes = {}
samples = {}
local templates = {}
local headers = nil
local prefix = ""
local seq = 0
-- wrk 4.x calls request() once on thread 0 right after init() to validate the request; that
-- request is never sent, so it must not use a token or count as sent.
local verify_pending = false

function init(args)
   local token = args[1]
   prefix = args[2]
   if not token or not prefix or not args[3] or string.find(prefix, "-", 1, true) then
      error("usage: wrk ... -s usage_wrk.lua <url> -- <admin token> <run prefix without '-'> <template.json> ...")
   end
   headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
   for index = 3, #args do
      local file = assert(io.open(args[index], "rb"))
      local text = file:read("*a")
      file:close()
      local parts, kinds, start = {}, {}, 1
      while true do
         local at = string.find(text, "[\1\2]", start)
         if not at then
            parts[#parts + 1] = text:sub(start)
            break
         end
         parts[#parts + 1] = text:sub(start, at - 1)
         parts[#parts + 1] = ""   -- a slot, filled per request
         kinds[#parts] = text:byte(at)
         start = at + 1
      end
      parts.kinds = kinds
      templates[#templates + 1] = parts
   end
   verify_pending = (tid == 0)
end

function request()
   if verify_pending then
      verify_pending = false
      return wrk.format("POST", nil, headers, "{}")
   end
   seq = seq + 1
   local parts = templates[(seq - 1) % #templates + 1]
   local token = prefix .. "t" .. tid .. "s" .. seq
   local now = tostring(os.time())
   local kinds = parts.kinds
   for slot = 2, #parts, 2 do
      parts[slot] = kinds[slot] == 1 and token or now
   end
   sent = sent + 1
   return wrk.format("POST", nil, headers, table.concat(parts))
end

function response(status, response_headers, body)
   local key = tostring(status)
   codes[key] = (codes[key] or 0) + 1
   if status >= 200 and status <= 299 then
      local a, d = string.match(body or "", '"accepted":(%d+),"duplicates":(%d+)')
      accepted = accepted + (tonumber(a) or 0)
      duplicates = duplicates + (tonumber(d) or 0)
   else
      non2xx = non2xx + 1
      if #samples < 3 then
         samples[#samples + 1] = key .. " " .. string.gsub(string.sub(body or "", 1, 200), "%s+", " ")
      end
   end
end

function done(summary, latency, requests)
   local total = { sent = 0, non2xx = 0, accepted = 0, duplicates = 0 }
   local allcodes, allsamples = {}, {}
   for _, thread in ipairs(threads) do
      for name, _ in pairs(total) do
         total[name] = total[name] + thread:get(name)
      end
      for key, count in pairs(thread:get("codes")) do
         allcodes[key] = (allcodes[key] or 0) + count
      end
      for _, sample in ipairs(thread:get("samples")) do
         if #allsamples < 3 then allsamples[#allsamples + 1] = sample end
      end
   end
   local keys = {}
   for key, _ in pairs(allcodes) do keys[#keys + 1] = key end
   table.sort(keys)
   local list = {}
   for _, key in ipairs(keys) do list[#list + 1] = key .. ":" .. allcodes[key] end
   local errors = summary.errors
   io.write(string.format(
      "USAGE_RESULT requests=%d duration_s=%.3f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d " ..
      "sent=%d accepted=%d duplicates=%d connect_err=%d read_err=%d write_err=%d timeout_err=%d codes=%s\n",
      summary.requests, summary.duration / 1e6,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      total.non2xx, total.sent, total.accepted, total.duplicates,
      errors.connect, errors.read, errors.write, errors.timeout, table.concat(list, ",")))
   for _, sample in ipairs(allsamples) do io.write("USAGE_SAMPLE " .. sample .. "\n") end
end
