-- group by over 10^6 rows with a computed key: count and sum per group; prints a summary.
local rows = {}
for i = 0, 999999 do rows[#rows + 1] = {id = i, v = (i * 37) % 101} end
local groups, order = {}, {}
for _, r in ipairs(rows) do
  local k = (r.id * 31) % 1000
  local g = groups[k]
  if not g then g = {}; groups[k] = g; order[#order + 1] = k end
  g[#g + 1] = r
end
local stats = {}
for _, k in ipairs(order) do
  local g = groups[k]
  local s = 0
  for _, x in ipairs(g) do s = s + x.v end
  stats[#stats + 1] = {k, #g, s}
end
local n, total = 0, 0
for _, s in ipairs(stats) do n = n + s[2]; total = total + s[3] end
local function show(s) return "[" .. s[1] .. ", " .. s[2] .. ", " .. s[3] .. "]" end
print(#stats .. " " .. n .. " " .. total .. " " .. show(stats[1]) .. " " .. show(stats[1000]))
