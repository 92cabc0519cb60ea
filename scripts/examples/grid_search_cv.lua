-- scikit-learn's GridSearchCV, the seed example: a random forest over 27 configurations with
-- 5-fold cross-validation, as one call. It runs as a study over a grid sampler.
-- Run with: tuna run scripts/examples/grid_search_cv.lua
local tuna = require("tuna")

local data = tuna.data.make_classification{ n_samples = 1000, n_features = 10, seed = 42 }
local train, test = data:split{ test_size = 0.2, seed = 42 }

local gs = tuna.ml.grid_search_cv{
  estimator = "random_forest",
  data = train,
  cv = 5,
  scoring = "accuracy",
  seed = 42,
  param_grid = {
    n_estimators = { 50, 100, 200 },
    max_depth = { 5, 10, 15 },
    min_samples_split = { 2, 5, 10 },
  },
}

print(string.format("best CV accuracy %.4f with n_estimators = %d, max_depth = %d, min_samples_split = %d",
  gs.best_score, gs.best_params.n_estimators, gs.best_params.max_depth, gs.best_params.min_samples_split))
print(string.format("test accuracy of the refitted best model: %.4f", gs.best_estimator:score(test)))

-- Every configuration is a trial of an ordinary study.
local worst = math.huge
for _, r in ipairs(gs.results) do worst = math.min(worst, r.mean_score) end
print(string.format("%d configurations, CV accuracy from %.4f to %.4f", #gs.results, worst, gs.best_score))
