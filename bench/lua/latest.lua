-- GET /subjects/{s}/versions/latest over subjects "bench-<i>-value", i picked at random in 0..N-1
-- (N = first script argument).
local subjects = 2000

function init(args)
  subjects = tonumber(args[1]) or subjects
  math.randomseed(os.time())
end

function request()
  local i = math.random(0, subjects - 1)
  return wrk.format("GET", "/subjects/bench-" .. i .. "-value/versions/latest")
end
