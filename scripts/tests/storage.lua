-- Stored studies from Lua (lua-api.md §1, §6): sqlite storage URLs, load_if_exists, numbering
-- that continues, crash-recovery options. (A dead worker's trial failed as stale and retried is
-- tested by killing real processes: Tests/TunaCLITests/FaultTests.swift.)
local tuna = require("tuna")

local function raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching '" .. pattern .. "'")
  assert(tostring(err):find(pattern, 1, true), "error '" .. tostring(err) .. "' does not contain '" .. pattern .. "'")
  return err
end

local path = os.tmpname()
os.remove(path)
local url = "sqlite:" .. path

-- A stored study keeps its trials: a second handle with load_if_exists sees them, and its
-- trials continue the numbering.
local first = tuna.create_study{ name = "stored", storage = url, sampler = tuna.samplers.random{ seed = 1 } }
first:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 5 })
raises("already exists", tuna.create_study, { name = "stored", storage = url })
local again = tuna.create_study{ name = "stored", storage = url, load_if_exists = true,
                                 sampler = tuna.samplers.random{ seed = 1 } }
assert(#again:trials() == 5)
again:optimize(function(t)
  t:set_user_attr("note", "second run")
  t:report(0.5, 0)
  return t:suggest_float("x", 0, 1)
end, { n_trials = 3 })
local trials = again:trials()
assert(#trials == 8)
for i, t in ipairs(trials) do assert(t.number == i - 1) end
assert(trials[8].user_attrs.note == "second run" and trials[8].intermediate_values[0] == 0.5)
assert(again.best_value == first.best_value)

-- Storage URLs and options are checked.
raises("connecting to postgresql://tuna:***@127.0.0.1:1/db", tuna.create_study, { storage = "postgresql://tuna:pw@127.0.0.1:1/db" })
raises("storage:", tuna.create_study, { storage = "mysql:x" })
raises("'heartbeat_interval' must be > 0", tuna.create_study, { storage = url, heartbeat_interval = 0 })
raises("'retry_failed' must be >= 0", tuna.create_study, { storage = url, retry_failed = -1 })

-- Trials run by optimize beat; a trial driven by hand (ask, no tell yet) never beats, so it is
-- never taken for a dead worker's, however old.
local crash = tuna.create_study{ name = "crash", storage = url, heartbeat_interval = 0.05, grace_period = 0.2,
                                 retry_failed = 1, sampler = tuna.samplers.random{ seed = 3 } }
crash:optimize(function(t) return t:suggest_float("x", 0, 1) end, { n_trials = 2 })
local held = crash:ask()
held:suggest_float("x", 0, 1)
local clock = os.clock()
while os.clock() - clock < 0.3 do end
crash:optimize(function(trial) return trial:suggest_float("x", 0, 1) end, { n_trials = 1 })
local states = {}
for _, tr in ipairs(crash:trials()) do states[#states + 1] = tr.state end
assert(table.concat(states, ",") == "complete,complete,running,complete", table.concat(states, ","))
crash:tell(held, 0.5)

os.remove(path)
os.remove(path .. "-wal")
os.remove(path .. "-shm")
print("ok storage")
