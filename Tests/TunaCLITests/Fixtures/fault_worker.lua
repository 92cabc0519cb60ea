-- One of several processes sharing a study in one SQLite file (FaultTests).
-- Arguments: PATH [N_TRIALS]: the database file, and the trials this process runs (default 50).
local path, n = ...
local study = tuna.create_study{
  name = "shared", storage = "sqlite:" .. path, load_if_exists = true, sampler = tuna.samplers.random{},
}
study:optimize(function(trial)
  local x = trial:suggest_float("x", -1, 1)
  local y = trial:suggest_float("y", -1, 1)
  return x * x + y * y
end, { n_trials = tonumber(n) or 50 })
