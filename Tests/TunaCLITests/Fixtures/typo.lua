-- Twenty trials fail with one message (a typo), one completes, one fails differently.
local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 1 } }
local function other() error("other") end
study:optimize(function(trial)
  if trial.number < 20 then return trial:suggest_flot("x", 0, 1) end
  if trial.number == 21 then other() end
  return 1
end, { n_trials = 22 })
