-- A script that does not parse: line 4 has a stray `=`.
local tuna = require("tuna")

local x = = 1
print("never printed")
