-- POST /subjects/{s} (look up an existing schema), rotating over prepared requests.
-- First script argument: a file with one "<path>\t<json body>" line per request, written by
-- bench/run.py. Requests are formatted once, in init; each connection then takes the next one.
local requests = {}
local index = 0

function init(args)
  local headers = { ["Content-Type"] = "application/vnd.schemaregistry.v1+json" }
  for line in io.lines(args[1]) do
    local path, body = line:match("^([^\t]+)\t(.+)$")
    if path then
      requests[#requests + 1] = wrk.format("POST", path, headers, body)
    end
  end
  if #requests == 0 then
    error("no requests in " .. tostring(args[1]))
  end
  math.randomseed(os.time())
  index = math.random(0, #requests - 1)
end

function request()
  index = index % #requests + 1
  return requests[index]
end
