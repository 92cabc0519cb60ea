-- The two real tuning tasks of the regret benchmark, evaluated once on every point of their
-- grids with Tuna's training core, so that Tuna's and Optuna's samplers are scored on the very
-- same numbers (a tabular benchmark: a trial looks its point up instead of training).
--
--   tuna run scripts/bench/tabular/make_tables.lua -- digits > scripts/bench/tabular/digits_mlp.csv
--   tuna run scripts/bench/tabular/make_tables.lua -- forest > scripts/bench/tabular/forest_breast_cancer.csv
--
-- digits: an MLP of two hidden layers on the 8x8 digits (75/25 stratified split, standardized),
--   AdamW for 10 epochs; the value is the validation cross-entropy (a continuous measure: the
--   error rate of 450 validation images ties many points at the top of the grid).
-- forest: a random forest on breast_cancer; the value is the 5-fold cross-validated log loss.
-- A diverged run (NaN) is written as 10, worse than any other.
local task = ...

local function value(v)
  if v ~= v or v > 10 then return 10 end
  return v
end

if task == "digits" then
  local digits = tuna.data.load("digits")
  local train, valid = digits:split{ test_size = 0.25, stratify = true, seed = 0 }
  train, valid = tuna.data.standardize(train, valid)
  print("lr,width,weight_decay,activation,batch_size,loss")
  for _, lr in ipairs{ 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2 } do
    for _, width in ipairs{ 16, 32, 64, 128, 256 } do
      for _, wd in ipairs{ 1e-6, 1e-4, 1e-2 } do
        for _, activation in ipairs{ "relu", "tanh", "gelu" } do
          for _, batch in ipairs{ 32, 64, 128 } do
            local net = tuna.nn.mlp{ hidden = { width, width }, activation = activation }
            local fit = tuna.nn.fit(net, train, {
              valid = valid, epochs = 10, batch_size = batch, seed = 0,
              optimizer = { "adamw", lr = lr, weight_decay = wd },
            })
            print(string.format("%g,%d,%g,%s,%d,%.6f", lr, width, wd, activation, batch, value(fit.valid_loss)))
          end
        end
      end
    end
  end
elseif task == "forest" then
  local data = tuna.data.load("breast_cancer")
  print("n_estimators,max_depth,min_samples_leaf,max_features,loss")
  for _, trees in ipairs{ 8, 16, 32, 64, 128 } do
    for _, depth in ipairs{ 2, 3, 4, 5, 6, 8, 10, 14 } do
      for _, leaf in ipairs{ 1, 2, 3, 5, 8, 12 } do
        for _, features in ipairs{ 0.05, 0.1, 0.2, 0.3, 0.45, 0.65, 0.8, 1.0 } do
          local cv = tuna.ml.cross_val_score(function()
            return tuna.ml.random_forest{
              n_estimators = trees, max_depth = depth, min_samples_leaf = leaf, max_features = features, seed = 0,
            }
          end, data, { cv = 5, scoring = "neg_log_loss", seed = 0 })
          print(string.format("%d,%d,%d,%g,%.6f", trees, depth, leaf, features, value(-cv.mean)))
        end
      end
    end
  end
else
  error("the task is 'digits' or 'forest', got " .. tostring(task))
end
