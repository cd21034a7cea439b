-- wrk script: POST /token with grant_type=client_credentials and HTTP Basic
-- client authentication (RFC 6749 §2.3.1, §4.4).
--
-- bench.sh passes the credentials through the environment rather than as
-- script arguments, so the client secret never shows up in `ps`.
--   TERMAUTH_BASIC   base64 of "client_id:client_secret"
--   TERMAUTH_SCOPE   space-separated scopes (optional)

local basic = os.getenv("TERMAUTH_BASIC")
if basic == nil or basic == "" then
  io.stderr:write("token_client_credentials.lua: TERMAUTH_BASIC is not set\n")
  os.exit(2)
end

local function form_escape(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    if c == " " then return "+" end
    return string.format("%%%02X", string.byte(c))
  end))
end

local body = "grant_type=client_credentials"
local scope = os.getenv("TERMAUTH_SCOPE")
if scope ~= nil and scope ~= "" then
  body = body .. "&scope=" .. form_escape(scope)
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. basic
wrk.headers["Accept"] = "application/json"
