-- The model-based and evolutionary samplers from Lua, and the blocks strategies are made of.
local tuna = require("tuna")

local function mixed(trial)
  local x = trial:suggest_float("x", -5, 5)
  local lr = trial:suggest_float("lr", 1e-4, 1, { log = true })
  local q = trial:suggest_float("q", 0, 1, { step = 0.25 })
  local n = trial:suggest_int("n", 1, 9)
  local act = trial:suggest_categorical("act", { "relu", "tanh", "gelu" })
  assert(x >= -5 and x <= 5 and lr >= 1e-4 and lr <= 1 and math.type(n) == "integer" and n >= 1 and n <= 9)
  assert(q == 0 or q == 0.25 or q == 0.5 or q == 0.75 or q == 1)
  assert(act == "relu" or act == "tanh" or act == "gelu")
  assert(trial:suggest_float("x", -5, 5) == x, "a repeated name returns the same value")
  return x * x + (math.log(lr, 10) + 2) ^ 2 + (n - 4) ^ 2 + q + (act == "tanh" and 0 or 1)
end

local function params_of(study)
  local out = {}
  for _, t in ipairs(study:trials()) do
    out[#out + 1] = string.format("%.17g %.17g %.17g %d %s", t.params.x, t.params.lr, t.params.q, t.params.n, t.params.act)
  end
  return table.concat(out, "\n")
end

for _, name in ipairs({ "auto", "random", "tpe", "gp", "cmaes", "qmc", "ga", "nsga2" }) do
  local ok = pcall(tuna.samplers[name], {})
  if ok then
    local function run(seed)
      local s = tuna.create_study{ sampler = tuna.samplers[name]{ seed = seed } }
      s:optimize(mixed, { n_trials = 30, show_progress = false })
      assert(#s:trials{ states = { "complete" } } == 30, name .. ": every trial completes")
      return s
    end
    local a, b, c = run(1), run(1), run(2)
    assert(params_of(a) == params_of(b), name .. ": the same seed gives the same trials")
    assert(params_of(a) ~= params_of(c), name .. ": another seed gives other trials")
    -- ask and tell, and enqueued trials, work with every sampler.
    local s = tuna.create_study{ sampler = tuna.samplers[name]{ seed = 3 } }
    s:enqueue_trial({ x = 1.5, n = 2 })
    local t = s:ask()
    local v = mixed(t)
    assert(t.params.x == 1.5 and t.params.n == 2, name .. ": enqueued values are used")
    s:tell(t, v)
    for _ = 1, 12 do local u = s:ask() s:tell(u, mixed(u)) end
    assert(#s:trials{ states = { "complete" } } == 13)
  end
end

-- Model-based search beats random search on Branin (optimum 0.397887) with 60 trials.
local function branin(t)
  local x1 = t:suggest_float("x1", -5, 10)
  local x2 = t:suggest_float("x2", 0, 15)
  local b, c = 5.1 / (4 * math.pi ^ 2), 5 / math.pi
  return (x2 - b * x1 ^ 2 + c * x1 - 6) ^ 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10
end
local function best(sampler)
  local s = tuna.create_study{ sampler = sampler }
  s:optimize(branin, { n_trials = 60, show_progress = false })
  return s.best_value
end
local random_sum, cmaes_sum = 0, 0
for seed = 1, 3 do
  random_sum = random_sum + best(tuna.samplers.random{ seed = seed })
  cmaes_sum = cmaes_sum + best(tuna.samplers.cmaes{ seed = seed })
end
assert(cmaes_sum < random_sum, "CMA-ES beats random search over three seeds")
assert(best(tuna.samplers.gp{ seed = 5 }) < 0.41, "GP finds Branin's minimum")

-- NSGA-II: the Pareto front of a two-objective study.
local mo = tuna.create_study{ directions = { "minimize", "minimize" }, sampler = tuna.samplers.nsga2{ seed = 1, population_size = 10 } }
mo:optimize(function(t)
  local x, y = t:suggest_float("x", 0, 1), t:suggest_float("y", 0, 1)
  return { x + y, (1 - x) + y }
end, { n_trials = 60, show_progress = false })
for _, p in ipairs(mo.best_trials) do
  for _, q in ipairs(mo:trials{ states = { "complete" } }) do
    local dominates = q.values[1] <= p.values[1] and q.values[2] <= p.values[2]
      and (q.values[1] < p.values[1] or q.values[2] < p.values[2])
    assert(not dominates, "no trial dominates a front member")
  end
end

-- Blocks: Sobol points, a Gaussian process, log expected improvement.
local pts = tuna.qmc.sobol(2, 4, { scramble = false })
assert(pts[1][1] == 0 and pts[2][1] == 0.5 and pts[3][1] == 0.75 and pts[4][1] == 0.25)
local scrambled = tuna.qmc.sobol(3, 64, { seed = 9 })
for _, p in ipairs(scrambled) do for _, v in ipairs(p) do assert(v >= 0 and v < 1) end end
local halton = tuna.qmc.halton(2, 3, { scramble = false })
assert(math.abs(halton[2][1] - 0.5) < 1e-12 or math.abs(halton[2][2] - 1 / 3) < 1e-12)
local gp = tuna.gp.fit{ x = { { 0.1 }, { 0.4 }, { 0.6 }, { 0.9 } }, y = { 1, 0.2, 0.3, 1.1 }, deterministic = true }
local m, v = gp:predict({ 0.4 })
assert(math.abs(m - 0.2) < 0.05 and v < 0.05, "the posterior passes near the data")
local _, far = gp:predict({ 0.0 })
assert(far > v, "uncertainty grows away from the data")
local ei_good = tuna.acquisition.log_ei{ mean = -1, variance = 0.1, best = 0 }
local ei_bad = tuna.acquisition.log_ei{ mean = 1, variance = 0.1, best = 0 }
assert(ei_good > ei_bad and ei_bad > -math.huge, "log EI orders candidates and stays finite")
-- The automatic sampler is the default; it says what it runs, study-wide and per trial.
do
  local s = tuna.create_study{}
  assert(s.sampler_name == "auto(random)", s.sampler_name)
  s:optimize(function(t) return (t:suggest_float("x", -1, 1) - 0.5) ^ 2 end, { n_trials = 12, show_progress = false })
  assert(s.sampler_name == "auto(gp)", s.sampler_name)
  local trials = s:trials()
  assert(trials[1].system_attrs["auto:sampler"] == "random", tostring(trials[1].system_attrs["auto:sampler"]))
  assert(trials[12].system_attrs["auto:sampler"] == "gp", tostring(trials[12].system_attrs["auto:sampler"]))
  local c = tuna.create_study{ sampler = tuna.samplers.auto{ seed = 1 } }
  c:optimize(function(t)
    if t:suggest_categorical("c", { 1, 2, 3 }) == 1 then return t:suggest_float("y", 0, 1) end
    return t:suggest_float("x", 0, 1)
  end, { n_trials = 8, show_progress = false })
  assert(c.sampler_name == "auto(tpe)", "a conditional space goes to TPE: " .. c.sampler_name)
  assert(tuna.create_study{ sampler = tuna.samplers.tpe{} }.sampler_name == "tpe")
  local bad, message = pcall(tuna.samplers.auto, { model_trials = -1 })
  assert(not bad and message:find("model_trials", 1, true), message)
end

local ok, err = pcall(tuna.samplers.cmaes, { popsize = 1 })
assert(not ok and err:find("popsize", 1, true), err)
ok, err = pcall(tuna.samplers.qmc, { type = "lattice" })
assert(not ok and err:find("'type'", 1, true), err)

print("ok model_samplers")
