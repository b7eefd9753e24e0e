-- GET /schemas/ids/{id} with an id picked at random in 1..N (N = first script argument).
local max_id = 10000

function init(args)
  max_id = tonumber(args[1]) or max_id
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/schemas/ids/" .. math.random(1, max_id))
end
