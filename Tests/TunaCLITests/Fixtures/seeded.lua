-- Prints every sampled value: --seed must make two runs identical and --trials must override
-- n_trials. One study has a seeded sampler, the other the default one.
local a = tuna.create_study{ name = "seeded", sampler = tuna.samplers.random{ seed = 1 } }
a:optimize(function(trial)
  local x = trial:suggest_float("x", -1, 1)
  local n = trial:suggest_int("n", 0, 100)
  print(string.format("a %d x=%.17g n=%d", trial.number, x, n))
  return x * x
end, { n_trials = 50 })

local b = tuna.create_study{ name = "default-sampler" }
b:optimize(function(trial)
  local c = trial:suggest_categorical("c", { "p", "q", "r", "s" })
  local y = trial:suggest_float("y", 1e-3, 1, { log = true })
  print(string.format("b %d c=%s y=%.17g", trial.number, c, y))
  return y
end, { n_trials = 50 })
