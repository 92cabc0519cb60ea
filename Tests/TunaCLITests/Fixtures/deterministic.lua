-- A deterministic study shared by workers or processes (DeterministicTests).
-- Arguments: PATH N_TRIALS SAMPLER: the database file, the trials this process runs, and
-- "auto" (crossing from GP to CMA-ES at 12 trials) or "tpe" (with a constant liar).
local path, n, which = ...
local samplers = {
  auto = function() return tuna.samplers.auto{ seed = 11, model_trials = 12 } end,
  tpe = function() return tuna.samplers.tpe{ seed = 11, multivariate = true, constant_liar = true, n_startup_trials = 5 } end,
}
local study = tuna.create_study{
  name = "det", storage = "sqlite:" .. path, load_if_exists = true, sampler = samplers[which](),
  deterministic = 3,
}
study:optimize(function(trial)
  local x = trial:suggest_float("x", -2, 2)
  local y = trial:suggest_float("y", 1e-3, 1, { log = true })
  local k = trial:suggest_int("k", 0, 6)
  -- A busy wait of a length no run repeats, so that trials interleave differently each time.
  local spin = math.floor(os.clock() * 1e6) % 3000 * 30
  local s = 0
  for i = 1, spin do s = s + i end
  return (x - 0.4) ^ 2 + math.log(y) ^ 2 / 20 + math.abs(k - 2) / 3
end, { n_trials = tonumber(n) })
