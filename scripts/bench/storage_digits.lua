-- tuna-bench storage: a CPU-bound objective for the worker speedup. Each trial trains an MLP on
-- the digits data set for a few epochs. Width and batch size are fixed, so that every trial costs
-- about the same whichever process or worker runs it; the sampler varies only the optimizer.
-- Arguments: PATH N_TRIALS [EPOCHS]: the SQLite file the processes share, the trials this process
-- runs (all its workers together, with --workers), and the epochs per trial (default 4).
local path, n_trials, epochs = ...
n_trials, epochs = tonumber(n_trials) or 4, tonumber(epochs) or 4

local digits = tuna.data.load("digits")
local train, valid = digits:split{ test_size = 0.2, stratify = true, seed = 0 }
train, valid = tuna.data.standardize(train, valid)

local study = tuna.create_study{
  name = "digits", direction = "maximize", storage = "sqlite:" .. path, load_if_exists = true,
  sampler = tuna.samplers.random{},
}
study:optimize(function(trial)
  local lr = trial:suggest_float("lr", 1e-3, 3e-2, { log = true })
  local beta1 = trial:suggest_float("beta1", 0.8, 0.95)
  local net = tuna.nn.mlp{ hidden = { 256, 256 }, activation = "relu" }
  local fit = tuna.nn.fit(net, train, {
    valid = valid, epochs = epochs, batch_size = 32, seed = trial.number,
    optimizer = { "adam", lr = lr, beta1 = beta1 },
  })
  return fit.valid_accuracy
end, { n_trials = n_trials })
