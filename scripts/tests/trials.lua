-- Trials (lua-api.md §2): suggest_* semantics, repeated names, distribution conflicts, bad
-- arguments, report / should_prune / prune with the default (nop) pruner, trial fields.
--
--   tuna run scripts/tests/trials.lua

local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
  return err
end

local function near(a, b) return math.abs(a - b) <= 1e-9 * math.max(1, math.abs(a), math.abs(b)) end

-- suggest_* over many trials ----------------------------------------------------------------------

do
  local study = tuna.create_study{ name = "suggest", sampler = tuna.samplers.random{ seed = 11 } }
  local seen = { int = {}, step_int = {}, step_float = {}, cat = {} }
  local low_lr, high_lr = false, false
  local N = 300
  study:optimize(function(trial)
    local x = trial:suggest_float("x", -2, 3)
    assert(math.type(x) == "float" and x >= -2 and x <= 3)

    local one = trial:suggest_float("one", 1.5, 1.5)
    assert(one == 1.5 and math.type(one) == "float", "low == high is the only value")

    local lr = trial:suggest_float("lr", 1e-4, 1, { log = true })
    assert(lr >= 1e-4 and lr <= 1)
    if lr < 1e-2 then low_lr = true else high_lr = true end

    local s = trial:suggest_float("s", 0, 1, { step = 0.25 })
    assert(math.type(s) == "float")
    assert(near(s * 4, math.floor(s * 4 + 0.5)), "a stepped float lies on the step grid: " .. s)
    seen.step_float[s] = true

    local n = trial:suggest_int("n", 0, 2)
    assert(math.type(n) == "integer" and n >= 0 and n <= 2)
    seen.int[n] = true

    local only = trial:suggest_int("only", 7, 7)
    assert(only == 7 and math.type(only) == "integer")

    local k = trial:suggest_int("k", 1, 1000, { log = true })
    assert(math.type(k) == "integer" and k >= 1 and k <= 1000)

    local m = trial:suggest_int("m", 0, 10, { step = 5 })
    assert(m == 0 or m == 5 or m == 10)
    seen.step_int[m] = true

    local c = trial:suggest_categorical("c", { "relu", 3, 2.5, true, false })
    seen.cat[tostring(c) .. ":" .. tostring(math.type(c)) .. type(c)] = true
    if type(c) == "string" then assert(c == "relu")
    elseif type(c) == "boolean" then -- true or false
    else assert(c == 3 or c == 2.5) end

    -- The stored params are the suggested values.
    assert(trial.params.x == x and trial.params.n == n and trial.params.c == c)
    return x
  end, { n_trials = N, catch = false })

  assert(#study:trials{ states = { "complete" } } == N)
  assert(seen.int[0] and seen.int[1] and seen.int[2], "suggest_int's bounds are inclusive")
  assert(seen.step_int[0] and seen.step_int[5] and seen.step_int[10], "suggest_int with step reaches both ends")
  for _, v in ipairs({ 0, 0.25, 0.5, 0.75, 1 }) do
    assert(seen.step_float[v], "suggest_float with step reaches " .. v)
  end
  assert(low_lr and high_lr, "log sampling covers the decades")
  for _, key in ipairs({ "relu:nilstring", "3:integernumber", "2.5:floatnumber", "true:nilboolean", "false:nilboolean" }) do
    assert(seen.cat[key], "categorical choice seen with its type: " .. key)
  end

  local t = study:trials()[1]
  assert(t.distributions.lr.log == true)
  assert(t.distributions.s.step == 0.25)
  assert(t.distributions.m.step == 5)
  assert(t.distributions.c.kind == "categorical" and #t.distributions.c.choices == 5)
end

-- repeated names, conflicts, bad arguments -----------------------------------------------------

do
  local study = tuna.create_study{ name = "conflicts", sampler = tuna.samplers.random{ seed = 12 } }
  local trial = study:ask()
  assert(trial.number == 0)
  assert(trial.study == study and trial.study.name == "conflicts")

  local x1 = trial:suggest_float("x", 0, 1)
  local x2 = trial:suggest_float("x", 0, 1)
  assert(x1 == x2, "asking the same name again returns the stored value")
  local c1 = trial:suggest_categorical("c", { "a", "b", "c" })
  for _ = 1, 5 do assert(trial:suggest_categorical("c", { "a", "b", "c" }) == c1) end

  local err = raises("'x'", trial.suggest_float, trial, "x", 0, 2)
  raises("'x'", trial.suggest_int, trial, "x", 0, 1)
  raises("'c'", trial.suggest_categorical, trial, "c", { "a", "b" })
  assert(trial.params.x == x1, "a conflicting suggest leaves the stored value alone")

  -- The exact wording of bad arguments (lua-api.md §2). Called as methods, as scripts do, the
  -- arguments are numbered without self (Lua's own convention): name #1, low #2, high #3, options #4.
  local function bad(expected, f)
    local ok, err = pcall(f)
    assert(not ok, "expected: " .. expected)
    local at = tostring(err):find(expected, 1, true)
    assert(at, "error '" .. tostring(err) .. "' does not contain '" .. expected .. "'")
    assert(tostring(err):sub(1, at - 1):match("trials%.lua:%d+: $"), "the error is located at the script's line: " .. tostring(err))
  end
  bad("bad argument #3 to 'suggest_float' (low must be <= high, got 5 > 1)", function() return trial:suggest_float("y", 5, 1) end)
  bad("bad argument #3 to 'suggest_float' (low must be <= high, got 0.5 > 0.25)", function() return trial:suggest_float("y", 0.5, 0.25) end)
  bad("bad argument #3 to 'suggest_int' (low must be <= high, got 5 > 1)", function() return trial:suggest_int("y", 5, 1) end)
  bad("bad argument #4 to 'suggest_float'", function() return trial:suggest_float("y", 0, 1, { step = 0 }) end)
  bad("bad argument #4 to 'suggest_float'", function() return trial:suggest_float("y", 0, 1, { step = -0.5 }) end)
  bad("bad argument #4 to 'suggest_int'", function() return trial:suggest_int("y", 0, 10, { step = 0 }) end)
  bad("bad argument #4 to 'suggest_float'", function() return trial:suggest_float("y", 0.1, 1, { log = true, step = 0.1 }) end)
  bad("bad argument #4 to 'suggest_float' (unknown option 'lg'", function() return trial:suggest_float("y", 0, 1, { lg = true }) end)
  bad("bad argument #2 to 'suggest_float'", function() return trial:suggest_float("y", 0, 1, { log = true }) end)
  bad("bad argument #2 to 'suggest_int'", function() return trial:suggest_int("y", 0, 8, { log = true }) end)
  bad("bad argument #2 to 'suggest_float'", function() return trial:suggest_float("y", "low", 1) end)
  bad("bad argument #2 to 'suggest_int'", function() return trial:suggest_int("y", 0.5, 1) end)
  bad("bad argument #2 to 'suggest_categorical'", function() return trial:suggest_categorical("y", {}) end)
  bad("bad argument #2 to 'suggest_categorical'", function() return trial:suggest_categorical("y", { {} }) end)
  bad("bad argument #2 to 'suggest_categorical'", function() return trial:suggest_categorical("y", "relu") end)
  bad("bad argument #1 to 'suggest_float'", function() return trial:suggest_float(42, 0, 1) end)
  bad("bad argument #1 to 'suggest_int'", function() return trial:suggest_int(nil, 0, 1) end)
  bad("bad argument #1 to 'suggest_categorical'", function() return trial:suggest_categorical({}, { 1 }) end)
  assert(trial.params.y == nil, "failed suggests store nothing")

  study:tell(trial, x1)

  -- A categorical parameter's choices cannot change within a study.
  local t2 = study:ask()
  local ok2, err2 = pcall(t2.suggest_categorical, t2, "c", { "a", "b", "d" })
  assert(not ok2 and tostring(err2):find("'c'", 1, true), "changing the choices of 'c' is an error naming it: " .. tostring(err2))
  study:tell(t2, nil, "fail")
end

-- report, should_prune, prune (default nop pruner) -------------------------------------------

do
  local study = tuna.create_study{ name = "pruning", sampler = tuna.samplers.random{ seed = 13 } }
  local prunes = 0
  study:optimize(function(trial)
    local x = trial:suggest_float("x", 0, 1)
    for step = 0, 4 do
      trial:report(x + step, step)
      assert(trial:should_prune() == false, "the default pruner never prunes")
    end
    assert(trial.intermediate_values[4] == x + 4)
    if trial.number % 2 == 1 then
      prunes = prunes + 1
      trial:prune()
      error("prune() does not return")
    end
    return x
  end, { n_trials = 6, catch = false })
  assert(prunes == 3)

  local pruned = study:trials{ states = { "pruned" } }
  assert(#pruned == 3)
  for _, t in ipairs(pruned) do
    assert(t.number % 2 == 1)
    assert(t.value == t.intermediate_values[4], "a pruned trial's value is its last report")
    assert(t.value == t.params.x + 4)
    assert(t.fail_reason == nil)
  end
  for _, t in ipairs(study:trials{ states = { "complete" } }) do
    for step = 0, 4 do assert(t.intermediate_values[step] == t.params.x + step) end
  end

  -- bad report arguments
  local trial = study:ask()
  raises("bad argument #2 to 'report'", function() trial:report(1.0, -1) end)
  raises("bad argument #2 to 'report'", function() trial:report(1.0, 0.5) end)
  raises("bad argument #1 to 'report'", function() trial:report("high", 0) end)
  study:tell(trial, 1)
  raises("", trial.suggest_float, trial, "late", 0, 1)   -- a finished trial takes no more suggests

  -- A pruner is the nop one by default, also when given explicitly.
  local explicit = tuna.create_study{ pruner = tuna.pruners.nop{} }
  explicit:optimize(function(trial)
    trial:report(1, 0)
    assert(not trial:should_prune())
    return 1
  end, { n_trials = 2, catch = false })
end

print("ok trials")
