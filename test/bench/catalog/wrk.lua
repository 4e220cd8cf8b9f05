-- wrk script of `npm run bench` (test/bench/catalog): POSTs the request bodies
-- of a file (one JSON body per line, argument 1) in file order, cycling, so
-- every target gets the same sequence. Thread i of n (argument 2) starts at
-- offset i * lines / n, so threads do not send the same requests in lockstep;
-- within a thread its connections take the next body in turn.
--
-- wrk only counts socket errors and statuses > 399; a GraphQL error comes with
-- 200, so response() counts non-200 answers and bodies containing "errors"
-- itself, plus list answers with an empty page ("items":[]). done() prints one
-- machine-readable line: WRK_RESULT {json}. Latencies are in microseconds.

local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  local path, count = args[1], tonumber(args[2] or "1")
  requests = {}
  for line in io.lines(path) do
    if #line > 0 then
      -- Formatted once here: request() then costs a table lookup, not a string build.
      requests[#requests + 1] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, line)
    end
  end
  if #requests == 0 then
    error("no request bodies in " .. tostring(path))
  end
  position = math.floor(id * #requests / count)
  graphql_errors, non_200, empty_pages = 0, 0, 0
  first_error = ""
end

function request()
  position = position % #requests + 1
  return requests[position]
end

-- The first failed answer of the thread, so a failing run says why.
local function remember(status, body)
  if first_error == "" then
    first_error = "HTTP " .. status .. ": " .. string.sub(body or "", 1, 300)
  end
end

function response(status, headers, body)
  if status ~= 200 then
    non_200 = non_200 + 1
    remember(status, body)
  elseif body and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
    remember(status, body)
  end
  if body and string.find(body, '"items":[]', 1, true) then
    empty_pages = empty_pages + 1
  end
end

local function json_string(text)
  return '"' .. string.gsub(text, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function done(summary, latency, requests)
  local graphql, non200, empty, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    graphql = graphql + thread:get("graphql_errors")
    non200 = non200 + thread:get("non_200")
    empty = empty + thread:get("empty_pages")
    if first == "" then
      first = thread:get("first_error") or ""
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"graphqlErrors":%d,"non200":%d,"emptyPages":%d,' ..
    '"socketErrors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latencyUs":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},"firstError":%s}\n',
    summary.requests, summary.duration, summary.bytes, graphql, non200, empty,
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, json_string(first)))
end
