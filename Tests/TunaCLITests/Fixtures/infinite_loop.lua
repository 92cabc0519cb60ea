-- Run with --trial-timeout 0.3: trial 1 loops forever, trial 2 loops forever inside pcall
-- (which must not swallow the timeout), trial 3 loops in a coroutine; the others complete.
local study = tuna.create_study{ name = "loops", sampler = tuna.samplers.random{ seed = 1 } }
study:optimize(function(trial)
  local x = trial:suggest_float("x", 0, 1)
  if trial.number == 1 then
    while true do end
  elseif trial.number == 2 then
    while true do
      pcall(function() while true do x = x + 1 end end)
    end
  elseif trial.number == 3 then
    local co = coroutine.wrap(function() while true do end end)
    co()
  end
  return x
end, { n_trials = 5 })
assert(#study:trials{ states = { "complete" } } == 2)
assert(#study:trials{ states = { "fail" } } == 3)
print("ok loops")
