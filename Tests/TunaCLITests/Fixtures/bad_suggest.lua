-- Bad suggest arguments raise at the script's line: inside optimize they fail the trial, at the
-- top level (ask-and-tell) they end the script.
local study = tuna.create_study{ name = "bad-suggest" }
study:optimize(function(trial) return trial:suggest_float("x", 5, 1) end, { n_trials = 2 })

local trial = study:ask()
trial:suggest_int("n", 1, 3)
trial:suggest_float("y", 5, 1)
print("never printed")
