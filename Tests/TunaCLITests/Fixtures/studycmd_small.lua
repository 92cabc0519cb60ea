-- A small seeded study for StudyCommandsTests, stored where `tuna run --storage` says.
local study = tuna.create_study{ name = "studycmd", sampler = tuna.samplers.random{ seed = 7 } }
study:optimize(function(trial)
  local x = trial:suggest_float("x", -1, 1)
  local kind = trial:suggest_categorical("kind", { "a", "b" })
  trial:set_user_attr("kind_again", kind)
  return x * x
end, { n_trials = 5 })
