-- Writes trials to a study in SQLite as fast as it can until killed (FaultTests): several
-- params, intermediate values and attributes per trial, heartbeats from a background thread.
-- Prints "ready" (flushed) before its first trial.
-- Arguments: PATH [N_TRIALS]: the database file, and the trials to run (default 100000).
local path, n = ...
local study = tuna.create_study{
  name = "writer", storage = "sqlite:" .. path, sampler = tuna.samplers.random{},
  heartbeat_interval = 0.05, grace_period = 0.5,
}
io.stdout:write("ready\n")
io.stdout:flush()
study:optimize(function(trial)
  local x = trial:suggest_float("x", 0, 1)
  local c = trial:suggest_categorical("c", { "a", "b", "c" })
  local k = trial:suggest_int("k", 0, 9)
  trial:report(x, 0)
  trial:report(x / 2, 1)
  trial:set_user_attr("label", c .. k)
  return x + k
end, { n_trials = tonumber(n) or 100000 })
