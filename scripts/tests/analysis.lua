-- Analysis (lua-api.md §8): tuna.importance with both evaluators, its options and its order under
-- pairs(); tuna.interactions; multi-objective targets; tuna.report; errors that name the mistake.
--
--   tuna run scripts/tests/analysis.lua
--
-- Every check is an assert: a failure exits 1 with this file's name and line.

local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
  return err
end

local function close(a, b, tol) return math.abs(a - b) <= (tol or 1e-9) end

-- A study where x matters most, x and y interact, lr matters a little and noise not at all.
local study = tuna.create_study{ name = "analysis", sampler = tuna.samplers.random{ seed = 3 } }
study:optimize(function(t)
  local x = t:suggest_float("x", -1, 1)
  local y = t:suggest_float("y", -1, 1)
  local lr = t:suggest_float("lr", 1e-4, 1e-1, { log = true })
  local act = t:suggest_categorical("act", { "relu", "tanh" })
  t:suggest_float("noise", 0, 1)
  return 4 * x * x + 3 * x * y + 0.3 * (math.log(lr, 10) + 2.5) ^ 2 + (act == "tanh" and 0.2 or 0)
end, { n_trials = 400 })

-- importance: PED-ANOVA by default, normalized, most important first under pairs() ------------

do
  local imp = tuna.importance(study)
  local names, total, last = {}, 0, math.huge
  for name, value in pairs(imp) do
    names[#names + 1] = name
    assert(value <= last, "pairs() visits importances in descending order")
    last = value
    total = total + value
  end
  assert(#names == 5, "every parameter seen in complete trials")
  assert(close(total, 1, 1e-9), "normalized to sum to 1, got " .. total)
  assert(names[1] == "x", "x matters most, got " .. names[1])
  assert(imp.noise < 0.05, "noise does nothing: " .. imp.noise)
  -- The same call gives the same figures.
  local again = tuna.importance(study)
  for name, value in pairs(imp) do assert(again[name] == value) end
end

-- fANOVA: raw fractions of variance, a seed for reproducibility, params -------------------------

do
  local raw = tuna.importance(study, { evaluator = "fanova", normalize = false, seed = 1 })
  local total = 0
  for _, v in pairs(raw) do total = total + v end
  assert(total < 1, "raw main effects leave the interactions out: " .. total)
  assert(raw.x > raw.lr and raw.lr > raw.noise, "x > lr > noise")
  local same = tuna.importance(study, { evaluator = "fanova", normalize = false, seed = 1 })
  for name, value in pairs(raw) do assert(same[name] == value, "the same seed gives the same figures") end
  local two = tuna.importance(study, { evaluator = "fanova", params = { "lr", "x" } })
  local n = 0
  for name in pairs(two) do n = n + 1; assert(name == "x" or name == "lr") end
  assert(n == 2)
end

-- interactions: { a, b, fraction, std = ... }, strongest first, top ----------------------------

do
  local fx = tuna.interactions(study, { seed = 0 })
  assert(#fx == 10, "5 parameters make 10 pairs, got " .. #fx)
  local first = fx[1]
  assert((first[1] == "x" and first[2] == "y") or (first[1] == "y" and first[2] == "x"), "x × y interacts most")
  assert(first[3] > 0.05 and first[3] < 0.5, "x × y's share: " .. first[3])
  assert(first.std >= 0)
  for i = 2, #fx do assert(fx[i][3] <= fx[i - 1][3], "descending") end
  assert(#tuna.interactions(study, { evaluator = "fanova", top = 3 }) == 3)
  assert(#tuna.interactions(study, { top = 0 }) == 0)
end

-- targets: an objective of a multi-objective study, or a function of the trial -----------------

do
  local mo = tuna.create_study{ name = "two", directions = { "minimize", "maximize" }, sampler = tuna.samplers.random{ seed = 5 } }
  mo:optimize(function(t)
    local a = t:suggest_float("a", 0, 1)
    local b = t:suggest_float("b", 0, 1)
    return { a * a, b }
  end, { n_trials = 200 })
  local first = tuna.importance(mo, { target = 1 })
  assert(first.a > first.b, "objective 1 depends on a")
  local second = tuna.importance(mo, { target = 2, evaluator = "fanova" })
  assert(second.b > second.a, "objective 2 depends on b")
  local custom = tuna.importance(mo, { target = function(t) return t.values[2] end, direction = "maximize" })
  assert(custom.b > custom.a)
  local pareto = tuna.importance(mo) -- PED-ANOVA by Pareto rank
  assert(pareto.a > 0 and pareto.b > 0)
  raises("2 objectives", tuna.importance, mo, { evaluator = "fanova" })
  raises("'target' must be an objective's index from 1 to 2, got 3", tuna.importance, mo, { target = 3 })
  raises("the target function must return a number or nil", tuna.importance, mo, { target = function() return "x" end })
  raises("target failed here", tuna.importance, mo, { target = function() error("target failed here") end })
  raises("'direction' goes with a target function", tuna.importance, mo, { target = 1, direction = "maximize" })
end

-- errors that name the mistake -----------------------------------------------------------------

raises("bad argument #2 to 'importance' (unknown option 'evaluater'", tuna.importance, study, { evaluater = "fanova" })
raises("'evaluator' must be \"ped_anova\" or \"fanova\"", tuna.importance, study, { evaluator = "shap" })
raises("parameter 'nope'", tuna.importance, study, { evaluator = "fanova", params = { "nope" } })
raises("'nope'", tuna.importance, study, { params = { "nope" } })
raises("only functional ANOVA measures interactions", tuna.interactions, study, { evaluator = "ped_anova" })
raises("'top' must be >= 0", tuna.interactions, study, { top = -1 })
raises("bad argument #1 to 'importance'", tuna.importance, {})
raises("a file path expected", tuna.report, study, 42)

-- an empty study: equal shares, no pairs --------------------------------------------------------

do
  local empty = tuna.create_study{ name = "empty" }
  local n = 0
  for _ in pairs(tuna.importance(empty)) do n = n + 1 end
  assert(n == 0)
  assert(#tuna.interactions(empty) == 0)
end

-- report: a self-contained HTML file ------------------------------------------------------------

do
  local path = os.tmpname()
  tuna.report(study, path, { seed = 0 })
  local f = assert(io.open(path))
  local html = f:read("a")
  f:close()
  os.remove(path)
  assert(html:find("<!DOCTYPE html>", 1, true))
  assert(html:find("Study “analysis”", 1, true))
  assert(html:find("<svg", 1, true))
  assert(not html:find("<script", 1, true), "a report needs no script")
  -- Nothing to fetch: the only address is SVG's namespace name.
  local stripped = html:gsub("http://www%.w3%.org/2000/svg", "")
  assert(not stripped:find("https?://"), "a report loads nothing from the network")
end

print("ok analysis")
