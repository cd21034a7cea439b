-- wrk script: GET /authorize as a browser, which parks the request and answers the page
-- at once (the non-waiting variant): every request is one parked request written.
--   TERMAUTH_QUERY  the query string
wrk.method = "GET"
wrk.path = "/authorize?" .. os.getenv("TERMAUTH_QUERY")
wrk.headers["Accept"] = "text/html"
