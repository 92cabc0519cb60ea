-- Pruners from Lua (lua-api.md §4, §5): the built-in ones in studies, pruners written in Lua,
-- pruning from tuna.nn.fit (on_epoch and the one-line `prune = trial`), and pruning across
-- cross-validation folds (cross_val_score with a trial, grid_search_cv with a pruner).
local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
  return err
end

local function states(study)
  local c = { complete = 0, pruned = 0, fail = 0 }
  for _, t in ipairs(study:trials()) do c[t.state] = (c[t.state] or 0) + 1 end
  return c
end

-- A learning curve per trial: x sets how good it gets; the objective reports 10 steps.
local function curve_objective(trial)
  local x = trial:suggest_float("x", 0, 1)
  local v
  for step = 1, 10 do
    v = (1 - x) * 10 / step + (1 - x)
    trial:report(v, step)
    if trial:should_prune() then trial:prune() end
  end
  return v
end

-- Every built-in pruner prunes some of 40 trials of the curve study, and never a trial better
-- than every one before it at each of its steps. -------------------------------------------
local pruners = {
  median = tuna.pruners.median{ n_startup_trials = 5 },
  percentile = tuna.pruners.percentile{ percentile = 25, n_startup_trials = 5 },
  successive_halving = tuna.pruners.successive_halving{ min_resource = 1, reduction_factor = 3 },
  hyperband = tuna.pruners.hyperband{ min_resource = 1, max_resource = 10, reduction_factor = 3 },
  threshold = tuna.pruners.threshold{ upper = 8 },
  patient = tuna.pruners.patient{ wrapped = tuna.pruners.median{}, patience = 0, min_delta = 0.5 },
}
for name, pruner in pairs(pruners) do
  local study = tuna.create_study{ name = name, sampler = tuna.samplers.random{ seed = 7 }, pruner = pruner }
  study:optimize(curve_objective, { n_trials = 40 })
  local c = states(study)
  assert(c.pruned > 0 and c.complete > 0 and c.fail == 0, name .. ": " .. c.complete .. " complete, " .. c.pruned .. " pruned")
  -- A pruned trial's value is its last report; its intermediate values are kept.
  for _, t in ipairs(study:trials{ states = { "pruned" } }) do
    local last = 0
    for step in pairs(t.intermediate_values) do last = math.max(last, step) end
    assert(t.value == t.intermediate_values[last], name .. ": pruned trial value")
  end
  assert(study.best_value < 1.5, name .. ": the study still finds a good x")
end

-- Maximizing the mirrored curve gives the same decisions as minimizing it (direction-aware).
local function run(direction, pruner)
  local sign = direction == "maximize" and -1 or 1
  local study = tuna.create_study{ direction = direction, sampler = tuna.samplers.random{ seed = 3 }, pruner = pruner }
  study:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    local v
    for step = 1, 10 do
      v = sign * ((1 - x) * 10 / step + (1 - x))
      trial:report(v, step)
      if trial:should_prune() then trial:prune() end
    end
    return v
  end, { n_trials = 30 })
  local out = {}
  for _, t in ipairs(study:trials()) do out[#out + 1] = t.state end
  return table.concat(out, ",")
end
for _, make in ipairs({ function() return tuna.pruners.median{} end,
                        function() return tuna.pruners.successive_halving{} end,
                        function() return tuna.pruners.wilcoxon{} end }) do
  assert(run("minimize", make()) == run("maximize", make()), "direction")
end

-- NaN and out-of-order reports do not break a pruner.
do
  local study = tuna.create_study{ pruner = tuna.pruners.median{ n_startup_trials = 1 } }
  study:optimize(function(trial)
    trial:report(0 / 0, 3)
    trial:report(1, 1)
    trial:should_prune()
    trial:report(0 / 0, 2)
    return trial:should_prune() and 1 or 0
  end, { n_trials = 5 })
  assert(states(study).complete == 5)
end

-- A pruner written in Lua -------------------------------------------------------------------
do
  local seen = {}
  local lua_pruner = tuna.pruner{
    name = "above-best",
    calls = 0,
    prune = function(self, ctx, trial)
      self.calls = self.calls + 1
      seen.direction = ctx.direction
      seen.rng = ctx.rng
      assert(trial.state == "running" and type(trial.number) == "number")
      local best = ctx.best_trial
      if best == nil then return false end
      local step, value = 0, nil
      for s, v in pairs(trial.intermediate_values) do if s >= step then step, value = s, v end end
      local theirs = best.intermediate_values[step]
      return theirs ~= nil and value > 2 * theirs
    end,
  }
  assert(lua_pruner.name == "above-best")
  local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 }, pruner = lua_pruner }
  study:optimize(curve_objective, { n_trials = 30 })
  assert(seen.direction == "minimize" and seen.rng == nil, "a pruner's ctx has no rng")
  assert(states(study).pruned > 0)
  raises("a pruner needs a 'prune' function", tuna.pruner, {})
end

-- Options are checked, at the script's line.
raises("unknown option 'patince'", tuna.pruners.patient, { patince = 2 })
raises("reduction_factor must be >= 2, got 1", tuna.pruners.successive_halving, { reduction_factor = 1 })
raises("'wrapped' must be a pruner", tuna.pruners.patient, { wrapped = {} })

-- tuna.nn.fit: on_epoch and the one-line form -------------------------------------------------
local digits = tuna.data.load("digits")
local train, valid = digits:split{ test_size = 0.25, stratify = true, seed = 0 }
train, valid = tuna.data.standardize(train, valid)

local function mlp_objective(one_line)
  return function(trial)
    local lr = trial:suggest_float("lr", 1e-5, 1e-1, { log = true })
    local net = tuna.nn.mlp{ hidden = { 32 } }
    local options = { valid = valid, epochs = 8, batch_size = 64, seed = 0, optimizer = { "adam", lr = lr } }
    if one_line then
      options.prune = trial
    else
      options.on_epoch = function(epoch, m)
        trial:report(m.valid_accuracy, epoch)
        if trial:should_prune() then trial:prune() end
      end
    end
    local fit = tuna.nn.fit(net, train, options)
    trial:set_user_attr("epochs", fit.epochs)
    return fit.valid_accuracy
  end
end
local epoch_counts = {}
for _, one_line in ipairs({ false, true }) do
  local study = tuna.create_study{ direction = "maximize", sampler = tuna.samplers.random{ seed = 5 },
                                   pruner = tuna.pruners.median{ n_startup_trials = 3 } }
  study:optimize(mlp_objective(one_line), { n_trials = 12 })
  local c = states(study)
  assert(c.pruned > 0 and c.complete >= 3 and c.fail == 0, "nn pruning: " .. c.pruned .. " pruned")
  local epochs = 0
  for _, t in ipairs(study:trials()) do
    local n = 0
    for _ in pairs(t.intermediate_values) do n = n + 1 end
    epochs = epochs + n
    if t.state == "pruned" then assert(n < 8) end
  end
  epoch_counts[#epoch_counts + 1] = epochs
  assert(study.best_value > 0.9, "best accuracy " .. study.best_value)
end
-- The one-line form reports what on_epoch reported (validation accuracy: the study maximizes).
assert(epoch_counts[1] == epoch_counts[2], epoch_counts[1] .. " vs " .. epoch_counts[2])
do
  local study = tuna.create_study{ direction = "minimize" }
  local t = study:ask()
  tuna.nn.fit(tuna.nn.mlp{ hidden = { 8 } }, train, { valid = valid, epochs = 2, seed = 0, prune = t })
  assert(t.study == study)
  local frozen = study:trials()[1]
  assert(frozen.intermediate_values[1] and frozen.intermediate_values[2], "reported each epoch")
  assert(frozen.intermediate_values[2] > 0 and frozen.intermediate_values[2] < 5, "minimizing: the validation loss")
  raises("give 'valid' data", tuna.nn.fit, tuna.nn.mlp{ hidden = { 8 } }, train, { epochs = 1, prune = t })
  raises("'prune_monitor' must be one of", tuna.nn.fit, tuna.nn.mlp{ hidden = { 8 } }, train,
         { valid = valid, epochs = 1, prune = t, prune_monitor = "valid_r2" })
  raises("'prune' must be a trial", tuna.nn.fit, tuna.nn.mlp{ hidden = { 8 } }, train, { epochs = 1, prune = 1 })
end

-- Cross-validation folds ---------------------------------------------------------------------
local iris = tuna.data.load("iris")
do
  -- Each fold reports its score at step = fold index; Wilcoxon drops a model that is worse
  -- than the best on every fold before its last folds.
  local study = tuna.create_study{ direction = "maximize", pruner = tuna.pruners.wilcoxon{ p_threshold = 0.1 } }
  study:enqueue_trial({ c = 1.0 })
  study:enqueue_trial({ c = 1e-6 })
  study:optimize(function(trial)
    local c = trial:suggest_float("c", 1e-6, 10, { log = true })
    local cv = tuna.ml.cross_val_score(function() return tuna.ml.logistic_regression{ c = c } end, iris,
                                       { cv = 10, seed = 0, shuffle = true, trial = trial })
    return cv.mean
  end, { n_trials = 2 })
  local good, bad = study:trials()[1], study:trials()[2]
  assert(good.state == "complete")
  for fold = 0, 9 do assert(good.intermediate_values[fold], "fold " .. fold) end
  assert(bad.state == "pruned", bad.state)
  local reported = 0
  for _ in pairs(bad.intermediate_values) do reported = reported + 1 end
  assert(reported == 4, "pruned after 4 folds (p = 1/16), got " .. reported)

  -- report = "mean": the running mean of the folds.
  local s2 = tuna.create_study{ direction = "maximize" }
  local t = s2:ask()
  local cv = tuna.ml.cross_val_score(function() return tuna.ml.logistic_regression{} end, iris,
                                     { cv = 3, seed = 0, shuffle = true, trial = t, report = "mean" })
  local iv = s2:trials()[1].intermediate_values
  assert(math.abs(iv[0] - cv.scores[1]) < 1e-12 and math.abs(iv[2] - cv.mean) < 1e-12)
  raises("must maximize", tuna.ml.cross_val_score, function() return tuna.ml.logistic_regression{} end, iris,
         { trial = tuna.create_study{}:ask() })
  raises("'report' needs 'trial'", tuna.ml.cross_val_score, function() return tuna.ml.logistic_regression{} end, iris,
         { report = "mean" })
end
do
  -- grid_search_cv with a pruner: hopeless configurations stop early and are listed as pruned.
  local gs = tuna.ml.grid_search_cv{ estimator = "logistic_regression", data = iris, cv = 10, shuffle = true, seed = 0,
    param_grid = { c = { 1.0, 1e-6, 1e-5, 10.0 } }, pruner = tuna.pruners.wilcoxon{} }
  local pruned, complete = 0, 0
  for _, r in ipairs(gs.results) do
    if r.state == "pruned" then
      pruned = pruned + 1
      assert(#r.scores < 10 and r.rank == nil and r.params.c < 1e-4)
    else
      complete = complete + 1
      assert(#r.scores == 10 and r.rank >= 1)
    end
  end
  -- The grid's order is seeded: a weak configuration tried before any good one completes.
  assert(pruned >= 1 and pruned + complete == 4, pruned .. " pruned")
  assert(gs.best_params.c >= 1)
end

print("ok pruners")
