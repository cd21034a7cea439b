-- wrk script: POST /introspect for one token (RFC 7662), authenticated as a resource server.
--   TERMAUTH_BASIC  base64 of "client_id:client_secret";  TERMAUTH_TOKEN  the token
wrk.method = "POST"
wrk.body = "token=" .. os.getenv("TERMAUTH_TOKEN")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("TERMAUTH_BASIC")
