-- POST /subjects/{s}/versions with a new, distinct Avro schema on every request.
-- Arguments: a tag that makes names unique to this run (letters, digits, underscore) and the
-- number of subjects to spread the registrations over. Every schema is the record bench.reg.Reg
-- with a long "id" and one optional field named after the request, so each new version is
-- BACKWARD compatible with the subject's previous one (the compatibility check still runs).
local tag = "run"
local subjects = 32
local n = 0
local headers = { ["Content-Type"] = "application/vnd.schemaregistry.v1+json" }

function init(args)
  tag = args[1] or tag
  subjects = tonumber(args[2]) or subjects
end

function request()
  n = n + 1
  local subject = "reg-" .. tag .. "-" .. (n % subjects) .. "-value"
  local schema = '{\\"type\\":\\"record\\",\\"name\\":\\"Reg\\",\\"namespace\\":\\"bench.reg\\",'
    .. '\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"long\\"},'
    .. '{\\"name\\":\\"f_' .. tag .. '_' .. n .. '\\",\\"type\\":[\\"null\\",\\"string\\"],\\"default\\":null}]}'
  return wrk.format("POST", "/subjects/" .. subject .. "/versions", headers, '{"schema":"' .. schema .. '"}')
end
