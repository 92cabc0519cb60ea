-- Pruning across cross-validation folds. Each trial scores a random forest with 10-fold
-- cross-validation; every fold's score is reported to the trial (step = fold index), and the
-- Wilcoxon pruner stops a configuration as soon as it is significantly worse than the best one
-- on the folds seen so far — the remaining folds are never trained.
-- Run with: tuna run scripts/examples/cv_pruning.lua
local tuna = require("tuna")

local data = tuna.data.load("breast_cancer")

local study = tuna.create_study{
  name = "forest-cv",
  direction = "maximize",
  sampler = tuna.samplers.tpe{ seed = 1, n_startup_trials = 5 },
  pruner = tuna.pruners.wilcoxon{ p_threshold = 0.1 },
}

study:optimize(function(trial)
  local options = {
    n_estimators = trial:suggest_int("n_estimators", 5, 60, { log = true }),
    max_depth = trial:suggest_int("max_depth", 1, 12),
    min_samples_leaf = trial:suggest_int("min_samples_leaf", 1, 40, { log = true }),
    max_features = trial:suggest_categorical("max_features", { "sqrt", "log2" }),
    seed = 0,
  }
  local cv = tuna.ml.cross_val_score(function() return tuna.ml.random_forest(options) end, data,
                                     { cv = 10, shuffle = true, seed = 0, trial = trial })
  return cv.mean
end, { n_trials = 25 })

local folds = 0
for _, t in ipairs(study:trials()) do
  for _ in pairs(t.intermediate_values) do folds = folds + 1 end
end
print(string.format("best 10-fold accuracy %.4f; %d of %d trials pruned; %d of %d folds trained",
  study.best_value, #study:trials{ states = { "pruned" } }, #study:trials(), folds, 10 * #study:trials()))
