-- Random patterns and subjects through string.find, match, gmatch and gsub, printed one
-- result per line. Run by stock lua5.4 and by `tuna run`; the outputs must be identical.
-- Usage: patterns_differential.lua [cases] [seed]
local cases = tonumber(arg and arg[1]) or 3000
local seed = tonumber(arg and arg[2]) or 1

local state = seed
local function rand(n) -- 1..n, a small LCG so both interpreters draw the same numbers
  state = (state * 1103515245 + 12345) % 2147483648
  return state % n + 1
end
local function pick(list) return list[rand(#list)] end

local subjectChars = { "a", "b", "a", "b", "1", "2", " ", "(", ")", "[", "]", "_", ".", "%", "\0", "\n", "A", "Z", "-", "^", "$" }
local atoms = {
  "a", "b", "1", ".", "%a", "%d", "%s", "%w", "%p", "%l", "%u", "%x", "%c", "%g", "%A", "%D", "%S", "%W",
  "%%", "%.", "%(", "%)", "%[", "%-", "%z", "[ab]", "[^a]", "[a-c]", "[%d_]", "[%a%-]", "[]]", "[^]]", "[a-]",
  "[%]", "[", "%", "%q", "%b()", "%b[]", "%bab", "%f[%w]", "%f[%W]", "%f[a]", "%f", "%b", "%1", "%2", "%0",
  "\0", "-", "^", "$", "A", "Z",
}
local quantifiers = { "", "", "", "*", "+", "-", "?" }

local function pattern()
  local parts = {}
  if rand(5) == 1 then parts[#parts + 1] = "^" end
  local open = 0
  for _ = 1, rand(7) - 1 do
    local r = rand(10)
    if r == 1 then
      parts[#parts + 1] = "("; open = open + 1
    elseif r == 2 and open > 0 then
      parts[#parts + 1] = ")"; open = open - 1
    elseif r == 3 then
      parts[#parts + 1] = "()"
    else
      parts[#parts + 1] = pick(atoms) .. pick(quantifiers)
    end
  end
  if rand(4) > 1 then
    for _ = 1, open do parts[#parts + 1] = ")" end
  end
  if rand(6) == 1 then parts[#parts + 1] = "$" end
  return table.concat(parts)
end

local function subject()
  local parts = {}
  for _ = 1, rand(16) - 1 do parts[#parts + 1] = pick(subjectChars) end
  return table.concat(parts)
end

local function show(...)
  local out = { tostring(select("#", ...)) }
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[#out + 1] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  return table.concat(out, " ")
end

local function guarded(f, ...)
  local results = table.pack(pcall(f, ...))
  if not results[1] then return "error: " .. tostring(results[2]) end
  return show(table.unpack(results, 2, results.n))
end

local inits = { nil, 1, 2, 0, -1, -3, 5, 17, -100, 100 }
local templates = { "<%0>", "%1", "%2-%1", "%%", "x", "%", "%a", "", "[%1%0]", "%9" }

for case = 1, cases do
  local s, p = subject(), pattern()
  local init = inits[rand(#inits)]
  io.write(case, " ", string.format("%q %q", s, p), "\n")
  io.write("  find ", guarded(string.find, s, p, init), "\n")
  io.write("  plain ", guarded(string.find, s, p, init, true), "\n")
  io.write("  match ", guarded(string.match, s, p, init), "\n")
  io.write("  gmatch ", guarded(function()
    local seen = {}
    for a, b in string.gmatch(s, p, init) do
      seen[#seen + 1] = show(a, b)
      if #seen > 40 then break end
    end
    return table.concat(seen, " | ")
  end), "\n")
  local template = pick(templates)
  local limit = rand(3) == 1 and rand(4) - 1 or nil
  io.write("  gsub ", guarded(string.gsub, s, p, template, limit), "\n")
  io.write("  gsubf ", guarded(string.gsub, s, p, function(a, b)
    if a == "a" then return false end
    return "{" .. tostring(a) .. "," .. tostring(b) .. "}"
  end), "\n")
  io.write("  gsubt ", guarded(string.gsub, s, p, { a = "A", ["1"] = 7, b = false }), "\n")
end
