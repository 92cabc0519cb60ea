-- Quick start: minimize a two-dimensional function with a mixed search space.
local tuna = require("tuna")

local study = tuna.create_study{
  name = "quickstart",
  direction = "minimize",
  sampler = tuna.samplers.random{ seed = 42 },
}

local function objective(trial)
  local x = trial:suggest_float("x", -10, 10)
  local lr = trial:suggest_float("lr", 1e-5, 1e-1, { log = true })
  local layers = trial:suggest_int("layers", 1, 4)
  local act = trial:suggest_categorical("activation", { "relu", "tanh", "gelu" })
  local penalty = ({ relu = 0, tanh = 0.5, gelu = 0.25 })[act]
  return (x - 2) ^ 2 + (math.log(lr, 10) + 3) ^ 2 + (layers - 2) ^ 2 + penalty
end

study:optimize(objective, { n_trials = 200 })

print(string.format("best value %.4f at x = %.3f, lr = %.2e, layers = %d, activation = %s",
  study.best_value, study.best_params.x, study.best_params.lr,
  study.best_params.layers, study.best_params.activation))
