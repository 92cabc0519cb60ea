-- Run with --sandbox: no io, os, package, debug, dofile, loadfile; text-only load; no __gc;
-- require("tuna") still works.
assert(io == nil, "io")
assert(os == nil, "os")
assert(package == nil, "package")
assert(debug == nil, "debug")
assert(dofile == nil, "dofile")
assert(loadfile == nil, "loadfile")
assert(require("tuna") == tuna, 'require("tuna")')
assert(not pcall(require, "os"), "only tuna can be required")

-- load: text yes, binary no, whatever the mode asked.
assert(load("return 1 + 1")() == 2)
local chunk = string.dump(function() return 42 end)
local f, err = load(chunk)
assert(f == nil and tostring(err):find("binary", 1, true), "binary chunks are refused")
local g, err2 = load(chunk, "bin", "b")
assert(g == nil and tostring(err2):find("binary", 1, true), "mode 'b' does not bypass the sandbox")

-- setmetatable: __gc refused, the rest works.
local ok, err3 = pcall(setmetatable, {}, { __gc = function() end })
assert(not ok and tostring(err3):find("__gc", 1, true), "__gc is refused")
assert(setmetatable({}, { __index = { a = 1 } }).a == 1)

-- The safe libraries are there.
assert(string.format("%d", 3) == "3" and math.sqrt(4) == 2 and table.concat({ 1, 2 }) == "12")
assert(coroutine.wrap(function() return 5 end)() == 5 and utf8.char(65) == "A")

local study = tuna.create_study{ name = "sandboxed", sampler = tuna.samplers.random{ seed = 1 } }
study:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 3 })
assert(#study:trials() == 3)
print("ok sandbox")
