-- No n_trials and no timeout: only --timeout (or --trials) ends this optimize call.
local study = tuna.create_study{ name = "endless" }
study:optimize(function(trial) return trial:suggest_float("x", 0, 1) end)
print("ok endless")
