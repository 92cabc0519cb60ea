-- With catch = true (the default) a failing trial is recorded FAIL and the study goes on:
-- trial 0 raises, trial 1 returns NaN, trial 2 a string, trial 3 nil; 4 and 5 complete.
local study = tuna.create_study{ name = "catch", sampler = tuna.samplers.random{ seed = 1 } }

study:optimize(function(trial)
  local x = trial:suggest_float("x", 1, 2)
  if trial.number == 0 then error("trial zero fails") end
  if trial.number == 1 then return 0 / 0 end
  if trial.number == 2 then return "a string" end
  if trial.number == 3 then return nil end
  return x
end, { n_trials = 6 })

local failed = study:trials{ states = { "fail" } }
assert(#failed == 4)
assert(failed[1].fail_reason:find("catch.lua:7: trial zero fails", 1, true))
assert(failed[2].fail_reason:find("nan", 1, true))
assert(#study:trials{ states = { "complete" } } == 2)
print("ok catch")
