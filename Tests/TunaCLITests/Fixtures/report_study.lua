-- A study shaped like real tuning, for the report tests: log, integer, categorical and
-- conditional parameters, learning curves cut short by a pruner, failures, two workers; and a
-- study with two objectives. Seeded, and quick.
local tuna = require("tuna")

local study = tuna.create_study{
  name = "report-demo",
  direction = "maximize",
  sampler = tuna.samplers.tpe{ seed = 1, n_startup_trials = 15 },
  pruner = tuna.pruners.median{ n_startup_trials = 8, n_warmup_steps = 2 },
}
study:optimize(function(t)
  local lr = t:suggest_float("lr", 1e-4, 1e-1, { log = true })
  local batch = t:suggest_int("batch_size", 16, 256, { log = true })
  local layers = t:suggest_int("layers", 1, 4)
  local optimizer = t:suggest_categorical("optimizer", { "adam", "sgd" })
  local momentum = optimizer == "sgd" and t:suggest_float("momentum", 0.5, 0.99) or 0.9
  if t.number % 19 == 7 then error("the loss diverged") end
  local u = math.log(lr, 10) + 2.2
  local score = 0.97 - 0.03 * u * u - 0.004 * (math.log(batch, 2) - 6) ^ 2 * (1 + u) - 0.006 * (layers - 2) ^ 2
    - (optimizer == "sgd" and 0.05 * (1 - momentum) or 0)
  for epoch = 1, 8 do
    t:report(score * (1 - math.exp(-epoch / 2)), epoch)
    if t:should_prune() then t:prune() end
  end
  return score
end, { n_trials = 60, workers = 2 })

local two = tuna.create_study{
  name = "report-two",
  directions = { "maximize", "minimize" },
  sampler = tuna.samplers.nsga2{ seed = 2, population_size = 10 },
}
two:optimize(function(t)
  local width = t:suggest_int("width", 8, 256, { log = true })
  local dropout = t:suggest_float("dropout", 0, 0.5)
  local accuracy = 0.9 + 0.08 * (1 - math.exp(-width / 64)) - 0.1 * (dropout - 0.2) ^ 2
  return { accuracy, width / 256 }
end, { n_trials = 50 })
