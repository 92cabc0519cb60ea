-- Samplers written in Lua (lua-api.md §3): tuna.sampler{...} with sample_independent only, and
-- with the relative path and the before/after hooks; the ctx view, its rng, dist methods, a
-- built-in sampler as a delegate, and values outside the distribution.
--
--   tuna run scripts/tests/lua_samplers.lua

local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
end

local function near(a, b) return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(a), math.abs(b)) end

local function space_objective(trial)
  local x = trial:suggest_float("x", -3, 3)
  local lr = trial:suggest_float("lr", 1e-4, 1, { log = true })
  local n = trial:suggest_int("n", 1, 9)
  local act = trial:suggest_categorical("act", { "relu", "tanh", "gelu" })
  return (x - 1) ^ 2 + math.abs(math.log(lr, 10) + 2) + math.abs(n - 4) + (act == "tanh" and 0 or 0.5)
end

-- sample_independent only -------------------------------------------------------------------

do
  local spec = {
    name = "corners",
    sample_independent = function(self, ctx, name, dist)
      self.calls = (self.calls or 0) + 1
      assert(type(name) == "string")
      if dist.kind == "float" then return dist.low end
      if dist.kind == "int" then return dist.high end
      return dist.choices[#dist.choices]
    end,
  }
  local sampler = tuna.sampler(spec)
  assert(sampler.name == "corners")
  local study = tuna.create_study{ sampler = sampler }
  study:optimize(space_objective, { n_trials = 4, catch = false })
  assert(spec.calls == 16, "sample_independent runs once per parameter per trial, with self = the spec table")
  for _, t in ipairs(study:trials()) do
    assert(t.state == "complete")
    assert(t.params.x == -3 and t.params.lr == 1e-4 and t.params.n == 9 and t.params.act == "gelu")
    assert(math.type(t.params.n) == "integer")
  end

  raises("sample_independent", tuna.sampler, { name = "empty" })
  raises("go together", tuna.sampler, {
    sample_independent = function() end,
    sample_relative = function() end,
  })
  raises("must be a function", tuna.sampler, { sample_independent = 1 })
end

-- the full interface ------------------------------------------------------------------------

local function perturb_best(seed)
  local rnd = tuna.samplers.random{ seed = 99 }
  -- tuna.sampler accepts only its own keys, so the state lives on self from the first hook on.
  local spec = { name = "perturb-best", seed = seed }
  local function bump(self, counter) self[counter] = (self[counter] or 0) + 1 end

  function spec.sample_independent(self, ctx, name, dist)
    bump(self, "independent")
    -- A built-in sampler as a delegate.
    local v = rnd:sample_independent(ctx, name, dist)
    assert(dist:contains(v), "the delegate's value lies in the distribution")
    return v
  end

  function spec.infer_relative_search_space(self, ctx)
    bump(self, "inferred")
    return ctx:intersection_search_space()
  end

  function spec.sample_relative(self, ctx, space)
    bump(self, "relative")
    assert(ctx.direction == "minimize")
    local complete = ctx:trials{ states = { "complete" } }
    assert(#complete >= 1, "the intersection space is empty before the first complete trial")
    local best = ctx.best_trial
    assert(best and best.state == "complete")
    for _, t in ipairs(complete) do assert(best.value <= t.value, "ctx.best_trial is the best complete trial") end
    local rng = ctx.rng
    local out = {}
    for name, dist in pairs(space) do
      local v = best.params[name]
      assert(dist:contains(v))
      if dist.kind == "float" then
        assert(type(dist.low) == "number" and type(dist.high) == "number" and type(dist.log) == "boolean")
        local lo, hi = dist:to_internal(dist.low), dist:to_internal(dist.high)
        local x = dist:to_internal(v) + rng:normal(0, 0.1) * (hi - lo)
        x = math.min(hi, math.max(lo, x))
        out[name] = dist:from_internal(x)
      elseif dist.kind == "int" then
        out[name] = math.min(dist.high, math.max(dist.low, v + rng:integer(-1, 1)))
      else
        out[name] = rng:choice(dist.choices)
      end
      assert(dist:contains(out[name]), "perturbed value stays in " .. name .. "'s distribution")
    end
    return out
  end

  function spec.before_trial(self, ctx, trial)
    bump(self, "before")
    assert(trial.state == "running")
    assert(next(trial.params) == nil, "before_trial runs before any parameter is asked")
    assert(#ctx:trials{ states = { "complete" } } == trial.number)
    assert(#ctx.trials >= trial.number)
    self.log = self.log or {}
    self.log[#self.log + 1] = "before " .. trial.number
  end

  function spec.after_trial(self, ctx, trial)
    bump(self, "after")
    assert(trial.state == "complete" and type(trial.value) == "number", "after_trial sees the finished trial")
    assert(trial.params.x ~= nil)
    self.log[#self.log + 1] = "after " .. trial.number
  end

  return spec, tuna.sampler(spec)
end

do
  local N = 12
  local spec, sampler = perturb_best(5)
  assert(sampler.seed == 5)
  local study = tuna.create_study{ name = "lua-full", sampler = sampler }
  study:optimize(space_objective, { n_trials = N, catch = false })

  assert(#study:trials{ states = { "complete" } } == N)
  assert(spec.before == N and spec.after == N, "before_trial and after_trial run once per trial")
  for i = 0, N - 1 do
    assert(spec.log[2 * i + 1] == "before " .. i and spec.log[2 * i + 2] == "after " .. i, "hooks in order")
  end
  assert(spec.inferred == N, "infer_relative_search_space runs once per trial")
  assert(spec.relative == N - 1, "sample_relative runs for every trial after the first")
  assert(spec.independent == 4, "only the first trial (empty space) samples independently")

  -- Seeded Lua samplers reproduce themselves.
  local spec2, sampler2 = perturb_best(5)
  local again = tuna.create_study{ sampler = sampler2 }
  again:optimize(space_objective, { n_trials = N, catch = false })
  local ta, tb = study:trials(), again:trials()
  for i = 1, N do
    for _, name in ipairs({ "x", "lr", "n", "act" }) do
      assert(ta[i].params[name] == tb[i].params[name], "same seed, same " .. name .. " in trial " .. (i - 1))
    end
  end
  assert(spec2.relative == N - 1)
end

-- ctx on a maximizing study --------------------------------------------------------------------

do
  local seen_best = 0
  local spec = {
    name = "maximize-view",
    sample_independent = function(self, ctx, name, dist)
      assert(ctx.direction == "maximize")
      local complete = ctx:trials{ states = { "complete" } }
      if #complete > 0 then
        local best = ctx.best_trial
        for _, t in ipairs(complete) do assert(best.value >= t.value, "ctx.best_trial is the largest when maximizing") end
        seen_best = seen_best + 1
      end
      return dist:sample(ctx.rng)
    end,
  }
  local study = tuna.create_study{ direction = "maximize", sampler = tuna.sampler(spec) }
  study:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 6, catch = false })
  assert(seen_best == 5)
end

-- ctx.rng and dist methods --------------------------------------------------------------------

do
  local checked = false
  local spec = {
    name = "probe",
    seed = 1,
    sample_independent = function(self, ctx, name, dist)
      local rng = ctx.rng
      for _ = 1, 200 do
        local u = rng:uniform(2, 3)
        assert(math.type(u) == "float" and u >= 2 and u <= 3)
        local i = rng:integer(-2, 2)
        assert(math.type(i) == "integer" and i >= -2 and i <= 2)
        local c = rng:choice({ "a", "b", "c" })
        assert(c == "a" or c == "b" or c == "c")
        assert(type(rng:normal(0, 1)) == "number")
      end
      local u0 = rng:uniform()
      assert(u0 >= 0 and u0 <= 1, "uniform() defaults to [0, 1]")
      assert(rng:normal(5, 0) == 5)
      assert(rng:integer(4, 4) == 4)
      local sum = 0
      for _ = 1, 2000 do sum = sum + rng:normal(10, 2) end
      assert(math.abs(sum / 2000 - 10) < 0.5, "normal(mu, sigma) centres on mu")
      raises("bad argument", function() return rng:uniform(3, 2) end)
      raises("bad argument", function() return rng:integer(1.5, 2) end)
      raises("bad argument", function() return rng:choice({}) end)

      if dist.kind == "float" and dist.log then
        local v = dist:sample(rng)
        assert(math.type(v) == "float" and dist:contains(v))
        assert(near(dist:to_internal(v), math.log(v)), "a log distribution's internal unit is the log")
        assert(near(dist:from_internal(math.log(0.01)), 0.01))
        assert(dist:contains(dist.low) and dist:contains(dist.high))
        assert(not dist:contains(dist.high * 2) and not dist:contains(0))
        checked = true
        return v
      elseif dist.kind == "float" then
        assert(dist.step == 0.5)
        assert(dist:contains(1.5) and not dist:contains(1.25), "a stepped float contains only grid points")
        assert(dist:to_internal(1.5) == 1.5)
        local v = dist:sample(rng)
        assert(dist:contains(v))
        return v
      elseif dist.kind == "int" then
        local v = dist:sample(rng)
        assert(math.type(v) == "integer" and dist:contains(v))
        assert(dist:contains(dist.low) and not dist:contains(dist.high + 1) and not dist:contains(dist.low + 0.5))
        assert(dist:from_internal(dist:to_internal(7)) == 7)
        return v
      else
        assert(dist.kind == "categorical")
        for _, c in ipairs(dist.choices) do
          local x = dist:to_internal(c)
          assert(math.type(x) == "integer" or x == math.floor(x), "a categorical's internal unit is the index")
          assert(dist:from_internal(x) == c)
        end
        assert(dist:to_internal("b") - dist:to_internal("a") == 1)
        assert(not dist:contains("z") and dist:contains(true))
        local v = dist:sample(rng)
        assert(dist:contains(v))
        return v
      end
    end,
  }
  local study = tuna.create_study{ sampler = tuna.sampler(spec) }
  study:optimize(function(trial)
    trial:suggest_float("lr", 1e-3, 1, { log = true })
    trial:suggest_float("h", 0, 3, { step = 0.5 })
    trial:suggest_int("k", 0, 10)
    trial:suggest_categorical("c", { "a", "b", true })
    return 0
  end, { n_trials = 3, catch = false })
  assert(checked)
  assert(#study:trials{ states = { "complete" } } == 3)
end

-- values outside the distribution fail the trial, naming the sampler --------------------------

do
  local bad = tuna.sampler{
    name = "out-of-range",
    sample_independent = function(self, ctx, name, dist)
      if dist.kind == "float" then return dist.high + 1 end
      if dist.kind == "int" then return "seven" end
      return "not-a-choice"
    end,
  }
  local study = tuna.create_study{ sampler = bad }
  local kinds = { "float", "int", "categorical" }
  study:optimize(function(trial)
    local kind = kinds[trial.number + 1]
    if kind == "float" then trial:suggest_float("x", 0, 1) end
    if kind == "int" then trial:suggest_int("n", 0, 9) end
    if kind == "categorical" then trial:suggest_categorical("c", { "a", "b" }) end
    return 0
  end, { n_trials = 3 })
  local failed = study:trials{ states = { "fail" } }
  assert(#failed == 3, "each out-of-distribution value fails its trial; the study goes on")
  local names = { "'x'", "'n'", "'c'" }
  for i, t in ipairs(failed) do
    assert(t.fail_reason:find("out-of-range", 1, true), "the reason names the sampler: " .. t.fail_reason)
    assert(t.fail_reason:find(names[i], 1, true), "the reason names the parameter: " .. t.fail_reason)
  end

  local bad_relative = tuna.sampler{
    name = "bad-relative",
    sample_independent = function(self, ctx, name, dist) return dist.low end,
    infer_relative_search_space = function(self, ctx) return ctx:intersection_search_space() end,
    sample_relative = function(self, ctx, space) return { x = 42 } end,
  }
  local rel = tuna.create_study{ sampler = bad_relative }
  rel:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 2 })
  local ts = rel:trials()
  assert(ts[1].state == "complete")
  assert(ts[2].state == "fail" and ts[2].fail_reason:find("bad-relative", 1, true), "sample_relative's value is checked too")

  -- An error inside a sampler hook fails the trial with the hook's message.
  local raising = tuna.sampler{
    name = "raising",
    sample_independent = function() error("sampler exploded") end,
  }
  local r = tuna.create_study{ sampler = raising }
  r:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 2 })
  local rf = r:trials{ states = { "fail" } }
  assert(#rf == 2 and rf[1].fail_reason:find("sampler exploded", 1, true))
end

-- The sampler returned reads and writes its spec table, the hooks' `self`.
do
  local s = tuna.sampler{
    name = "counting", calls = 0,
    sample_independent = function(self, ctx, name, dist)
      self.calls = self.calls + 1
      return ctx.rng:uniform(dist.low, dist.high)
    end,
  }
  assert(s.calls == 0 and s.name == "counting")
  local st = tuna.create_study{ sampler = s }
  st:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 3 })
  assert(s.calls == 3, "the hooks' self is the sampler's table: " .. tostring(s.calls))
  s.calls = 10
  s.note = "kept"
  assert(s.calls == 10 and s.note == "kept")
  st:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 1 })
  assert(s.calls == 11)
  assert(not pcall(function() s.name = "renamed" end))
  assert(not pcall(function() s[0 / 0] = 1 end))
  assert(not pcall(function() s[nil] = 1 end))
  assert(not pcall(rawset, s, 1, 1))
  assert(not pcall(function() tuna.samplers.random{}.anything = 1 end))
end

-- A sampler and a pruner made inside a coroutine take their spec table from the coroutine's
-- stack, and work afterwards as ones made outside (the main stack stays whole).
do
  local made = {}
  local co = coroutine.wrap(function()
    local sentinel = "below the spec"
    made.sampler = tuna.sampler{ sample_independent = function() return 0.25 end }
    made.pruner = tuna.pruner{ prune = function(self, ctx, trial) return trial.intermediate_values[1] > 1 end }
    coroutine.yield(sentinel)
    return sentinel
  end)
  assert(co() == "below the spec")
  local s = tuna.create_study{ sampler = made.sampler, pruner = made.pruner }
  s:optimize(function(t)
    local x = t:suggest_float("x", 0, 1)
    t:report(x, 1)
    assert(not t:should_prune())
    return x
  end, { n_trials = 3 })
  assert(s.best_value == 0.25 and #s:trials() == 3)
  assert(co() == "below the spec")
  -- The fuzzer's case: a hook that asks the study again, all inside a coroutine.
  local S = {}
  local wrapped = coroutine.wrap(function()
    local study = tuna.create_study{ sampler = tuna.sampler{ sample_independent = function()
      local t = S[1]:ask()
      t:suggest_float("x", 0, 1)
      return 0.5
    end } }
    S[1] = study
    study:ask():suggest_float("x", 0, 1)
  end)
  assert(not pcall(wrapped))
  assert(not pcall(wrapped))
end

print("ok lua_samplers")
