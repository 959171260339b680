-- wrk script of bench/run_oidc.sh: POST /oidc/token, each request with the
-- next unused code of CODES (thread i takes every i-th line), client_secret_basic.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  codes = {}
  local i = 0
  for line in io.lines(os.getenv("CODES")) do
    if i % tonumber(os.getenv("THREADS")) == id then codes[#codes + 1] = line end
    i = i + 1
  end
  n = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. os.getenv("BASIC")
end
function request()
  n = n + 1
  local code = codes[n] or "spent"
  return wrk.format(nil, "/oidc/token", nil,
    "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. os.getenv("REDIRECT"))
end
