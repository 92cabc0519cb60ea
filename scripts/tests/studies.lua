-- Studies (lua-api.md §1): create_study options, directions, best_*, trials{states=...},
-- enqueue_trial, user attributes, stop(), callbacks, ask/tell, multi-objective, load_if_exists.
--
--   tuna run scripts/tests/studies.lua
--
-- Every check is an assert: a failure exits 1 with this file's name and line.

local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
  return err
end

local function count(list, pred)
  local n = 0
  for _, x in ipairs(list) do if pred(x) then n = n + 1 end end
  return n
end

-- create_study: options, defaults, directions --------------------------------------------------

do
  local s = tuna.create_study{ name = "max-study", direction = "maximize", sampler = tuna.samplers.random{ seed = 1 } }
  assert(s.name == "max-study")
  assert(s.direction == "maximize")
  assert(#s.directions == 1 and s.directions[1] == "maximize")

  local d = tuna.create_study{}
  assert(d.direction == "minimize", "the default direction is minimize")
  assert(type(d.name) == "string" and #d.name > 0, "a name is generated when absent")
  local d2 = tuna.create_study()
  assert(d2.name ~= d.name, "generated names are unique")
  assert(d2.direction == "minimize")

  local p = tuna.create_study{ pruner = tuna.pruners.nop{} }
  assert(p.direction == "minimize")

  raises("direction", tuna.create_study, { direction = "sideways" })
  raises("unknown option 'nmae'", tuna.create_study, { nmae = "typo" })
  raises("not both", tuna.create_study, { direction = "minimize", directions = { "minimize" } })
  raises("MySQL is not supported", tuna.create_study, { storage = "mysql://localhost/db" })

  -- No complete trial yet: best_* raise.
  raises("no complete trial", function() return d.best_trial end)
  raises("no complete trial", function() return d.best_value end)
  raises("no complete trial", function() return d.best_params end)
end

-- optimize, best_*, frozen trials ---------------------------------------------------------------

do
  local s = tuna.create_study{ name = "best", direction = "maximize", sampler = tuna.samplers.random{ seed = 2 } }
  s:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    local n = trial:suggest_int("n", 1, 3)
    return x * n
  end, { n_trials = 12 })

  local trials = s:trials()
  assert(#trials == 12)
  local best, bestNumber = -math.huge, nil
  for i, t in ipairs(trials) do
    assert(t.number == i - 1, "trials are ordered by number")
    assert(t.state == "complete")
    assert(type(t.value) == "number")
    assert(#t.values == 1 and t.values[1] == t.value)
    assert(t.value == t.params.x * t.params.n)
    assert(t.distributions.x.kind == "float" and t.distributions.x.low == 0 and t.distributions.x.high == 1)
    assert(t.distributions.n.kind == "int" and t.distributions.n.low == 1 and t.distributions.n.high == 3)
    assert(type(t.intermediate_values) == "table" and next(t.intermediate_values) == nil)
    assert(type(t.user_attrs) == "table")
    assert(type(t.datetime_start) == "string" and type(t.datetime_complete) == "string")
    assert(type(t.duration) == "number" and t.duration >= 0)
    assert(t.fail_reason == nil)
    if t.value > best then best, bestNumber = t.value, t.number end
  end
  assert(s.best_value == best, "best_value is the largest value when maximizing")
  assert(s.best_trial.number == bestNumber)
  assert(s.best_trial.value == best)
  assert(s.best_params.x == s.best_trial.params.x and s.best_params.n == s.best_trial.params.n)

  -- A second optimize call adds trials to the same study.
  s:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 3 })
  assert(#s:trials() == 15)
end

do -- minimize picks the smallest
  local s = tuna.create_study{ sampler = tuna.samplers.random{ seed = 3 } }
  local values = { 5, -2, 7, -1 }
  s:optimize(function(trial) return values[trial.number + 1] end, { n_trials = 4 })
  assert(s.best_value == -2 and s.best_trial.number == 1)
end

-- trials{ states = ... } ------------------------------------------------------------------------

do
  local s = tuna.create_study{ name = "states", sampler = tuna.samplers.random{ seed = 4 } }
  s:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    local kind = trial.number % 3
    if kind == 1 then trial:report(x, 0); trial:prune() end
    if kind == 2 then error("failing on purpose") end
    return x
  end, { n_trials = 9 })

  assert(#s:trials() == 9)
  assert(#s:trials{} == 9)
  local complete = s:trials{ states = { "complete" } }
  local pruned = s:trials{ states = { "pruned" } }
  local failed = s:trials{ states = { "fail" } }
  assert(#complete == 3 and #pruned == 3 and #failed == 3)
  for _, t in ipairs(complete) do assert(t.state == "complete" and t.number % 3 == 0) end
  for _, t in ipairs(pruned) do assert(t.state == "pruned" and t.number % 3 == 1) end
  for _, t in ipairs(failed) do
    assert(t.state == "fail" and t.number % 3 == 2)
    assert(t.fail_reason:find("failing on purpose", 1, true), "fail_reason records the error")
    assert(t.value == nil)
  end
  local finished = s:trials{ states = { "complete", "pruned" } }
  assert(#finished == 6)
  for i = 2, #finished do assert(finished[i].number > finished[i - 1].number, "filtered trials keep number order") end
  assert(#s:trials{ states = { "running", "waiting" } } == 0)
  raises("unknown trial state", function() return s:trials{ states = { "finished" } } end)
end

-- enqueue_trial ---------------------------------------------------------------------------------

do
  local s = tuna.create_study{ name = "enqueue", sampler = tuna.samplers.random{ seed = 5 } }
  s:enqueue_trial({ x = 0.25, n = 3, act = "tanh" })
  s:enqueue_trial({ x = 0.75 }, { user_attrs = { source = "manual" } })
  -- Already waiting with these values: skipped.
  s:enqueue_trial({ x = 0.25, n = 3, act = "tanh" }, { skip_if_exists = true })
  assert(#s:trials{ states = { "waiting" } } == 2)

  local seen = {}
  s:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    local n = trial:suggest_int("n", 1, 5)
    local act = trial:suggest_categorical("act", { "relu", "tanh" })
    seen[#seen + 1] = { x = x, n = n, act = act }
    return x
  end, { n_trials = 3 })

  assert(#seen == 3)
  assert(seen[1].x == 0.25 and seen[1].n == 3 and seen[1].act == "tanh", "the first enqueued trial runs first")
  assert(math.type(seen[1].n) == "integer", "an enqueued int comes back as an integer")
  assert(seen[2].x == 0.75, "the second enqueued trial runs next")
  assert(seen[2].n >= 1 and seen[2].n <= 5, "parameters not enqueued are sampled")
  local t1 = s:trials()[2]
  assert(t1.user_attrs.source == "manual", "enqueue_trial's user_attrs reach the trial")
  assert(#s:trials{ states = { "waiting" } } == 0)

  -- A finished trial with these values exists: skipped; without skip_if_exists: queued.
  s:enqueue_trial({ x = 0.25 }, { skip_if_exists = true })
  assert(#s:trials{ states = { "waiting" } } == 0)
  s:enqueue_trial({ x = 0.25 })
  assert(#s:trials{ states = { "waiting" } } == 1)
  s:enqueue_trial({ x = 0.5 }, { skip_if_exists = true })
  assert(#s:trials{ states = { "waiting" } } == 2)
end

-- user attributes --------------------------------------------------------------------------------

do
  local s = tuna.create_study{ name = "attrs" }
  s:set_user_attr("dataset", "digits")
  s:set_user_attr("folds", 5)
  s:set_user_attr("tags", { "a", "b" })
  s:set_user_attr("meta", { owner = "me", ratio = 0.5, ok = true })
  local a = s.user_attrs
  assert(a.dataset == "digits" and a.folds == 5)
  assert(a.tags[1] == "a" and a.tags[2] == "b" and #a.tags == 2)
  assert(a.meta.owner == "me" and a.meta.ratio == 0.5 and a.meta.ok == true)
  s:set_user_attr("dataset", "iris")
  assert(s.user_attrs.dataset == "iris", "set_user_attr overwrites")

  s:optimize(function(trial)
    trial:set_user_attr("number_seen", trial.number)
    trial:set_user_attr("nested", { depth = { 1, 2 } })
    assert(trial.user_attrs.number_seen == trial.number)
    return 0
  end, { n_trials = 2, catch = false })
  for _, t in ipairs(s:trials()) do
    assert(t.user_attrs.number_seen == t.number)
    assert(t.user_attrs.nested.depth[2] == 2)
  end
end

-- callbacks and stop() --------------------------------------------------------------------------

do
  local s = tuna.create_study{ name = "callbacks", sampler = tuna.samplers.random{ seed = 6 } }
  local log = {}
  s:optimize(function(trial)
    log[#log + 1] = "objective " .. trial.number
    return trial:suggest_float("x", 0, 1)
  end, {
    n_trials = 3,
    callbacks = {
      function(study, trial)
        assert(study == s, "a callback gets the study")
        assert(study.name == "callbacks")
        assert(trial.state == "complete" and type(trial.value) == "number", "a callback gets the finished trial")
        log[#log + 1] = "first " .. trial.number
      end,
      function(study, trial) log[#log + 1] = "second " .. trial.number end,
    },
  })
  local expected = {
    "objective 0", "first 0", "second 0",
    "objective 1", "first 1", "second 1",
    "objective 2", "first 2", "second 2",
  }
  assert(#log == #expected, "callbacks run once per trial")
  for i = 1, #expected do assert(log[i] == expected[i], "callback order at " .. i .. ": " .. tostring(log[i])) end

  -- stop() from a callback: the running trial finishes, no more start.
  local stopper = tuna.create_study{ name = "stopper" }
  stopper:optimize(function(trial) return trial.number end, {
    n_trials = 100,
    callbacks = { function(study, trial) if trial.number == 2 then study:stop() end end },
  })
  assert(#stopper:trials() == 3, "stop() from a callback ends optimize after that trial")

  -- stop() from the objective: that trial still completes.
  local inside = tuna.create_study{ name = "stop-inside" }
  inside:optimize(function(trial)
    if trial.number == 1 then inside:stop() end
    return trial.number
  end, { n_trials = 100 })
  local ts = inside:trials()
  assert(#ts == 2 and ts[2].state == "complete", "stop() from the objective finishes the running trial")
  -- A later optimize call runs again.
  inside:optimize(function(trial) return 0 end, { n_trials = 2 })
  assert(#inside:trials() == 4, "stop() does not affect the next optimize call")

  -- timeout: a whole-call budget ends an unbounded optimize.
  local timed = tuna.create_study{ name = "timed" }
  timed:optimize(function(trial) return 0 end, { timeout = 0.1, show_progress = false, workers = 1 })
  assert(#timed:trials() > 0)

  -- n_trials = 0 runs nothing.
  local none = tuna.create_study{}
  none:optimize(function(trial) error("never called") end, { n_trials = 0 })
  assert(#none:trials() == 0)

  -- trial_timeout: a trial over it fails with the reason; the study goes on.
  local limited = tuna.create_study{ name = "trial-timeout" }
  limited:optimize(function(trial)
    if trial.number == 1 then while true do end end
    return trial.number
  end, { n_trials = 3, trial_timeout = 0.2 })
  local lt = limited:trials()
  assert(lt[1].state == "complete" and lt[3].state == "complete")
  assert(lt[2].state == "fail" and lt[2].fail_reason:find("time limit", 1, true), "trial_timeout fails the slow trial")

  raises("unknown option 'n_trial'", function() none:optimize(function() return 0 end, { n_trial = 3 }) end)
  raises("bad argument", function() none:optimize("not a function") end)
end

-- ask and tell ----------------------------------------------------------------------------------

do
  local s = tuna.create_study{ name = "ask-tell", sampler = tuna.samplers.random{ seed = 7 } }
  local t = s:ask()
  assert(t.number == 0)
  assert(t.study == s)
  local x = t:suggest_float("x", -1, 1)
  assert(t.params.x == x)
  local ft = s:tell(t, x * x)
  assert(ft.state == "complete" and ft.value == x * x and ft.number == 0)

  local t2 = s:ask()
  t2:suggest_float("x", -1, 1)
  t2:report(0.9, 0)
  t2:report(0.4, 3)
  local ft2 = s:tell(t2, nil, "pruned")
  assert(ft2.state == "pruned")
  assert(ft2.value == 0.4, "a pruned trial takes its last reported value")
  assert(ft2.intermediate_values[0] == 0.9 and ft2.intermediate_values[3] == 0.4)

  local t3 = s:ask()
  local ft3 = s:tell(t3, nil, "fail")
  assert(ft3.state == "fail" and ft3.value == nil)

  local t4 = s:ask()
  local ft4 = s:tell(t4, 0 / 0)
  assert(ft4.state == "fail", "telling NaN fails the trial")

  raises("", function() return s:tell(t, 1) end)   -- told already
  raises("state", function() return s:tell(s:ask(), 1, "finished") end)

  local states = {}
  for _, tr in ipairs(s:trials()) do states[#states + 1] = tr.state end
  assert(table.concat(states, ",") == "complete,pruned,fail,fail,running")
  assert(s.best_trial.number == 0 and s.best_value == x * x)
end

-- multi-objective -------------------------------------------------------------------------------

do
  local mo = tuna.create_study{ name = "pareto", directions = { "minimize", "maximize" } }
  assert(#mo.directions == 2 and mo.directions[1] == "minimize" and mo.directions[2] == "maximize")
  raises("multi-objective", function() return mo.direction end)

  -- (minimize f1, maximize f2): trial 2 = {3, 2} is dominated by trial 1 = {2, 3};
  -- trials 1 and 4 tie and both stay on the front.
  local points = { { 1, 1 }, { 2, 3 }, { 3, 2 }, { 0.5, 0.5 }, { 2, 3 }, { 4, 4 } }
  for _, p in ipairs(points) do
    local t = mo:ask()
    local ft = mo:tell(t, p)
    assert(ft.state == "complete" and ft.values[1] == p[1] and ft.values[2] == p[2])
  end
  local wrong = mo:tell(mo:ask(), 1)
  assert(wrong.state == "fail", "one value for a two-objective study fails the trial")

  local front = mo.best_trials
  local numbers = {}
  for _, t in ipairs(front) do numbers[#numbers + 1] = t.number end
  assert(table.concat(numbers, ",") == "0,1,3,4,5", "Pareto front: " .. table.concat(numbers, ","))
  raises("best_trials", function() return mo.best_trial end)

  -- optimize with an objective returning two values
  local mo2 = tuna.create_study{ directions = { "minimize", "minimize" }, sampler = tuna.samplers.random{ seed = 8 } }
  mo2:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    return { x, 1 - x }
  end, { n_trials = 10 })
  assert(#mo2:trials{ states = { "complete" } } == 10)
  assert(#mo2.best_trials == 10, "x and 1 - x never dominate each other")

  -- the Lua way: several return values, one per objective
  local mo3 = tuna.create_study{ directions = { "minimize", "minimize" }, sampler = tuna.samplers.random{ seed = 8 } }
  mo3:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    return x, 1 - x
  end, { n_trials = 5 })
  local done = mo3:trials{ states = { "complete" } }
  assert(#done == 5, "return a, b completes a two-objective trial")
  assert(done[1].values[1] + done[1].values[2] == 1)

  -- a single-objective study does not keep the first of two values: the trial fails and says why
  local single = tuna.create_study{ sampler = tuna.samplers.random{ seed = 8 } }
  single:optimize(function(trial) return trial:suggest_float("x", 0, 1), 2 end, { n_trials = 1 })
  local failed = single:trials()[1]
  assert(failed.state == "fail" and failed.fail_reason:find("2 values for a study with 1 objective", 1, true), failed.fail_reason)
  single:optimize(function(trial) return end, { n_trials = 1 })
  assert(single:trials()[2].fail_reason:find("returned nothing", 1, true), single:trials()[2].fail_reason)
  single:optimize(function(trial) return 1, "two" end, { n_trials = 1 })
  assert(single:trials()[3].fail_reason:find("value 2 string", 1, true), single:trials()[3].fail_reason)
end

-- load_if_exists, duplicate names ---------------------------------------------------------------

do
  local a = tuna.create_study{ name = "shared", sampler = tuna.samplers.random{ seed = 9 } }
  a:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 3 })

  local err = raises("already exists", tuna.create_study, { name = "shared" })
  assert(tostring(err):find("shared", 1, true), "the error names the study")

  local b = tuna.create_study{ name = "shared", load_if_exists = true }
  assert(b.name == "shared")
  assert(#b:trials() == 3, "load_if_exists sees the existing trials")
  assert(b.best_value == a.best_value)
  b:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 2 })
  assert(#a:trials() == 5, "both handles share one study")

  raises("", tuna.create_study, { name = "shared", load_if_exists = true, direction = "maximize" })
  local fresh = tuna.create_study{ name = "not-yet", load_if_exists = true }
  assert(#fresh:trials() == 0, "load_if_exists creates a missing study")
end

print("ok studies")
