-- The training core from Lua (lua-api.md §5): data, networks, classical models, cross-validation.
local tuna = require("tuna")

-- Data ------------------------------------------------------------------------------------------
local iris = tuna.data.load("iris")
assert(iris.n_samples == 150 and iris.n_features == 4 and iris.n_classes == 3)
assert(iris.task == "classification" and #iris.class_names == 3)
local diabetes = tuna.data.load("diabetes")
assert(diabetes.task == "regression" and diabetes.n_classes == 0 and diabetes.n_features == 10)

local train, test = iris:split{ test_size = 0.2, stratify = true, seed = 42 }
assert(train.n_samples == 120 and test.n_samples == 30)
local counts = {}
for _, y in ipairs(test.y) do counts[y] = (counts[y] or 0) + 1 end
assert(counts[0] == 10 and counts[1] == 10 and counts[2] == 10, "stratified split keeps proportions")

local strain, stest = tuna.data.standardize(train, test)
assert(strain.n_samples == 120 and stest.n_samples == 30)

local folds, seen = 0, 0
for i, fold_train, fold_valid in iris:kfold{ k = 5, stratify = true, seed = 0 } do
  folds = folds + 1
  assert(i == folds)
  assert(fold_train.n_samples + fold_valid.n_samples == 150)
  seen = seen + fold_valid.n_samples
end
assert(folds == 5 and seen == 150, "every row is validated once")

local blobs = tuna.data.make_classification{ n_samples = 300, n_features = 6, n_informative = 3, n_classes = 3, seed = 1 }
assert(blobs.n_samples == 300 and blobs.n_features == 6 and blobs.n_classes == 3)
local again = tuna.data.make_classification{ n_samples = 300, n_features = 6, n_informative = 3, n_classes = 3, seed = 1 }
for i = 1, 300 do assert(blobs.y[i] == again.y[i], "same seed, same data") end
local moons = tuna.data.make_moons{ n_samples = 200, noise = 0.1, seed = 3 }
assert(moons.n_samples == 200 and moons.n_features == 2 and moons.n_classes == 2)
local reg = tuna.data.make_regression{ n_samples = 120, n_features = 4, noise = 0.5, seed = 2 }
assert(reg.task == "regression")

-- CSV with its errors naming file and line.
local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write("a,b,label\n1,2,x\n3,4,y\n5,6,x\n")
f:close()
local csv = tuna.data.csv(path, { target = "label" })
assert(csv.n_samples == 3 and csv.n_features == 2 and csv.n_classes == 2)
assert(csv.class_names[1] == "x" and csv.class_names[2] == "y")
f = assert(io.open(path, "w"))
f:write("a,b,label\n1,2,x\n3,4\n")
f:close()
local ok, err = pcall(tuna.data.csv, path, { target = "label" })
assert(not ok and err:find(":3: expected 3 fields, got 2", 1, true), err)
ok, err = pcall(tuna.data.csv, path, { target = "price" })
assert(not ok and err:find("no column named 'price'", 1, true), err)
os.remove(path)

-- CSV as files come: another delimiter, a text column, a missing cell.
path = os.tmpname()
f = assert(io.open(path, "w"))
f:write("size;color;y\n1;red;10\nNA;blue;20\n3;red;30\n")
f:close()
local mixed = tuna.data.csv(path, { delimiter = ";", missing = "mean", target = "y" })
assert(mixed.n_samples == 3 and mixed.n_features == 3, tostring(mixed.n_features))
local names = table.concat(mixed.feature_names, ",")
assert(names == "size,color=blue,color=red", names)
assert(#mixed.categories.color == 2 and mixed.categories.color[1] == "blue" and mixed.categories.color[2] == "red")
assert(mixed.categories.size == nil and next(iris.categories) == nil)
local ordinal = tuna.data.csv(path, { delimiter = ";", missing = "most_frequent", categorical = "ordinal", target = "y" })
assert(ordinal.n_features == 2 and ordinal.feature_names[2] == "color")
local picked = tuna.data.csv(path, { delimiter = ";", target = "y", columns = { "color" } })
assert(picked.n_features == 2 and picked.feature_names[1] == "color=blue")
ok, err = pcall(tuna.data.csv, path, { delimiter = ";", target = "y" })
assert(not ok and err:find(":3: column 'size': missing value", 1, true), err)
ok, err = pcall(tuna.data.csv, path, { delimiter = ";", missing = "zero" })
assert(not ok and err:find("'missing' must be one of", 1, true), err)
ok, err = pcall(tuna.data.csv, path, { delimiter = ";;" })
assert(not ok and err:find("'delimiter' must be one ASCII character", 1, true), err)
ok, err = pcall(tuna.data.csv, path, { delimiter = ";", columns = "color" })
assert(not ok and err:find("'columns' must be an array of column names", 1, true), err)
os.remove(path)
ok, err = pcall(tuna.data.load, "nope")
assert(not ok and err:find("iris", 1, true), err)

-- Neural networks -------------------------------------------------------------------------------
local net = tuna.nn.mlp{ hidden = { 32 }, activation = "relu", dropout = 0.1 }
local epochs_seen = {}
local fit = tuna.nn.fit(net, strain, {
  valid = stest, epochs = 30, batch_size = 16, seed = 0,
  optimizer = { "adam", lr = 1e-2 },
  lr_schedule = { "cosine", warmup_epochs = 2 },
  on_epoch = function(epoch, m)
    epochs_seen[#epochs_seen + 1] = epoch
    assert(m.train_loss and m.valid_loss and m.valid_accuracy and m.lr)
  end,
})
assert(fit.epochs == 30 and #fit.history == 30 and #epochs_seen == 30)
assert(fit.valid_accuracy >= 0.9, "iris MLP reaches 0.9, got " .. fit.valid_accuracy)
assert(net.parameter_count == 4 * 32 + 32 + 32 * 3 + 3)
local eval = net:evaluate(stest)
assert(math.abs(eval.accuracy - fit.valid_accuracy) < 1e-9 or not fit.stopped_early)
local predictions = net:predict(stest)
assert(#predictions == 30 and math.type(predictions[1]) == "integer")

-- "stop" from on_epoch ends training; fit.epochs says how many ran.
local stopped = tuna.nn.fit(tuna.nn.mlp{ hidden = { 8 } }, strain, {
  epochs = 50, seed = 1, on_epoch = function(epoch) if epoch == 4 then return "stop" end end,
})
assert(stopped.epochs == 4, "stopped after 4 epochs, ran " .. stopped.epochs)

-- Same seed, same result.
local function run(seed)
  return tuna.nn.fit(tuna.nn.mlp{ hidden = { 16, 16 }, activation = "tanh" }, strain,
    { valid = stest, epochs = 5, seed = seed, optimizer = { "sgd", lr = 0.05, momentum = 0.9, nesterov = true } })
end
assert(run(7).valid_loss == run(7).valid_loss and run(7).valid_loss ~= run(8).valid_loss)

-- Regression.
local rtrain, rvalid = tuna.data.standardize(reg:split{ test_size = 0.25, seed = 0 })
local rfit = tuna.nn.fit(tuna.nn.mlp{ hidden = { 32 } }, rtrain, {
  valid = rvalid, epochs = 200, batch_size = 16, seed = 0, optimizer = { "adamw", lr = 1e-2, weight_decay = 1e-4 },
})
assert(rfit.valid_r2 > 0.8, "regression MLP R2 " .. tostring(rfit.valid_r2))
local reval = tuna.nn.mlp{ hidden = { 4 } }
tuna.nn.fit(reval, rtrain, { epochs = 2 })
local metrics = reval:evaluate(rvalid)
assert(metrics.r2 and metrics.mse and metrics.mae and metrics.loss)

-- Early stopping: the validation loss stops improving long before 500 epochs.
local es = tuna.nn.fit(tuna.nn.mlp{ hidden = { 64 } }, strain, {
  valid = stest, epochs = 500, seed = 0, optimizer = { "adam", lr = 0.05 },
  early_stopping = { patience = 3, monitor = "valid_loss" },
})
assert(es.stopped_early and es.epochs < 500, "early stopping ended training after " .. es.epochs)

-- Bad arguments name the function and the option.
ok, err = pcall(tuna.nn.mlp, { activation = "swish" })
assert(not ok and err:find("'activation'", 1, true), err)
ok, err = pcall(tuna.nn.fit, net, strain, { optimizer = "adamax" })
assert(not ok and err:find("optimizer", 1, true), err)
ok, err = pcall(tuna.nn.fit, net, strain, { epocks = 3 })
assert(not ok and err:find("unknown option 'epocks'", 1, true), err)
-- The training core names its options the Swift way; scripts read them as they wrote them.
for _, case in ipairs{
  { { batch_size = 0 }, "batch_size must be at least 1, got 0" },
  { { optimizer = { "adamw", weight_decay = -1 } }, "optimizer weight_decay must be ≥ 0" },
  { { lr_schedule = { "cosine", warmup_epochs = -1 } }, "warmup_epochs must be ≥ 0, got -1" },
  { { valid = stest, early_stopping = { min_delta = -1 } }, "early_stopping min_delta must be ≥ 0" },
} do
  ok, err = pcall(tuna.nn.fit, tuna.nn.mlp{ hidden = { 4 } }, strain, case[1])
  assert(not ok and err:find(case[2], 1, true), tostring(err))
end

-- Classical models ------------------------------------------------------------------------------
local rf = tuna.ml.random_forest{ n_estimators = 50, max_depth = 6, max_features = "sqrt", seed = 42 }
assert(rf:fit(train) == rf)
assert(rf:score(test) >= 0.9)
local proba = rf:predict_proba(test)
assert(#proba == 30 and #proba[1] == 3)
local tree = tuna.ml.decision_tree{ max_depth = 3, criterion = "entropy" }
tree:fit(train)
assert(tree:score(test) >= 0.85)
local logreg = tuna.ml.logistic_regression{ c = 1.0 }
logreg:fit(strain)
assert(logreg:score(stest) >= 0.9)
local lin = tuna.ml.linear_regression{ l2 = 0 }
lin:fit(diabetes)
assert(math.abs(lin:score(diabetes) - 0.5177) < 0.001, "OLS R2 on diabetes " .. lin:score(diabetes))
ok, err = pcall(tuna.ml.random_forest, { n_estimators = 0 })
assert(not ok and err:find("n_estimators must be >= 1, got 0", 1, true), err)
ok, err = pcall(function() tuna.ml.decision_tree{ min_samples_leaf = 0 }:fit(train) end)
assert(not ok and err:find("min_samples_leaf must be >= 1, got 0", 1, true), err)
ok, err = pcall(function() return tuna.ml.decision_tree{ max_depth = 2 }:fit(diabetes):predict_proba(diabetes) end)
assert(not ok and err:find("class probabilities need a classifier", 1, true), err)
ok, err = pcall(tuna.ml.random_forest, { depth = 3 })
assert(not ok and err:find("unknown option 'depth'", 1, true), err)

local cv = tuna.ml.cross_val_score(function() return tuna.ml.logistic_regression{} end, strain,
  { cv = 5, scoring = "accuracy", seed = 0 })
assert(#cv.scores == 5 and cv.mean >= 0.9 and cv.std >= 0)

-- grid_search_cv is a study like any other.
local gs = tuna.ml.grid_search_cv{
  estimator = "decision_tree", data = train, cv = 3, scoring = "accuracy", seed = 1,
  param_grid = { max_depth = { 1, 3 }, min_samples_split = { 2, 10 } },
}
assert(#gs.results == 4 and gs.best_params.max_depth == 3)
assert(gs.best_score >= gs.results[1].mean_score and gs.best_score >= gs.results[4].mean_score)
assert(#gs.study:trials() == 4 and gs.study.best_value == gs.best_score)
assert(gs.best_estimator:score(test) >= 0.85)

-- Training inside a trial: on_epoch reports, and pruning propagates out of fit.
local study = tuna.create_study{ direction = "maximize", sampler = tuna.samplers.random{ seed = 3 } }
study:optimize(function(trial)
  local lr = trial:suggest_float("lr", 1e-3, 1e-1, { log = true })
  local r = tuna.nn.fit(tuna.nn.mlp{ hidden = { 16 } }, strain, {
    valid = stest, epochs = 6, seed = trial.number, optimizer = { "adam", lr = lr },
    on_epoch = function(epoch, m)
      trial:report(m.valid_accuracy, epoch)
      if trial.number == 1 and epoch == 3 then trial:prune() end
    end,
  })
  return r.valid_accuracy
end, { n_trials = 3 })
local states = {}
for _, t in ipairs(study:trials()) do states[#states + 1] = t.state end
assert(table.concat(states, ",") == "complete,pruned,complete", table.concat(states, ","))
assert(study:trials()[2].intermediate_values[3] ~= nil)

-- Models that persist: save, load, the same predictions; predict_proba for classifiers.
do
  local function same(a, b)
    if #a ~= #b then return false end
    for i = 1, #a do
      if type(a[i]) == "table" then
        if not same(a[i], b[i]) then return false end
      elseif a[i] ~= b[i] then
        return false
      end
    end
    return true
  end
  local forest = tuna.ml.random_forest{ n_estimators = 10, max_depth = 4, seed = 2 }:fit(train)
  local path = os.tmpname()
  forest:save(path)
  local again = tuna.ml.load(path)
  assert(again.kind == "random_forest")
  assert(same(again:predict(test), forest:predict(test)) and same(again:predict_proba(test), forest:predict_proba(test)))
  local p = again:predict_proba(test)[1]
  local sum = 0
  for _, x in ipairs(p) do sum = sum + x end
  assert(math.abs(sum - 1) < 1e-5)
  tuna.ml.logistic_regression{}:fit(strain):save(path)
  assert(tuna.ml.load(path).kind == "logistic_regression")
  local saved_net = tuna.nn.mlp{ hidden = { 8 } }
  tuna.nn.fit(saved_net, strain, { epochs = 2, seed = 1 })
  saved_net:save(path)
  local loaded = tuna.nn.load(path)
  assert(same(loaded:predict(stest), saved_net:predict(stest)))
  assert(same(loaded:predict_proba(stest), saved_net:predict_proba(stest)))
  assert(#loaded:predict_proba(stest)[1] == 3)  -- iris: three classes
  local ok, err = pcall(tuna.ml.load, path)
  assert(not ok and tostring(err):find("tuna.nn.load", 1, true), tostring(err))
  ok, err = pcall(tuna.nn.load, path .. ".missing")
  assert(not ok and tostring(err):find(".missing", 1, true))
  ok, err = pcall(function() tuna.nn.mlp{}:save(path) end)
  assert(not ok and tostring(err):find("not fitted", 1, true))
  os.remove(path)
end

print("ok training")
