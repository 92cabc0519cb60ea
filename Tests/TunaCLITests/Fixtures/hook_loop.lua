-- Run with --trial-timeout 0.3 -- HOOK: the Lua sampler's HOOK (before_trial, sample_independent
-- or after_trial) loops forever during trial 1. The time limit bounds the whole trial, sampler
-- included, so the run must end with a clear reason instead of hanging.
local which = ...
local function loop_in_trial_one(self)
  self.calls = (self.calls or 0) + 1
  if self.calls == 2 then while true do end end
end
local spec = { name = "looping-hooks" }
function spec.sample_independent(self, ctx, name, dist)
  if which == "sample_independent" then loop_in_trial_one(self) end
  return dist:sample(ctx.rng)
end
spec[which ~= "sample_independent" and which or "after_trial"] = function(self, ctx, trial)
  if which ~= "sample_independent" then loop_in_trial_one(self) end
end
local study = tuna.create_study{ name = "hooks", sampler = tuna.sampler(spec) }
study:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 3 })
print("ok hook_loop")
