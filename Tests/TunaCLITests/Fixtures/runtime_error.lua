-- With catch = false the first error stops optimize and the script.
local study = tuna.create_study{ name = "runtime", sampler = tuna.samplers.random{ seed = 1 } }

local function objective(trial)
  local x = trial:suggest_float("x", 0, 1)
  error("objective exploded at x = " .. string.format("%.3f", x))
end

study:optimize(objective, { n_trials = 5, catch = false })
print("never printed")
