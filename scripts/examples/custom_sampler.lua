-- A search strategy written in Lua: explore at random, then perturb the best trial so far.
-- Run with: tuna run scripts/examples/custom_sampler.lua -- 300
local tuna = require("tuna")
local n_trials = tonumber(arg[1]) or 200

local explore = tuna.samplers.random{}

local perturb_best = tuna.sampler{
  name = "perturb-best",
  seed = 3,
  n_startup = 20,        -- the sampler's own settings and state live on `self`
  scale = 0.1,
  sample_independent = function(self, ctx, name, dist)
    local best = ctx.best_trial
    if #ctx.trials <= self.n_startup or best == nil or best.params[name] == nil
       or dist.kind == "categorical" then
      return explore:sample_independent(ctx, name, dist)
    end
    -- A step in the sampler's unit (log space for log distributions), scaled to the range and
    -- shrinking as the study goes on.
    local lo, hi = dist:to_internal(dist.low), dist:to_internal(dist.high)
    local sigma = self.scale * (hi - lo) * math.sqrt(self.n_startup / #ctx.trials)
    local x = dist:to_internal(best.params[name]) + ctx.rng:normal(0, sigma)
    return dist:from_internal(x)
  end,
}

-- Branin: three global minima of 0.397887.
local function branin(trial)
  local x1 = trial:suggest_float("x1", -5, 10)
  local x2 = trial:suggest_float("x2", 0, 15)
  local b, c = 5.1 / (4 * math.pi ^ 2), 5 / math.pi
  return (x2 - b * x1 ^ 2 + c * x1 - 6) ^ 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10
end

local study = tuna.create_study{ name = "branin", sampler = perturb_best }
study:optimize(branin, { n_trials = n_trials })
print(string.format("best %.5f (optimum 0.397887) after %d trials", study.best_value, n_trials))
