-- Tune a neural network on handwritten digits (8x8 pixels, 10 classes, 1,797 images).
-- Each trial trains an MLP and reports its validation accuracy every epoch; the median pruner
-- stops a trial whose accuracy so far is below the median of earlier trials at the same epoch.
-- Run with: tuna run scripts/examples/digits_mlp.lua   (or --trials N)
local tuna = require("tuna")

local digits = tuna.data.load("digits")
local train, valid = digits:split{ test_size = 0.2, stratify = true, seed = 0 }
train, valid = tuna.data.standardize(train, valid)

local study = tuna.create_study{
  name = "digits-mlp",
  direction = "maximize",
  sampler = tuna.samplers.tpe{ seed = 42 },
  pruner = tuna.pruners.median{ n_startup_trials = 5, n_warmup_steps = 2 },
}

local function objective(trial)
  local lr = trial:suggest_float("lr", 1e-4, 3e-2, { log = true })
  local batch_size = trial:suggest_categorical("batch_size", { 32, 64, 128 })
  local weight_decay = trial:suggest_float("weight_decay", 1e-6, 1e-2, { log = true })
  local beta1 = trial:suggest_float("beta1", 0.8, 0.99)
  local width = trial:suggest_int("width", 32, 256, { log = true })
  local activation = trial:suggest_categorical("activation", { "relu", "tanh", "gelu" })

  local net = tuna.nn.mlp{ hidden = { width, width }, activation = activation }
  local fit = tuna.nn.fit(net, train, {
    valid = valid, epochs = 20, batch_size = batch_size, seed = trial.number,
    optimizer = { "adamw", lr = lr, beta1 = beta1, weight_decay = weight_decay },
    lr_schedule = { "cosine", warmup_epochs = 1 },
    -- The pruning idiom; `prune = trial` in these options does the same in one line.
    on_epoch = function(epoch, m)
      trial:report(m.valid_accuracy, epoch)
      if trial:should_prune() then trial:prune() end
    end,
  })
  trial:set_user_attr("epochs", fit.epochs)
  return fit.valid_accuracy
end

study:optimize(objective, { n_trials = 20 })

local best = study.best_trial
local epochs = 0
for _, t in ipairs(study:trials()) do
  for _ in pairs(t.intermediate_values) do epochs = epochs + 1 end
end
print(string.format("best validation accuracy %.4f (trial %d); %d of %d trials pruned, %d epochs trained of %d",
  best.value, best.number, #study:trials{ states = { "pruned" } }, #study:trials(), epochs, 20 * #study:trials()))
for _, name in ipairs({ "lr", "batch_size", "weight_decay", "beta1", "width", "activation" }) do
  print(string.format("  %-12s %s", name, tostring(best.params[name])))
end
