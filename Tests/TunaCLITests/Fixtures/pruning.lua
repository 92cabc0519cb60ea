-- A seeded study the median pruner prunes: the summary and the progress line count pruned trials.
local study = tuna.create_study{ name = "pruning", sampler = tuna.samplers.random{ seed = 3 },
                                 pruner = tuna.pruners.median{ n_startup_trials = 3 } }
study:optimize(function(trial)
  local x = trial:suggest_float("x", 0, 1)
  local v
  for step = 1, 5 do
    v = x + 1 / step
    trial:report(v, step)
    if trial:should_prune() then trial:prune() end
  end
  return v
end, { n_trials = 30 })
local pruned = #study:trials{ states = { "pruned" } }
print("pruned " .. pruned)
