-- HTTP/1.1 pipelining: DEPTH GET requests sent at once on each connection, so wrk spends one write
-- and about one read per DEPTH requests instead of per request, and takes less of the cores it
-- shares with the server (bench/workers.py's "pipelined" row). Arguments: DEPTH [N]. With N, each
-- request is GET /schemas/ids/{id} with an id at random in 1..N (as ids.lua); without, the URL's path.
local depth, max_id = 16, nil

function init(args)
  depth = tonumber(args[1]) or depth
  max_id = tonumber(args[2])
  math.randomseed(os.time())
end

function request()
  local batch = {}
  for i = 1, depth do
    local path = max_id and ("/schemas/ids/" .. math.random(1, max_id)) or wrk.path
    batch[i] = wrk.format("GET", path)
  end
  return table.concat(batch)
end
