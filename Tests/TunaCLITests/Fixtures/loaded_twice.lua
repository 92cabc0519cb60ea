-- One study, two handles (load_if_exists): the summary shows it once.
local a = tuna.create_study{ name = "twice" }
a:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 2 })
local b = tuna.create_study{ name = "twice", load_if_exists = true }
b:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 3 })
print("ok loaded_twice")
