-- wrk script: GET one of the first `USERS` users' personalized lists per request, spread over all of them.
local users = tonumber(os.getenv("USERS") or "1000")
local counter = 0
request = function()
    counter = counter + 1
    return wrk.format("GET", "/v1/users/u" .. (counter % users) .. "/recommendations")
end
