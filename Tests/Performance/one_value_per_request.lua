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
  -- Each thread takes every n-th value, so no two threads ever send the same one.
  values = {}
  local n = tonumber(os.getenv("TERMAUTH_THREADS") or "2")
  for i = id + 1, #all, n do table.insert(values, all[i]) end
  index = 0
  form = os.getenv("TERMAUTH_FORM")
  path = os.getenv("TERMAUTH_PATH") or "/token"
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = "Basic " .. os.getenv("TERMAUTH_BASIC"),
  }
end

function request()
  index = index + 1
  local value = values[((index - 1) % #values) + 1]
  return wrk.format("POST", path, headers, string.format(form, value))
end
