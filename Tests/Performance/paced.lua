-- wrk script: like token_client_credentials.lua, but each connection waits
-- TERMAUTH_DELAY_MS between requests, so a run holds a chosen rate instead of
-- the most the server can take (soak.sh).
dofile(os.getenv("TERMAUTH_SCRIPT_DIR") .. "/token_client_credentials.lua")

local pause = tonumber(os.getenv("TERMAUTH_DELAY_MS") or "0")

function delay()
  return pause
end
