-- Grid search: every combination once, then the study stops by itself.
-- Run with: tuna run scripts/examples/grid_search.lua
local tuna = require("tuna")

local study = tuna.create_study{
  name = "grid",
  direction = "maximize",
  sampler = tuna.samplers.grid{
    search_space = {
      depth = { 2, 4, 8 },
      learning_rate = { 0.3, 0.1, 0.03 },
      loss = { "squared", "huber" },
    },
    seed = 0,
  },
}

-- A stand-in for a validation score that peaks at depth 4, learning_rate 0.1, huber loss.
local function score(trial)
  local depth = trial:suggest_int("depth", 2, 8)
  local lr = trial:suggest_float("learning_rate", 0.01, 1, { log = true })
  local loss = trial:suggest_categorical("loss", { "squared", "huber" })
  local s = 0.9 - 0.02 * math.abs(depth - 4) - 0.05 * math.abs(math.log(lr / 0.1))
  if loss == "huber" then s = s + 0.01 end
  trial:set_user_attr("config", string.format("%d/%g/%s", depth, lr, loss))
  return s
end

study:optimize(score, { n_trials = 100 })   -- stops after the 18 grid points

assert(#study:trials() == 18, "the grid has 18 points")
print(string.format("best %.3f with %s", study.best_value, study.best_trial.user_attrs.config))
