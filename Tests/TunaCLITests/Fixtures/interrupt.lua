-- Ctrl-C while trial 3 loops: the trial fails as interrupted, no trial starts after it.
local study = tuna.create_study{ name = "interrupt", sampler = tuna.samplers.random{ seed = 1 } }
study:optimize(function(trial)
  local x = trial:suggest_float("x", 0, 1)
  if trial.number == 3 then
    io.stdout:write("looping\n")
    io.stdout:flush()
    while true do x = x + 1 end
  end
  return x
end, { n_trials = 10 })
print("not reached")
