-- Built-in samplers (lua-api.md §3): random (seeded reproducibility) and grid (every combination
-- exactly once, then the study stops).
--
--   tuna run scripts/tests/samplers.lua
--
-- Not meant to run with --seed: that gives every sampler the same seed, and this script checks
-- that different seeds differ.

local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
end

local function objective(trial)
  local x = trial:suggest_float("x", -5, 5)
  local lr = trial:suggest_float("lr", 1e-5, 1e-1, { log = true })
  local q = trial:suggest_float("q", 0, 1, { step = 0.1 })
  local n = trial:suggest_int("n", 1, 64, { log = true })
  local m = trial:suggest_int("m", -10, 10, { step = 2 })
  local act = trial:suggest_categorical("act", { "relu", "tanh", "gelu", 1, false })
  return x * x + lr + q + n + m + (act == "relu" and 1 or 0)
end

local function run(seed, n)
  local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = seed } }
  study:optimize(objective, { n_trials = n or 25, catch = false })
  return study
end

local function same_params(a, b)
  local ta, tb = a:trials(), b:trials()
  if #ta ~= #tb then return false end
  for i = 1, #ta do
    for name, v in pairs(ta[i].params) do
      if tb[i].params[name] ~= v or math.type(tb[i].params[name]) ~= math.type(v) then return false end
    end
    for name in pairs(tb[i].params) do if ta[i].params[name] == nil then return false end end
    if ta[i].value ~= tb[i].value then return false end
  end
  return true
end

-- random -------------------------------------------------------------------------------------------

do
  local s = tuna.samplers.random{ seed = 42 }
  assert(s.name == "random")
  assert(s.seed == 42)
  raises("unknown option", tuna.samplers.random, { sed = 1 })

  local a, b, c = run(7), run(7), run(8)
  assert(same_params(a, b), "two studies with the same seed sample the same parameters")
  assert(not same_params(a, c), "a different seed samples different parameters")
  assert(a.best_value == b.best_value)

  -- Each trial's stream depends only on the seed and the trial number.
  local short = run(7, 10)
  local ta, ts = a:trials(), short:trials()
  for i = 1, 10 do assert(ta[i].params.x == ts[i].params.x) end

  -- Unseeded samplers differ from run to run (two draws from the system generator).
  local u1 = tuna.create_study{ sampler = tuna.samplers.random{} }
  local u2 = tuna.create_study{}
  u1:optimize(objective, { n_trials = 5 })
  u2:optimize(objective, { n_trials = 5 })
  assert(not same_params(u1, u2), "unseeded studies do not repeat each other")
end

-- grid ---------------------------------------------------------------------------------------------

do
  local grid = tuna.samplers.grid{
    search_space = { x = { 1, 2, 3 }, act = { "relu", "tanh" }, flag = { true, false } },
    seed = 3,
  }
  assert(grid.name == "grid")
  local study = tuna.create_study{ name = "grid", sampler = grid }
  local seen, n = {}, 0
  study:optimize(function(trial)
    local x = trial:suggest_int("x", 1, 3)
    local act = trial:suggest_categorical("act", { "relu", "tanh" })
    local flag = trial:suggest_categorical("flag", { true, false })
    assert(math.type(x) == "integer")
    local key = x .. "/" .. act .. "/" .. tostring(flag)
    assert(not seen[key], "grid point visited twice: " .. key)
    seen[key] = true
    n = n + 1
    return x
  end, { n_trials = 100, catch = false })
  assert(n == 12, "a 3 x 2 x 2 grid runs 12 trials, then stops; ran " .. n)
  for _, x in ipairs({ 1, 2, 3 }) do
    for _, act in ipairs({ "relu", "tanh" }) do
      for _, flag in ipairs({ "true", "false" }) do
        assert(seen[x .. "/" .. act .. "/" .. flag], "grid point not visited: " .. x .. "/" .. act .. "/" .. flag)
      end
    end
  end
  assert(#study:trials() == 12)
  assert(#study:trials{ states = { "complete" } } == 12)

  -- Grid values for a float parameter, and an unbounded optimize call stops by itself.
  local floats = tuna.create_study{ sampler = tuna.samplers.grid{ search_space = { lr = { 0.001, 0.01, 0.1 } } } }
  local lrs = {}
  floats:optimize(function(trial)
    local lr = trial:suggest_float("lr", 1e-4, 1, { log = true })
    assert(math.type(lr) == "float")
    lrs[#lrs + 1] = lr
    return lr
  end, { catch = false })
  table.sort(lrs)
  assert(#lrs == 3 and lrs[1] == 0.001 and lrs[2] == 0.01 and lrs[3] == 0.1)
  assert(floats.best_value == 0.001)

  -- The same seed visits the grid in the same order.
  local function order(seed)
    local s = tuna.create_study{ sampler = tuna.samplers.grid{ search_space = { a = { 1, 2, 3, 4 }, b = { 5, 6 } }, seed = seed } }
    local out = {}
    s:optimize(function(trial)
      local a, b = trial:suggest_int("a", 1, 4), trial:suggest_int("b", 5, 6)
      out[#out + 1] = a .. b
      return 0
    end, { n_trials = 20, catch = false })
    return table.concat(out, " ")
  end
  assert(order(1) == order(1))
  assert(#order(1) == #"15 16 25 26 35 36 45 46")

  -- A parameter the grid does not name fails the trial with a message naming it.
  local partial = tuna.create_study{ sampler = tuna.samplers.grid{ search_space = { x = { 1, 2 } } } }
  partial:optimize(function(trial)
    trial:suggest_int("x", 1, 2)
    trial:suggest_float("y", 0, 1)
    return 0
  end, { n_trials = 1 })
  local failed = partial:trials{ states = { "fail" } }
  assert(#failed == 1 and failed[1].fail_reason:find("'y'", 1, true), "the failure names the missing parameter")

  raises("search_space", tuna.samplers.grid, {})
  raises("search_space['x'] must list at least one value", tuna.samplers.grid, { search_space = { x = {} } })
end

-- The search core words its errors in its Swift names; scripts read them in the Lua API's.
do
  raises("bad argument #1 to 'tpe' (n_ei_candidates must be >= 1, got 0)", tuna.samplers.tpe, { n_ei_candidates = 0 })
  raises("population_size must be >= 2", tuna.samplers.nsga2, { population_size = 1 })
  raises("n_startup_trials must be", tuna.samplers.cmaes, { n_startup_trials = -1 })
  local trial = tuna.create_study{}:ask()
  raises("bad argument #4 to 'suggest_float' (low must be <= high", trial.suggest_float, trial, "x", 5, 1)
  raises("bad argument #5 to 'suggest_int' (step must be > 0", trial.suggest_int, trial, "n", 0, 10, { step = 0 })
  raises("bad argument #3 to 'suggest_categorical' (choices must not be empty", trial.suggest_categorical, trial, "c", {})
  local mo = tuna.create_study{ directions = { "minimize", "maximize" } }
  raises("best_trial is not defined for a multi-objective study; use best_trials", function() return mo.best_trial end)
end

print("ok samplers")
