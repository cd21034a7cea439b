-- wrk script: a flood of wrong passwords through the password grant (RFC 6749 §4.3), each
-- request for a random username among TERMAUTH_USERS (default 1000), all from one address.
--   TERMAUTH_BASIC   base64 of "client_id:client_secret" of a client allowed the grant

local basic = os.getenv("TERMAUTH_BASIC")
if basic == nil or basic == "" then
  io.stderr:write("password_flood.lua: TERMAUTH_BASIC is not set\n")
  os.exit(2)
end
local users = tonumber(os.getenv("TERMAUTH_USERS") or "1000")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. basic

request = function()
  local body = "grant_type=password&username=user" .. math.random(users) .. "&password=wrong-" .. math.random(1000000)
  return wrk.format(nil, nil, nil, body)
end
