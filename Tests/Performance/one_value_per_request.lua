-- wrk script: POST a form in which %s is replaced by the next value from a file, so every
-- request spends a different authorization code or refresh token (both are single use).
--
--   TERMAUTH_VALUES  file with one value per line
--   TERMAUTH_FORM    form body with one %s, e.g. grant_type=refresh_token&refresh_token=%s
--   TERMAUTH_BASIC   base64 of "client_id:client_secret"
--   TERMAUTH_PATH    request path (default /token)
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(os.getenv("TERMAUTH_VALUES")) do
    if line ~= "" then table.insert(all, line) end
  end
  local form = os.getenv("TERMAUTH_FORM")
  local path = os.getenv("TERMAUTH_PATH") or "/token"
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = "Basic " .. os.getenv("TERMAUTH_BASIC"),
  }
  -- Each thread takes every n-th value, so no two threads ever send the same one. The
  -- requests are formatted here, once: formatting per request cost wrk CPU that the server,
  -- on the same cores, then did not get.
  requests = {}
  local n = tonumber(os.getenv("TERMAUTH_THREADS") or "2")
  for i = id + 1, #all, n do
    table.insert(requests, wrk.format("POST", path, headers, string.format(form, all[i])))
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end
