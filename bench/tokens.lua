-- For bench/access.sh: each request carries the next of many different bearer tokens (read from the file given
-- after --), so Caravan verifies a signature on nearly every request instead of remembering one token.
local count = 0

function setup(thread)
    count = count + 1
    thread:set("offset", count * 4999) -- threads start at different tokens
end

function init(args)
    tokens = {}
    for line in io.lines(args[1]) do
        tokens[#tokens + 1] = "Bearer " .. line
    end
    i = offset or 0
end

function request()
    i = i % #tokens + 1
    return wrk.format(nil, nil, { ["Authorization"] = tokens[i] })
end
