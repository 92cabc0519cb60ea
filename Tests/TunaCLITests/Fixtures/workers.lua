-- Several workers share one study and one trial budget; the script's own output prints once.
-- Arguments: [mode] where mode is "stop" (a trial calls study:stop()) or "fail" (catch = false).
local mode = ...
print("start")
local study = tuna.create_study{ name = "workers", sampler = tuna.samplers.random{ seed = 2 } }
local ok, err = pcall(study.optimize, study, function(trial)
  local x = trial:suggest_float("x", 0, 1)
  local s = 0
  for i = 1, 20000 do s = s + math.sin(i * x) end
  if mode == "stop" and trial.number == 5 then study:stop() end
  if mode == "fail" and trial.number == 7 then error("trial seven fails") end
  return x
end, { n_trials = 24, workers = 3, catch = mode ~= "fail" })
if not ok then print("error: " .. tostring(err)) end
local numbers = {}
for _, t in ipairs(study:trials()) do numbers[#numbers + 1] = t.number end
table.sort(numbers)
local dense = true
for i, n in ipairs(numbers) do if n ~= i - 1 then dense = false end end
print("trials " .. #numbers .. " dense " .. tostring(dense))
