-- A new search strategy in a page of Lua: trust-region Bayesian optimization (after TuRBO,
-- Eriksson et al. 2019), built from Tuna's native blocks — a Gaussian process
-- (tuna.gp.fit), log expected improvement (tuna.acquisition.log_ei) and Sobol points
-- (tuna.qmc.sobol). It searches a box around the best point, growing the box after successes
-- and shrinking it after failures, and compares itself with random search on Hartmann6.
-- Run with: tuna run scripts/examples/trust_region_bo.lua -- 60
local tuna = require("tuna")
local budget = tonumber(arg[1]) or 60

local function hartmann6(trial)
  local alpha = { 1.0, 1.2, 3.0, 3.2 }
  local A = { { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 } }
  local P = { { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 }, { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
              { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 }, { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 } }
  local x = {}
  for j = 1, 6 do x[j] = trial:suggest_float("x" .. j, 0, 1) end
  local s = 0
  for i = 1, 4 do
    local inner = 0
    for j = 1, 6 do inner = inner + A[i][j] * (x[j] - P[i][j]) ^ 2 end
    s = s + alpha[i] * math.exp(-inner)
  end
  return -s
end

local trust_region = tuna.sampler{
  name = "trust-region-bo",
  seed = 11,
  n_startup = 10, length = 0.8, successes = 0, failures = 0, best = math.huge,

  sample_independent = function(self, ctx, name, dist) return dist:sample(ctx.rng) end,
  infer_relative_search_space = function(self, ctx) return ctx:intersection_search_space() end,

  -- Keep the box's size up to date from each finished trial.
  after_trial = function(self, ctx, trial)
    if trial.state ~= "complete" then return end
    if trial.value < self.best - 1e-3 * math.abs(self.best) then
      self.successes, self.failures = self.successes + 1, 0
    else
      self.successes, self.failures = 0, self.failures + 1
    end
    self.best = math.min(self.best, trial.value)
    if self.successes >= 3 then self.length, self.successes = math.min(1.6, self.length * 2), 0 end
    if self.failures >= 5 then self.length, self.failures = self.length / 2, 0 end
    if self.length < 0.01 then self.length = 0.8 end          -- restart a collapsed box
  end,

  sample_relative = function(self, ctx, space)
    local complete = ctx:trials{ states = { "complete" } }
    if #complete < self.n_startup then return {} end         -- random start
    local names = {}
    for name, dist in pairs(space) do
      if dist.kind == "float" then names[#names + 1] = name end
    end
    if #names == 0 then return {} end
    -- The data in the unit cube of the samplers' internal unit.
    local function unit(dist, v)
      local lo, hi = dist:to_internal(dist.low), dist:to_internal(dist.high)
      return (dist:to_internal(v) - lo) / (hi - lo)
    end
    local X, y, best_i = {}, {}, 1
    for i, t in ipairs(complete) do
      local row = {}
      for d, name in ipairs(names) do row[d] = unit(space[name], t.params[name]) end
      X[i], y[i] = row, t.value
      if t.value < y[best_i] then best_i = i end
    end
    local gp = tuna.gp.fit{ x = X, y = y, seed = ctx.trial_number }
    -- Sobol candidates in the box around the best point; the one with the best log EI wins.
    local candidates = tuna.qmc.sobol(#names, 512, { seed = ctx.trial_number })
    local center, best_x, best_acq = X[best_i], nil, -math.huge
    for _, c in ipairs(candidates) do
      local x = {}
      for d = 1, #names do
        x[d] = math.max(0, math.min(1, center[d] + (c[d] - 0.5) * self.length))
      end
      local mean, variance = gp:predict(x)
      local acq = tuna.acquisition.log_ei{ mean = mean, variance = variance, best = y[best_i] }
      if acq > best_acq then best_x, best_acq = x, acq end
    end
    local out = {}
    for d, name in ipairs(names) do
      local dist = space[name]
      local lo, hi = dist:to_internal(dist.low), dist:to_internal(dist.high)
      out[name] = dist:from_internal(lo + best_x[d] * (hi - lo))
    end
    return out
  end,
}

local function run(sampler)
  local study = tuna.create_study{ sampler = sampler }
  study:optimize(hartmann6, { n_trials = budget, show_progress = false })
  return study.best_value
end

local tr = run(trust_region)
local rnd = run(tuna.samplers.random{ seed = 11 })
print(string.format("Hartmann6 after %d trials (optimum -3.32237): trust-region BO %.4f, random %.4f",
  budget, tr, rnd))
assert(tr < rnd, "the Lua strategy beats random search")
