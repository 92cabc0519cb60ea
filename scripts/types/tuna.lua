---@meta tuna

-- Definitions of Tuna's Lua API for the Lua language server, made by `tuna annotations`
-- from the bindings themselves: do not edit. Add this file's folder to
-- Lua.workspace.library to have tuna.* calls completed and checked.

---Tuna's Lua API: studies, samplers, pruners, training and analysis.
tuna = {}
---The version of Tuna running the script.
---@type string
tuna.version = nil

---Creates a study, or loads the stored one of that name.
---@param options? { name?: string, direction?: "minimize"|"maximize", directions?: ("minimize"|"maximize")[], sampler?: tuna.Sampler, pruner?: tuna.Pruner, storage?: string, load_if_exists?: boolean, heartbeat_interval?: number, grace_period?: number, retry_failed?: integer, deterministic?: boolean|integer }
---@return tuna.Study
function tuna.create_study(options) end

---Copies a study and all its trials to another storage; returns how many trials it copied.
---@param options { study: string, from?: string, to: string, as?: string }
---@return integer
function tuna.copy_study(options) end

---A sampler written in Lua; the spec table is its `self`, where it may keep state, and the sampler returned reads and writes that table's fields.
---@param spec tuna.SamplerSpec
---@return tuna.Sampler
function tuna.sampler(spec) end

---A pruner written in Lua; the spec table is its `self`, where it may keep state.
---@param spec tuna.PrunerSpec
---@return tuna.Pruner
function tuna.pruner(spec) end

---How much each parameter mattered (normalized to sum to 1 unless normalize = false); pairs() visits the most important first.
---@param study tuna.Study
---@param options? { evaluator?: "ped_anova"|"fanova", params?: string[], target?: integer|fun(trial: tuna.FrozenTrial): number?, direction?: "minimize"|"maximize", seed?: integer, normalize?: boolean }
---@return table<string, number>
function tuna.importance(study, options) end

---The pairs of parameters that act together, strongest first (functional ANOVA's share of variance).
---@param study tuna.Study
---@param options? { evaluator?: "fanova", top?: integer, params?: string[], target?: integer|fun(trial: tuna.FrozenTrial): number?, direction?: "minimize"|"maximize", seed?: integer }
---@return tuna.Interaction[]
function tuna.interactions(study, options) end

---Writes the study's self-contained HTML report to the file.
---@param study tuna.Study
---@param path string
---@param options? { seed?: integer }
function tuna.report(study, path, options) end

---The built-in samplers (lua-api.md §3).
tuna.samplers = {}

---Independent uniform draws (log-uniform for log parameters).
---@param options? { seed?: integer }
---@return tuna.Sampler
function tuna.samplers.random(options) end

---Every combination of the listed values once, in an order shuffled by the seed; then the study stops.
---@param options { search_space: table<string, (number|string|boolean)[]>, seed?: integer }
---@return tuna.Sampler
function tuna.samplers.grid(options) end

---Quasi-random points (Sobol or Halton), scrambled by the seed.
---@param options? { seed?: integer, type?: "sobol"|"halton", scramble?: boolean }
---@return tuna.Sampler
function tuna.samplers.qmc(options) end

---Tree-structured Parzen Estimator.
---@param options? { seed?: integer, n_startup_trials?: integer, n_ei_candidates?: integer, multivariate?: boolean, group?: boolean, constant_liar?: boolean, prior_weight?: number, consider_endpoints?: boolean }
---@return tuna.Sampler
function tuna.samplers.tpe(options) end

---The default: per study and phase, the built-in sampler that wins there (GP, TPE, CMA-ES, NSGA-II).
---@param options? { seed?: integer, model_trials?: integer }
---@return tuna.Sampler
function tuna.samplers.auto(options) end

---Gaussian-process Bayesian optimization with log expected improvement.
---@param options? { seed?: integer, n_startup_trials?: integer, deterministic_objective?: boolean, output_warping?: boolean }
---@return tuna.Sampler
function tuna.samplers.gp(options) end

---CMA-ES, with optional IPOP restarts, a separable variant and the margin correction for integers.
---@param options? { seed?: integer, sigma0?: number, popsize?: integer, restart?: "ipop", inc_popsize?: integer, separable?: boolean, with_margin?: boolean, n_startup_trials?: integer }
---@return tuna.Sampler
function tuna.samplers.cmaes(options) end

---A genetic algorithm for one objective.
---@param options? { seed?: integer, population_size?: integer, mutation_prob?: number, crossover?: "sbx"|"uniform"|"blx_alpha", crossover_prob?: number, swapping_prob?: number, eta_crossover?: number, eta_mutation?: number, elitism?: integer }
---@return tuna.Sampler
function tuna.samplers.ga(options) end

---NSGA-II, for several objectives.
---@param options? { seed?: integer, population_size?: integer, mutation_prob?: number, crossover?: "sbx"|"uniform"|"blx_alpha", crossover_prob?: number, swapping_prob?: number, eta_crossover?: number, eta_mutation?: number }
---@return tuna.Sampler
function tuna.samplers.nsga2(options) end

---The built-in pruners (lua-api.md §4).
tuna.pruners = {}

---A pruner that never prunes.
---@param options? {}
---@return tuna.Pruner
function tuna.pruners.nop(options) end

---Prunes a trial whose best intermediate value is worse than the median of earlier trials at the same step.
---@param options? { n_startup_trials?: integer, n_warmup_steps?: integer, interval_steps?: integer, n_min_trials?: integer }
---@return tuna.Pruner
function tuna.pruners.median(options) end

---Prunes a trial whose best intermediate value is outside the given percentile of earlier trials.
---@param options? { percentile?: number, n_startup_trials?: integer, n_warmup_steps?: integer, interval_steps?: integer, n_min_trials?: integer }
---@return tuna.Pruner
function tuna.pruners.percentile(options) end

---Asynchronous successive halving (Li et al., 2020): keeps the best 1/reduction_factor at each rung.
---@param options? { min_resource?: integer|"auto", reduction_factor?: integer, min_early_stopping_rate?: integer, bootstrap_count?: integer }
---@return tuna.Pruner
function tuna.pruners.successive_halving(options) end

---Hyperband (Li et al., JMLR 2018): several successive-halving brackets, trials assigned by hash.
---@param options? { min_resource?: integer, max_resource?: integer, reduction_factor?: integer, bootstrap_count?: integer }
---@return tuna.Pruner
function tuna.pruners.hyperband(options) end

---Prunes a trial whose intermediate value leaves [lower, upper] (or is NaN).
---@param options? { lower?: number, upper?: number, n_warmup_steps?: integer, interval_steps?: integer }
---@return tuna.Pruner
function tuna.pruners.threshold(options) end

---Prunes only after the trial has not improved for `patience` steps; then asks `wrapped`, if any.
---@param options? { wrapped?: tuna.Pruner, patience?: integer, min_delta?: number }
---@return tuna.Pruner
function tuna.pruners.patient(options) end

---Prunes when a Wilcoxon signed-rank test says the trial is worse than the best one on the same steps.
---@param options? { p_threshold?: number, n_startup_steps?: integer }
---@return tuna.Pruner
function tuna.pruners.wilcoxon(options) end

---Datasets: bundled, read from CSV files, or generated (lua-api.md §5).
tuna.data = {}
---The names tuna.data.load knows.
---@type string[]
tuna.data.bundled = nil

---A bundled dataset: iris, wine, breast_cancer, digits or diabetes.
---@param name string
---@return tuna.Dataset
function tuna.data.load(name) end

---A CSV file; the target is the named column (by default the last). Text columns become categorical features.
---@param path string
---@param options? { target?: string, task?: "classification"|"regression", delimiter?: string, header?: boolean, columns?: string[], missing?: "error"|"mean"|"median"|"most_frequent", categorical?: "onehot"|"ordinal" }
---@return tuna.Dataset
function tuna.data.csv(path, options) end

---A random classification problem, as scikit-learn's make_classification builds it.
---@param options? { n_samples?: integer, n_features?: integer, n_informative?: integer, n_redundant?: integer, n_classes?: integer, n_clusters_per_class?: integer, class_sep?: number, flip_y?: number, seed?: integer }
---@return tuna.Dataset
function tuna.data.make_classification(options) end

---A random linear regression problem, as scikit-learn's make_regression builds it.
---@param options? { n_samples?: integer, n_features?: integer, n_informative?: integer, noise?: number, bias?: number, seed?: integer }
---@return tuna.Dataset
function tuna.data.make_regression(options) end

---Two interleaving half circles, two classes.
---@param options? { n_samples?: integer, noise?: number, seed?: integer }
---@return tuna.Dataset
function tuna.data.make_moons(options) end

---Standardizes the features of every dataset with the means and deviations of the first; returns them in order.
---@param first tuna.Dataset
---@param ... tuna.Dataset
---@return tuna.Dataset ...
function tuna.data.standardize(first, ...) end

---Neural networks: multilayer perceptrons trained by mini-batch gradient descent.
tuna.nn = {}

---A multilayer perceptron with the given hidden layer widths.
---@param options? { hidden?: integer|integer[], activation?: "relu"|"leaky_relu"|"gelu"|"tanh"|"sigmoid"|"identity", dropout?: number }
---@return tuna.MLP
function tuna.nn.mlp(options) end

---A network saved with net:save(path).
---@param path string
---@return tuna.MLP
function tuna.nn.load(path) end

---Trains the network on the data; with `prune = trial` it reports each epoch to the trial and prunes it.
---@param net tuna.MLP
---@param data tuna.Dataset
---@param options? { valid?: tuna.Dataset, epochs?: integer, batch_size?: integer, seed?: integer, optimizer?: "sgd"|"adam"|"adamw"|"rmsprop"|"adagrad"|{ [1]: "sgd"|"adam"|"adamw"|"rmsprop"|"adagrad", lr?: number, beta1?: number, beta2?: number, eps?: number, weight_decay?: number, momentum?: number, alpha?: number, nesterov?: boolean }, l1?: number, l2?: number, lr_schedule?: "constant"|"step"|"exponential"|"cosine"|{ [1]: "constant"|"step"|"exponential"|"cosine", warmup_epochs?: integer, step_size?: integer, gamma?: number, min_lr?: number }, early_stopping?: { patience?: integer, monitor?: string, min_delta?: number, restore_best?: boolean }, on_epoch?: fun(epoch: integer, metrics: table<string, number>): "stop"?, prune?: tuna.Trial, prune_monitor?: "train_loss"|"valid_loss"|"valid_accuracy"|"valid_r2" }
---@return tuna.FitResult
function tuna.nn.fit(net, data, options) end

---Classical models, cross-validation and grid search.
tuna.ml = {}

---A random forest: trees grown in parallel, each on its own seeded stream.
---@param options? { n_estimators?: integer, max_depth?: integer, min_samples_split?: integer, min_samples_leaf?: integer, max_features?: "sqrt"|"log2"|"all"|number, bootstrap?: boolean, criterion?: "gini"|"entropy"|"squared_error", seed?: integer }
---@return tuna.Model
function tuna.ml.random_forest(options) end

---A single decision tree.
---@param options? { max_depth?: integer, min_samples_split?: integer, min_samples_leaf?: integer, max_features?: "sqrt"|"log2"|"all"|number, criterion?: "gini"|"entropy"|"squared_error", seed?: integer }
---@return tuna.Model
function tuna.ml.decision_tree(options) end

---Multinomial logistic regression with an L2 penalty of strength 1/c.
---@param options? { c?: number, max_iter?: integer, tol?: number, fit_intercept?: boolean }
---@return tuna.Model
function tuna.ml.logistic_regression(options) end

---Least squares, ridge regression when l2 > 0.
---@param options? { l2?: number, fit_intercept?: boolean }
---@return tuna.Model
function tuna.ml.linear_regression(options) end

---A model saved with model:save(path).
---@param path string
---@return tuna.Model
function tuna.ml.load(path) end

---Scores a fresh model per fold; with `trial`, reports each fold and prunes between folds.
---@param make_model fun(): tuna.Model
---@param data tuna.Dataset
---@param options? { cv?: integer, scoring?: "accuracy"|"f1"|"roc_auc"|"neg_log_loss"|"r2"|"neg_mean_squared_error"|"neg_mean_absolute_error", seed?: integer, stratify?: boolean, shuffle?: boolean, trial?: tuna.Trial, report?: "fold"|"mean" }
---@return tuna.CVResult
function tuna.ml.cross_val_score(make_model, data, options) end

---scikit-learn's GridSearchCV as a grid-sampled study; refits the best configuration on all the data.
---@param options { estimator: "random_forest"|"decision_tree"|"logistic_regression"|"linear_regression", data: tuna.Dataset, param_grid: table<string, (number|string|boolean)[]>, cv?: integer, scoring?: "accuracy"|"f1"|"roc_auc"|"neg_log_loss"|"r2"|"neg_mean_squared_error"|"neg_mean_absolute_error", seed?: integer, params?: table<string, number|string|boolean>, name?: string, shuffle?: boolean, pruner?: tuna.Pruner }
---@return tuna.GridSearchResult
function tuna.ml.grid_search_cv(options) end

---Gaussian processes, the model of the GP sampler.
tuna.gp = {}

---Fits a Gaussian process (Matérn 5/2, a lengthscale per dimension) to points x in [0, 1]^d, or in [low, high].
---@param options { x: number[][], y: number[], low?: number[], high?: number[], deterministic?: boolean, seed?: integer }
---@return tuna.GaussianProcess
function tuna.gp.fit(options) end

---Acquisition functions for Bayesian optimization.
tuna.acquisition = {}

---The log of the expected improvement over `best` of a normal prediction (minimizing unless minimize = false).
---@param options { mean: number, variance: number, best: number, minimize?: boolean }
---@return number
function tuna.acquisition.log_ei(options) end

---Quasi-random sequences.
tuna.qmc = {}

---Points of a Sobol sequence in [0, 1)^dimensions, scrambled unless scramble = false.
---@param dimensions integer
---@param count integer
---@param options? { seed?: integer, scramble?: boolean, skip?: integer }
---@return number[][]
function tuna.qmc.sobol(dimensions, count, options) end

---Points of a Halton sequence in [0, 1)^dimensions, scrambled unless scramble = false.
---@param dimensions integer
---@param count integer
---@param options? { seed?: integer, scramble?: boolean, skip?: integer }
---@return number[][]
function tuna.qmc.halton(dimensions, count, options) end

---Statistical models.
tuna.stats = {}

---A kernel density estimate over points in a box, as TPE builds them (with a prior).
---@param options { x: number[][], low: number[], high: number[], weights?: number[], prior_weight?: number, consider_endpoints?: boolean }
---@return tuna.KernelDensity
function tuna.stats.kde(options) end

---A study: the trials of one optimization, and the best of them.
---@class tuna.Study
---@field name string
---@field direction "minimize"|"maximize" Its direction (an error for a multi-objective study).
---@field directions ("minimize"|"maximize")[]
---@field best_trial tuna.FrozenTrial The best complete trial (an error when there is none).
---@field best_value number The best complete trial's value.
---@field best_params table<string, number|string|boolean> The best complete trial's parameters.
---@field best_trials tuna.TrialList The Pareto front of a multi-objective study.
---@field user_attrs table<string, any>
---@field sampler_name string The sampler's name; the automatic sampler's says which sampler it runs now, as "auto(gp)".
local Study = {}

---Runs trials of the objective until the budget is spent, the sampler stops or study:stop() is called.
---@param objective fun(trial: tuna.Trial): number|number[]
---@param options? { n_trials?: integer, timeout?: number, catch?: boolean, callbacks?: (fun(study: tuna.Study, trial: tuna.FrozenTrial))[], workers?: integer, trial_timeout?: number, show_progress?: boolean, max_consecutive_failures?: integer, isolate?: boolean }
function Study:optimize(objective, options) end

---The study's trials, ordered by number, in the given states (default: all).
---@param options? { states?: ("running"|"complete"|"pruned"|"fail"|"waiting")[] }
---@return tuna.TrialList
function Study:trials(options) end

---Queues a trial whose named parameters take these values.
---@param params table<string, number|string|boolean>
---@param options? { skip_if_exists?: boolean, user_attrs?: table<string, any> }
function Study:enqueue_trial(params, options) end

---Stores a value with the study.
---@param key string
---@param value any
function Study:set_user_attr(key, value) end

---Finishes the running trial and starts no more (from an objective or a callback).
function Study:stop() end

---Starts a trial for a loop the script drives itself; finish it with study:tell.
---@return tuna.Trial
function Study:ask() end

---Finishes an asked trial: complete with its value(s), or pruned or failed.
---@param trial tuna.Trial|integer
---@param values? number|number[]
---@param state? "complete"|"pruned"|"fail"
---@return tuna.FrozenTrial
function Study:tell(trial, values, state) end

---A running trial: it suggests parameter values and reports progress.
---@class tuna.Trial
---@field number integer Its number in the study, from 0.
---@field params table<string, number|string|boolean> The values suggested so far, by name.
---@field distributions table<string, tuna.Distribution> The distributions suggested so far, by name.
---@field intermediate_values table<integer, number> Reported values by step.
---@field user_attrs table<string, any>
---@field study tuna.Study? The study it belongs to.
local Trial = {}

---A float parameter's value in [low, high], log-scaled or on a grid of `step` when asked.
---@param name string
---@param low number
---@param high number
---@param options? { log?: boolean, step?: number }
---@return number
function Trial:suggest_float(name, low, high, options) end

---An integer parameter's value in [low, high], log-scaled or every `step` when asked.
---@param name string
---@param low integer
---@param high integer
---@param options? { log?: boolean, step?: integer }
---@return integer
function Trial:suggest_int(name, low, high, options) end

---One of the choices; a parameter keeps its choices for the whole study.
---@param name string
---@param choices (number|string|boolean)[]
---@return number|string|boolean
function Trial:suggest_categorical(name, choices) end

---Reports an intermediate value at a step (an integer >= 0) for the pruner.
---@param value number
---@param step integer
function Trial:report(value, step) end

---Whether the study's pruner would stop the trial now.
---@return boolean
function Trial:should_prune() end

---Ends the trial as pruned (it raises, so it does not return).
function Trial:prune() end

---Stores a value with the trial.
---@param key string
---@param value any
function Trial:set_user_attr(key, value) end

---A sampler, built in (`tuna.samplers.*`) or written in Lua (`tuna.sampler`).
---@class tuna.Sampler
---@field name string The name it was made under ("tpe", or a Lua sampler's own).
---@field seed integer The seed its random streams start from.
local Sampler = {}

---One parameter's value as this sampler would draw it: a Lua sampler can delegate to a built-in one.
---@param ctx tuna.SamplingContext
---@param name string
---@param dist tuna.Distribution
---@return number|string|boolean
function Sampler:sample_independent(ctx, name, dist) end

---A pruner, built in (`tuna.pruners.*`) or written in Lua (`tuna.pruner`).
---@class tuna.Pruner
---@field name string The name it was made under ("median", or a Lua pruner's own).
local Pruner = {}

---The read-only view of the study a Lua sampler's or pruner's hooks get as `ctx`.
---@class tuna.SamplingContext
---@field trials tuna.TrialList The study's trials; `ctx:trials{ states = … }` filters them.
---@field direction "minimize"|"maximize" The first objective's direction.
---@field directions ("minimize"|"maximize")[]
---@field best_trial tuna.FrozenTrial? The best complete trial, if any.
---@field rng tuna.Rng? The trial's seeded random stream (samplers only).
---@field study_name string
---@field trial_number integer? The number of the trial being sampled (samplers only).
local SamplingContext = {}

---The parameters every complete trial has, each with the distribution they share.
---@return table<string, tuna.Distribution>
function SamplingContext:intersection_search_space() end

---The trial's seeded random stream (a sampler's `ctx.rng`).
---@class tuna.Rng
local Rng = {}

---A uniform draw between a and b (0 and 1 by default).
---@param a? number
---@param b? number
---@return number
function Rng:uniform(a, b) end

---A normal draw of mean mu and standard deviation sigma (0 and 1 by default).
---@param mu? number
---@param sigma? number
---@return number
function Rng:normal(mu, sigma) end

---A uniform integer from a to b, both included.
---@param a integer
---@param b integer
---@return integer
function Rng:integer(a, b) end

---An item of a non-empty array, each as likely.
---@param items any[]
---@return any
function Rng:choice(items) end

---A table of samples: features and a target.
---@class tuna.Dataset
---@field n_samples integer
---@field n_features integer
---@field n_classes integer The number of classes (classification).
---@field task "classification"|"regression"
---@field target_name string
---@field feature_names string[]
---@field class_names string[] The class labels, in the order of their indices.
---@field categories table<string, string[]> The categories of each text column of a CSV file, by column name, in the order of their codes (empty without text columns).
---@field y number[] The targets: class indices from 0, or values.
---@field targets number[] The same as y.
local Dataset = {}

---Splits the rows into a training and a test set (test_size: a share of the rows, default 0.25, or a count).
---@param options? { test_size?: number, stratify?: boolean, seed?: integer }
---@return tuna.Dataset train
---@return tuna.Dataset test
function Dataset:split(options) end

---An iterator over k folds: `for i, train, valid in ds:kfold{ k = 5 } do … end`.
---@param options? { k?: integer, stratify?: boolean, shuffle?: boolean, seed?: integer }
---@return (fun(): integer?, tuna.Dataset?, tuna.Dataset?)
function Dataset:kfold(options) end

---A multilayer perceptron (`tuna.nn.mlp`), trained with `tuna.nn.fit`.
---@class tuna.MLP
---@field parameter_count integer Its number of weights and biases.
---@field hidden integer[] The hidden layers' widths.
---@field activation "relu"|"leaky_relu"|"gelu"|"tanh"|"sigmoid"|"identity"
---@field dropout number
local MLP = {}

---Predictions: class indices from 0, or values for regression.
---@param data tuna.Dataset
---@return number[]
function MLP:predict(data) end

---Each sample's class probabilities (classification networks).
---@param data tuna.Dataset
---@return number[][]
function MLP:predict_proba(data) end

---Saves the fitted network to a file (tuna.nn.load reads it back).
---@param path string
function MLP:save(path) end

---Metrics on the data: loss and accuracy, or loss, r2, mse and mae for regression.
---@param data tuna.Dataset
---@return table<string, number>
function MLP:evaluate(data) end

---A classical model (`tuna.ml.*`): fit it, then predict or score.
---@class tuna.Model
---@field kind "random_forest"|"decision_tree"|"logistic_regression"|"linear_regression" The constructor that made it.
local Model = {}

---Trains the model on the data; returns the model.
---@param data tuna.Dataset
---@return tuna.Model
function Model:fit(data) end

---Predictions: class indices from 0, or values for regression.
---@param data tuna.Dataset
---@return number[]
function Model:predict(data) end

---Each sample's class probabilities (classifiers only).
---@param data tuna.Dataset
---@return number[][]
function Model:predict_proba(data) end

---Saves the fitted model to a file (tuna.ml.load reads it back).
---@param path string
function Model:save(path) end

---Accuracy on the data, or R² for regression.
---@param data tuna.Dataset
---@return number
function Model:score(data) end

---A fitted Gaussian process (`tuna.gp.fit`).
---@class tuna.GaussianProcess
---@field dimensions integer
---@field lengthscales number[] One per dimension, as fitted.
---@field signal_variance number
---@field noise_variance number
local GaussianProcess = {}

---The predicted mean and variance at a point.
---@param x number[]
---@return number mean
---@return number variance
function GaussianProcess:predict(x) end

---A kernel density estimate (`tuna.stats.kde`).
---@class tuna.KernelDensity
local KernelDensity = {}

---The log of the density at a point.
---@param x number[]
---@return number
function KernelDensity:log_pdf(x) end

---Points drawn from the density (one by default).
---@param rng tuna.Rng
---@param count? integer
---@return number[][]
function KernelDensity:sample(rng, count) end

---A parameter's distribution, as samplers see it. Its internal unit is the log of the value for log
---distributions and the index of the choice for categoricals.
---@class tuna.Distribution
---@field kind "float"|"int"|"categorical" What it gives: real numbers, integers or one of the choices.
---@field low number? The lowest value (float and int).
---@field high number? The highest value, included (float and int).
---@field log boolean? Whether values are drawn on a log scale (float and int).
---@field step number? The spacing of the values' grid (int always, float when given).
---@field choices (number|string|boolean)[]? The choices (categorical).
local Distribution = {}

---Draws a value with the trial's random stream.
---@param rng tuna.Rng
---@return number|string|boolean
function Distribution:sample(rng) end

---Whether the value is one the distribution can give.
---@param value any
---@return boolean
function Distribution:contains(value) end

---The value in the internal unit.
---@param value number|string|boolean
---@return number
function Distribution:to_internal(value) end

---The value at a point of the internal unit.
---@param x number
---@return number|string|boolean
function Distribution:from_internal(x) end

---Frozen trials ordered by number; `ctx:trials{ states = … }` calls it to filter.
---@class tuna.TrialList
---@field [integer] tuna.FrozenTrial
---@overload fun(owner: tuna.SamplingContext|tuna.Study, options?: { states?: ("running"|"complete"|"pruned"|"fail"|"waiting")[] }): tuna.TrialList
local TrialList = {}

---A trial as it was when read: a plain table, a copy.
---@class tuna.FrozenTrial
---@field number integer Its number in the study, from 0.
---@field state "running"|"complete"|"pruned"|"fail"|"waiting"
---@field value number? The objective's value (single-objective studies).
---@field values number[]? The objectives' values.
---@field params table<string, number|string|boolean> Parameter values by name.
---@field distributions table<string, tuna.Distribution> Parameter distributions by name.
---@field intermediate_values table<integer, number> Reported values by step.
---@field user_attrs table<string, any>
---@field system_attrs table<string, any> What samplers recorded ("auto:sampler": the sampler the automatic one ran; "cma:generation", …).
---@field datetime_start string? ISO 8601, UTC.
---@field datetime_complete string? ISO 8601, UTC.
---@field duration number? Seconds.
---@field fail_reason string?
local FrozenTrial = {}

---A sampler written in Lua: its hooks, and any state the script keeps in it.
---@class tuna.SamplerSpec
---@field name string? Its name (default "lua").
---@field seed integer? The seed of the trials' random streams (`ctx.rng`).
---@field sample_independent fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, name: string, dist: tuna.Distribution): number|string|boolean One parameter's value (required).
---@field infer_relative_search_space (fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext): table<string, tuna.Distribution>)? The parameters to sample jointly (with sample_relative).
---@field sample_relative (fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, space: table<string, tuna.Distribution>): table<string, number|string|boolean>)? Values for the joint space; those left out go to sample_independent.
---@field before_trial (fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, trial: tuna.FrozenTrial))?
---@field after_trial (fun(self: tuna.SamplerSpec, ctx: tuna.SamplingContext, trial: tuna.FrozenTrial))? Called with the trial as it is about to be stored.
local SamplerSpec = {}

---A pruner written in Lua: its prune function, and any state the script keeps in it.
---@class tuna.PrunerSpec
---@field name string? Its name (default "lua").
---@field prune fun(self: tuna.PrunerSpec, ctx: tuna.SamplingContext, trial: tuna.FrozenTrial): boolean? Whether to stop the running trial; `ctx` has no `rng` here.
local PrunerSpec = {}

---What training did: the metrics of the weights the network now holds, and each epoch's.
---@class tuna.FitResult
---@field train_loss number
---@field valid_loss number?
---@field valid_accuracy number? Classification with validation data.
---@field valid_r2 number? Regression with validation data.
---@field epochs integer Epochs run.
---@field stopped_early boolean By early stopping, or on_epoch returning "stop".
---@field history table<string, number>[] Each epoch's metrics (epoch, train_loss, lr, valid_…).
local FitResult = {}

---Cross-validation scores (higher is better).
---@class tuna.CVResult
---@field mean number
---@field std number
---@field scores number[] Each fold's score.
local CVResult = {}

---What a grid search found.
---@class tuna.GridSearchResult
---@field best_params table<string, number|string|boolean>
---@field best_score number The best configuration's mean score.
---@field best_estimator tuna.Model The best configuration refitted on all the data.
---@field study tuna.Study The study that ran the grid.
---@field results table<string, any>[] Each configuration: params, state, and mean_score, std_score, scores and rank (or a pruned one's scores).
local GridSearchResult = {}

---A pair of parameters and the share of variance they explain only together.
---@class tuna.Interaction
---@field [1] string One parameter.
---@field [2] string The other.
---@field [3] number The share of the objective's variance.
---@field std number Its spread over the forest's trees.
local Interaction = {}

return tuna
