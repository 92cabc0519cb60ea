-- Prints what reached the script after `--`.
local parts = { tostring(#arg), tostring(select("#", ...)) }
for i = 1, #arg do parts[#parts + 1] = arg[i] end
print("args: " .. table.concat(parts, "|"))
