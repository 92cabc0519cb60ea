-- The module and the script's environment: require("tuna") is the global tuna, the `arg` table
-- and the chunk's `...` carry the arguments after `--`, constructors not built yet say so.
--
--   tuna run scripts/tests/module.lua -- a b
--
-- tuna-test-args: a b

assert(type(tuna) == "table", "tuna is a preloaded global")
local t = require("tuna")
assert(t == tuna, 'require("tuna") returns the global tuna table')
assert(require("tuna") == t, "require is cached")
assert(type(tuna.version) == "string" and tuna.version:match("^%d+%.%d+%.%d+"))

-- Arguments after `--`: arg[0] is the script, arg[1..n] the arguments, and `...` the same.
assert(type(arg) == "table")
assert(type(arg[0]) == "string" and arg[0]:match("module%.lua$"), "arg[0] is the script's path")
assert(#arg == 2 and arg[1] == "a" and arg[2] == "b", "arg holds the arguments after --")
assert(select("#", ...) == 2, "the chunk gets the arguments as ...")
local first, second = ...
assert(first == "a" and second == "b")

-- Everything the API lists exists.
for _, name in ipairs({ "random", "grid", "qmc", "tpe", "gp", "cmaes", "ga", "nsga2" }) do
  assert(type(tuna.samplers[name]) == "function", "tuna.samplers." .. name)
end
for _, name in ipairs({ "random", "qmc", "tpe", "gp", "cmaes", "ga", "nsga2" }) do
  local ok, sampler = pcall(tuna.samplers[name], { seed = 1 })
  -- Every sampler the API lists is built; one that is not says so instead of failing obscurely.
  assert(ok and sampler.name == name or tostring(sampler):find("not available", 1, true), "tuna.samplers." .. name)
end
for _, name in ipairs({ "gp", "acquisition", "qmc" }) do assert(type(tuna[name]) == "table", "tuna." .. name) end
for _, name in ipairs({ "nop", "median", "percentile", "successive_halving", "hyperband", "threshold", "patient", "wilcoxon" }) do
  local options = name == "threshold" and { upper = 1 } or {}
  local pruner = tuna.pruners[name](options)
  assert(pruner.name == name, "tuna.pruners." .. name)
end
assert(tuna.pruner{ prune = function() return false end }.name == "lua")

-- The full standard library is there outside the sandbox.
assert(type(io) == "table" and type(os) == "table" and type(package) == "table" and type(debug) == "table")
assert(package.loaded.tuna == tuna)

print("ok module")
