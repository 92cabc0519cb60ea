-- Run with --memory-limit 64MB: trial 1 allocates without end and fails; the others complete,
-- and the memory comes back (trial 2 allocates a few MB again).
local study = tuna.create_study{ name = "memory" }
study:optimize(function(trial)
  if trial.number == 1 then
    local hoard = {}
    for i = 1, math.huge do hoard[i] = string.rep("x", 1000) .. i end
  end
  local t = {}
  for i = 1, 10000 do t[i] = string.rep("y", 100) .. i end
  return #t
end, { n_trials = 3 })
assert(#study:trials{ states = { "complete" } } == 2)
collectgarbage()
print("ok memory")
