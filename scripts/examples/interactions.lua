-- Which hyperparameters of a neural network matter, and which act together?
--
-- Trains an MLP on the bundled handwritten digits over five optimizer settings — learning rate,
-- batch size, weight decay, and Adam's β1 and β2 — then asks the study which of them mattered
-- (PED-ANOVA and functional ANOVA), which pairs interacted (functional ANOVA), and writes the
-- HTML report. The trials come from a scrambled Sobol sequence: it covers the search space
-- evenly, which is what a variance decomposition over that space wants to see.
--
-- Run with: tuna run scripts/examples/interactions.lua [-- report.html]
local tuna = require("tuna")

local digits = tuna.data.load("digits")
local train, valid = digits:split{ test_size = 0.25, stratify = true, seed = 0 }
train, valid = tuna.data.standardize(train, valid)

local study = tuna.create_study{
  name = "digits-interactions",
  direction = "maximize",
  sampler = tuna.samplers.qmc{ seed = 0 },
}

study:optimize(function(trial)
  local lr = trial:suggest_float("lr", 1e-4, 3e-1, { log = true })
  local batch_size = trial:suggest_int("batch_size", 8, 512, { log = true })
  local weight_decay = trial:suggest_float("weight_decay", 1e-6, 1e-1, { log = true })
  local beta1 = trial:suggest_float("beta1", 0.5, 0.99)
  local beta2 = trial:suggest_float("beta2", 0.9, 0.9999)
  local net = tuna.nn.mlp{ hidden = { 64 }, activation = "relu" }
  local fit = tuna.nn.fit(net, train, {
    valid = valid, epochs = 6, batch_size = batch_size, seed = 0,
    optimizer = { "adamw", lr = lr, beta1 = beta1, beta2 = beta2, weight_decay = weight_decay },
  })
  return fit.valid_accuracy
end, { n_trials = 128 })

print(string.format("best validation accuracy %.4f (trial %d)", study.best_value, study.best_trial.number))

print("\nWhich hyperparameters mattered (normalized):")
local fanova = tuna.importance(study, { evaluator = "fanova", seed = 0 })
local ped = tuna.importance(study)
print(string.format("  %-13s %8s %10s", "parameter", "fANOVA", "PED-ANOVA"))
for name, value in pairs(fanova) do
  print(string.format("  %-13s %8.3f %10.3f", name, value, ped[name]))
end

print("\nWhich acted together (share of the variance beyond their main effects):")
for _, pair in ipairs(tuna.interactions(study, { top = 4, seed = 0 })) do
  print(string.format("  %-26s %.3f ± %.3f", pair[1] .. " × " .. pair[2], pair[3], pair.std))
end

local path = arg[1] or "interactions-report.html"
tuna.report(study, path)
print("\nreport: " .. path)
