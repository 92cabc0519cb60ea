-- A study in SQLite whose process is killed while a trial hangs, then resumed (FaultTests).
-- Arguments: PATH HANG_AT RETRY [N_TRIALS]: the database file; the trial number whose objective
-- prints "hanging N", flushes and loops forever (-1: none); retry_failed; trials to run (default
-- 20). Each finished trial prints "done NUMBER STATE VALUE" (after it is stored) and flushes.
-- Heartbeats every 0.2 s; a trial that has not beaten for 1 s is stale.
local path, hang_at, retry, n = ...
hang_at, retry = tonumber(hang_at), tonumber(retry)
local study = tuna.create_study{
  name = "crash", storage = "sqlite:" .. path, sampler = tuna.samplers.random{},
  heartbeat_interval = 0.2, grace_period = 1, retry_failed = retry,
}
study:optimize(function(trial)
  local x = trial:suggest_float("x", -5, 5)
  local k = trial:suggest_int("k", 1, 100)
  if trial.number == hang_at then
    io.stdout:write(string.format("hanging %d\n", trial.number))
    io.stdout:flush()
    local s = 0
    while true do s = s + 1 end
  end
  return x * x + k
end, {
  n_trials = tonumber(n) or 20,
  callbacks = { function(_, t)
    io.stdout:write(string.format("done %d %s %.17g\n", t.number, t.state, t.value or 0 / 0))
    io.stdout:flush()
  end },
})
