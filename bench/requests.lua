-- wrk script of the benchmark: requests read from requests.txt in the working directory, one per
-- line as METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY, shared out between wrk's threads so that no two
-- threads send the same line (a ballot, a support: each is a different person or target).
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(args[1]) or 1
  local all = {}
  for line in io.lines("requests.txt") do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then table.insert(all, {method, path, cookie, body}) end
  end
  mine = {}
  for i = id + 1, #all, threads do table.insert(mine, all[i]) end
  if #mine == 0 then mine = all end  -- fewer lines than threads: every thread sends them all
  index = 0
end

function request()
  index = index % #mine + 1
  local r = mine[index]
  local headers = {Cookie = r[3]}
  local body = nil
  if r[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = r[4]
  end
  return wrk.format(r[1], r[2], headers, body)
end
