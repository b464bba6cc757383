-- Inner equi-join of two 100 000-row lists on an int key; prints the row count and a checksum.
local left, right = {}, {}
for i = 0, 99999 do
  left[#left + 1] = {id = i, k = (i * 7919) % 100000, v = i % 13}
  right[#right + 1] = {k = (i * 104729) % 100000, w = i % 17}
end
local index = {}
for _, b in ipairs(right) do
  local bucket = index[b.k]
  if not bucket then bucket = {}; index[b.k] = bucket end
  bucket[#bucket + 1] = b
end
local rows = {}
for _, a in ipairs(left) do
  local bucket = index[a.k]
  if bucket then
    for _, b in ipairs(bucket) do rows[#rows + 1] = a.v * b.w + a.id end
  end
end
local s = 0
for _, r in ipairs(rows) do s = s + r end
print(#rows .. " " .. s)
