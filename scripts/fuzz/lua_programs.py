"""Random Lua programs that exercise the whole `tuna` API with ordinary and hostile arguments.

A program is a list of statements plus the facts the driver (fuzz_tuna.py) needs to judge it:

  mode      "trial": the program is the objective of a one-trial study, so --trial-timeout
            bounds all of it and it may loop forever or allocate without end on purpose;
            "top": it runs in the main chunk, where no trial limit is armed. It never loops
            there; its loops sit in objectives, callbacks and Lua hooks, which the README
            says the trial limit cuts wherever they are reached from.
  sandbox   False for programs that use what --sandbox takes away (debug, io, os, __gc);
            the driver runs those without --sandbox.
  bounds    for "top" programs, per statement: None, or the time the README promises the
            statement ends within, as (seconds, number of trial limits). The program text
            calls MARK(k, true) / MARK(k, false) around such a statement so the driver can
            time it.

A program is a pure function of (seed, index): generate(seed, index) gives the same text on
every machine. Its chunk receives `T` (the running trial in "trial" mode, else nil), `DIR` (a
scratch directory holding FIXTURES and LINKS, granted with --allow-read/--allow-write), `MARK`
and `PROBE` (which reports that something the sandbox must refuse was allowed).
Objects made by earlier statements live in the tables S (studies), TR (trials), SM (samplers),
PR (pruners), D (datasets), M (models), X (anything else) and CO (coroutines), so later
statements can use them, often wrongly.
"""

import random

# The `tuna` functions the README documents. The driver adds any others it finds by walking
# the `tuna` table of the binary under test.
API_FUNCTIONS = [
    "tuna.create_study", "tuna.copy_study", "tuna.sampler", "tuna.pruner", "tuna.importance",
    "tuna.interactions", "tuna.report",
    "tuna.samplers.random", "tuna.samplers.grid", "tuna.samplers.qmc", "tuna.samplers.tpe",
    "tuna.samplers.gp", "tuna.samplers.cmaes", "tuna.samplers.ga", "tuna.samplers.nsga2", "tuna.samplers.auto",
    "tuna.pruners.nop", "tuna.pruners.median", "tuna.pruners.percentile",
    "tuna.pruners.successive_halving", "tuna.pruners.hyperband", "tuna.pruners.threshold",
    "tuna.pruners.patient", "tuna.pruners.wilcoxon",
    "tuna.data.load", "tuna.data.csv", "tuna.data.make_classification",
    "tuna.data.make_regression", "tuna.data.make_moons", "tuna.data.standardize",
    "tuna.nn.mlp", "tuna.nn.fit", "tuna.nn.load",
    "tuna.ml.random_forest", "tuna.ml.decision_tree", "tuna.ml.logistic_regression",
    "tuna.ml.linear_regression", "tuna.ml.load", "tuna.ml.cross_val_score", "tuna.ml.grid_search_cv",
    "tuna.gp.fit", "tuna.acquisition.log_ei", "tuna.qmc.sobol", "tuna.qmc.halton",
    "tuna.stats.kde",
]

# Methods and fields of the objects the API hands out (their metatables are protected, so
# they cannot be listed at run time). A few names that do not exist are mixed in.
METHODS = [
    "optimize", "trials", "enqueue_trial", "set_user_attr", "stop", "ask", "tell",
    "suggest_float", "suggest_int", "suggest_categorical", "report", "should_prune", "prune",
    "split", "kfold", "fit", "predict", "predict_proba", "score", "evaluate", "log_pdf", "sample",
    "sample_independent", "intersection_search_space", "uniform", "normal", "integer", "choice",
    "contains", "to_internal", "from_internal", "save", "close", "__gc",
]
FIELDS = [
    "name", "direction", "directions", "best_trial", "best_value", "best_params", "best_trials",
    "user_attrs", "number", "params", "distributions", "intermediate_values", "study",
    "n_samples", "n_features", "n_classes", "task", "feature_names", "class_names", "y",
    "trials", "rng", "trial_number", "study_name", "kind", "low", "high", "choices", "log",
    "step", "mean", "std", "scores", "best_score", "best_estimator", "results", "history",
    "valid_accuracy", "stopped_early", "parameter_count", "hidden", "activation", "dropout",
    "categories", "target_name", "targets",
]

# Files the driver writes into DIR before each run (latin-1 text).
FIXTURES = {
    "num.csv": "a,b,c,target\n" + "".join(f"{i % 7},{(i * 3) % 5}.5,{i % 2},{i % 3}\n"
                                         for i in range(60)),
    "reg.csv": "x,y,price\n" + "".join(f"{i},{i * i % 11},{i * 1.5}\n" for i in range(40)),
    "text.csv": "color,size,label\n" + "".join(f"{['red', 'blue', ''][i % 3]},{i},{'ab'[i % 2]}\n"
                                               for i in range(30)),
    "ragged.csv": "a,b,c\n1,2,3\n4,5\n6,7,8,9\n",
    "empty.csv": "",
    "header.csv": "a,b,target\n",
    "quotes.csv": 'a,"b,c",target\n"1,2",3,1\n"x""y",4,0\n"unterminated,5,1\n',
    "nan.csv": "a,b,target\nnan,inf,1\n-inf,1e400,0\n,,\n",
    "bom.csv": "\xef\xbb\xbfa,b,target\r\n1,2,0\r\n3,4,1\r\n",
    "wide.csv": ",".join(f"c{i}" for i in range(600)) + "\n"
                + (",".join("1" for _ in range(600)) + "\n") * 3,
    "corrupt.db": "SQLite format 3\0" + "\x01\xff" * 200,
    "notdb.db": "this is not a database\n" * 10,
    # For tuna.data.csv's options: another delimiter (and decimal commas inside quotes), no
    # header, missing cells of every spelling, a tab-separated file, and a text column whose
    # every row is a new category (one-hot: a square of features).
    "semi.csv": "a;b;color;target\n" + "".join(f'{i % 5};"{i % 3},5";{["red", "blue"][i % 2]};{i % 2}\n'
                                                for i in range(30)),
    "nohead.csv": "".join(f"{i % 4},{i * 0.5},{i % 2}\n" for i in range(30)),
    "missing.csv": "a,b,color,target\n" + "".join(
        ",".join([["1", "", "NA", "n/a", " null ", '"NaN"', "3"][i % 7], ["2", "N/A", "", "5"][i % 4],
                  ["red", "", "blue", "NA"][i % 4], str(i % 2)]) + "\n" for i in range(28)) + "4,4,red,\n",
    "tab.tsv": "a\tb\ttarget\n" + "".join(f"{i}\t{i % 3}\t{i % 2}\n" for i in range(20)),
    "cats.csv": "id,n,target\n" + "".join(f"k{i},{i % 10},{i % 2}\n" for i in range(2500)),
}
# Symbolic links the driver makes in DIR. All lead out of it, so the sandbox must refuse them:
# a directory, an existing file (the driver writes ../outside.csv), two dangling links, and the
# journal and write-ahead log of j.db (SQLite writes beside a database: a link planted under one
# of those names would carry the writes out).
LINKS = {"out": "..", "out.csv": "../outside.csv", "out.db": "../outside.db", "out.html": "../outside.html",
         "j.db-journal": "../j.db-journal", "j.db-wal": "../j.db-wal"}

# Lua expressions for paths outside DIR that have no ".." in them: the scratch directory that
# holds DIR (the driver lists it), and a file straight in /tmp named after that directory
# (ESCAPE_TMP: the driver looks for /tmp/<its name>-* after each run, and counts any as an escape).
PARENT = 'string.match(DIR, "^(.*)/[^/]*$")'
ESCAPE_TMP = "/tmp"
TMP_ESCAPE = f'"{ESCAPE_TMP}/" .. string.match(DIR, "([^/]+)/[^/]*$") .. "-escape'


def _url_escape(path):
    """A Lua expression: `path` (an expression) with its slashes percent-encoded, as in a URI."""
    return f'(string.gsub({path}, "/", "%%2F"))'


# Where tuna.copy_study must not write in the sandbox: up and out of DIR, absolute paths outside
# it, links out of it, SQLite URI filenames (a "file:" name with its slashes percent-encoded
# looks like a file in the working directory -- the driver runs in DIR -- but a SQLite that reads
# URIs opens the path it decodes to), and any database server. All but the URI names must be
# refused; a URI name may be taken as the plain file in DIR it spells, so for those only a file
# outside DIR (which the driver looks for) is an escape.
URI_ESCAPES = {"copy-uri", "copy-uri-abs"}
COPY_ESCAPES = [   # (name, which option, URL)
    ("copy-dotdot", "to", '"sqlite:" .. DIR .. "/../copy.db"'),
    ("copy-sub-dotdot", "to", '"sqlite:" .. DIR .. "/sub/../../copy.db"'),
    ("copy-slashes", "to", '"sqlite:///" .. DIR .. "/../copy.db"'),
    ("copy-abs", "to", f'"sqlite:" .. {PARENT} .. "/copy.db"'),
    ("copy-tmp", "to", f'"sqlite:" .. {TMP_ESCAPE}.db"'),
    ("copy-link", "to", '"sqlite:" .. DIR .. "/out.db"'),
    ("copy-dir-link", "to", '"sqlite:" .. DIR .. "/out/copy.db"'),
    ("copy-journal-link", "to", '"sqlite:" .. DIR .. "/j.db"'),
    ("copy-uri", "to", '"sqlite:file:..%2Furi.db"'),
    ("copy-uri-abs", "to", f'"sqlite:file:" .. {_url_escape(PARENT + " .. " + chr(34) + "/uri.db" + chr(34))}'),
    ("copy-postgres", "to", '"postgresql://127.0.0.1:1/x"'),
    ("copy-postgres-from", "from", '"postgresql://127.0.0.1:1/x"'),
    ("copy-from-dotdot", "from", '"sqlite:" .. DIR .. "/../from.db"'),
    ("copy-from-tmp", "from", f'"sqlite:" .. {TMP_ESCAPE}-from.db"'),
]
# Where model:save must not write, and what tuna.ml.load / tuna.nn.load must not read.
SAVE_ESCAPES = [
    ("save-dotdot", 'DIR .. "/../outside.tuna"'),
    ("save-sub-dotdot", 'DIR .. "/sub/../../outside.tuna"'),
    ("save-abs", f'{PARENT} .. "/outside.tuna"'),
    ("save-tmp", f'{TMP_ESCAPE}.tuna"'),
    ("save-link", 'DIR .. "/out.csv"'),
    ("save-dangling-link", 'DIR .. "/out.db"'),
    ("save-dir-link", 'DIR .. "/out/outside.tuna"'),
]
LOAD_ESCAPES = [
    ("load-link", 'DIR .. "/out.csv"'), ("load-dir-link", 'DIR .. "/out/outside.csv"'),
    ("load-dotdot", 'DIR .. "/sub/../../outside.csv"'), ("load-abs", f'{PARENT} .. "/outside.csv"'),
]
# Models fitted in a moment, to save.
FITTED_MODELS = [
    "local m = tuna.ml.linear_regression{} m:fit(tuna.data.make_regression{ n_samples = 20, n_features = 2, seed = 1 })",
    "local m = tuna.ml.decision_tree{ max_depth = 2 } m:fit(tuna.data.make_moons{ n_samples = 20, seed = 1 })",
    "local m = tuna.nn.mlp{ hidden = { 2 } } tuna.nn.fit(m, tuna.data.make_moons{ n_samples = 20, seed = 1 }, { epochs = 1 })",
]

# What must fail in the sandbox: each statement calls PROBE(name) when it does not. (A report
# written to the dangling out.html replaces the link with a file inside DIR, which is allowed;
# the driver's check for files outside DIR covers that path.)
SANDBOX_PROBES = [
    ("csv-link", 'if pcall(tuna.data.csv, DIR .. "/out.csv") then PROBE("csv-link") end'),
    ("csv-dir-link", 'if pcall(tuna.data.csv, DIR .. "/out/outside.csv") then PROBE("csv-dir-link") end'),
    ("csv-dotdot", 'if pcall(tuna.data.csv, DIR .. "/sub/../../outside.csv") then PROBE("csv-dotdot") end'),
    ("storage-link", 'if pcall(tuna.create_study, { storage = "sqlite:" .. DIR .. "/out.db" }) then PROBE("storage-link") end'),
    ("storage-dir-link", 'if pcall(tuna.create_study, { storage = "sqlite:" .. DIR .. "/out/o.db" }) then PROBE("storage-dir-link") end'),
    ("storage-dotdot", 'if pcall(tuna.create_study, { storage = "sqlite:" .. DIR .. "/../o.db" }) then PROBE("storage-dotdot") end'),
    ("report-dir-link", 'local s = tuna.create_study{} if pcall(tuna.report, s, DIR .. "/out/r.html") then PROBE("report-dir-link") end'),
    ("globals", 'if io or os or debug or package or dofile or loadfile then PROBE("globals") end'),
    ("gc", 'if pcall(setmetatable, {}, { __gc = print }) then PROBE("gc") end'),
    ("require", 'if pcall(require, "io") or pcall(require, "os") or pcall(require, "debug") then PROBE("require") end'),
    ("binary-load", 'if string.dump and load(string.dump(function() return 1 end)) then PROBE("binary-load") end'),
]
# The copy of a study with one trial, from memory (or from a refused storage) to a refused one. A
# refused database server must be refused before it is reached: a connection error means it was
# tried.
COPY_PROBES = [
    (name, f'local s = tuna.create_study{{}} s:tell(s:ask(), 1) '
           f'local ok, e = pcall(tuna.copy_study, {{ study = s.name, '
           f'{"to = " + url if side == "to" else "from = " + url + ", to = " + chr(34) + "memory" + chr(34) + ", as = s.name .. " + chr(34) + "-c" + chr(34)} }}) '
           f'if {"" if name in URI_ESCAPES else "ok or "}string.find(tostring(e), "PostgreSQL error", 1, true) then PROBE("{name}") end')
    for name, side, url in COPY_ESCAPES]
# A fitted model (a linear one, a tree, a network, in turn) saved out of DIR; a file out of DIR
# read as a model (the message about its first bytes shows that it was read).
MODEL_PROBES = [
    (name, f'{FITTED_MODELS[k % len(FITTED_MODELS)]} if pcall(m.save, m, {path}) then PROBE("{name}") end')
    for k, (name, path) in enumerate(SAVE_ESCAPES)]
MODEL_PROBES += [
    (f"{name}-{loader}", f'local ok, e = pcall(tuna.{loader}.load, {path}) '
                         f'if ok or string.find(tostring(e), "TUNAMODL", 1, true) then PROBE("{name}-{loader}") end')
    for name, path in LOAD_ESCAPES for loader in ("ml", "nn")]
PROBE_GROUPS = [list(SANDBOX_PROBES), COPY_PROBES, MODEL_PROBES]
SANDBOX_PROBES += COPY_PROBES + MODEL_PROBES

# Lua helpers; a program's header defines the ones its text uses.
HELPERS = {
    "deep": "function(n, leaf) local t = leaf or {} for _ = 1, n do t = { t } end return t end",
    "deepmap": "function(n) local t = 1 for i = 1, n do t = { k = t, [i % 3 + 1] = i } end return t end",
    "cycle": "function() local t = { 1, 2 } t[3] = t t.self = t t.sub = { up = t } return t end",
    "border": "function(n) local t = {} for i = 1, (n or 1) do t[i] = i end "
              "t[2^40] = 1 t[1 << 62] = 2 return t end",
    "holes": "function() return { 1, nil, 3, nil, nil, 6, [100] = 100, [-1] = 0, [0] = 0, [1.5] = 1 } end",
    "len": "function(v) return setmetatable({ 1, 2 }, { __len = function() return v end }) end",
    "meta": "function(mm, f) return setmetatable({ 1, 2, 3 }, { [mm] = f }) end",
    "range": "function(n, v) local t = {} for i = 1, n do t[i] = v or i end return t end",
    "matrix": "function(r, c, v) local m = {} for i = 1, r do local row = {} for j = 1, c do "
              "row[j] = v or ((i * 7 + j * 3) % 10) / 10 end m[i] = row end return m end",
    "mixed": "function() return { 1, 'a', true, {}, 0/0, print, coroutine.create(print), 2^63 } end",
    "grow": "function() local t = {} local s = 'x' for i = 1, 1e9 do s = s .. s t[i] = s end end",
    "spin": "function() local n = 0 while true do n = n + 1 end end",
    "rec": "function() local function r(n) return 1 + r(n + 1) end return r(1) end",
}

NAMES = ['"x"', '"y"', '"lr"', '"n"', '"c"', '"x"', '"y"']
HOSTILE_NAMES = [
    '""', '"\\0"', '"a\\0b"', 'string.rep("p", 10000)', '"\\xff\\xfe"', "1", "0/0", "true", "{}",
    "nil", "print", '"params"', '"__index"', '"x.y"', "\"'; DROP TABLE trials; --\"", '"%s%n"',
]
STATES = ['"complete"', '"pruned"', '"fail"', '"running"', '"waiting"', '"COMPLETE"', '""', "1",
          "{}", "nil"]
NUMBERS = [
    "0", "-0.0", "1", "-1", "0.5", "2", "3", "7", "100", "1e3", "1e9", "2^31", "2^53", "2^63",
    "-2^63", "2^64", "1e308", "-1e308", "5e-324", "1e-300", "math.maxinteger", "math.mininteger",
    "math.maxinteger - 1", "math.mininteger + 1", "0/0", "-(0/0)", "1/0", "-1/0", "math.pi",
    "-123456789", "2^40", "0x7fffffff", "0xffffffff", "-2^31", "1.5", "-0.5", "1e-9",
    "2^1023 * 1.999", "math.huge", "-math.huge", "65536", "1 << 62",
]
STRINGS = [
    '""', '"x"', '"minimize"', '"maximize"', '"\\0"', '"a\\0b"', '"\\xff\\xfe"', '"10"', '" 1e3 "',
    '"nan"', '"inf"', '"-1"', '"0x10"', '"complete"', '"sobol"', '"relu"', 'string.rep("a", 1000)',
    'string.rep("\\0", 5000)', 'string.rep("x", 1 << 20)', 'string.rep("\\u{10FFFF}", 3000)',
    '"%d%s%n"', '"../../../etc/passwd"', "DIR",
]
SMALL_TABLES = [
    "{}", "{ 1, 2, 3 }", "{ 0/0 }", "{ nil, 1 }", "{ [0] = 1 }", "{ [-1] = 1 }", "{ 1, nil, 3 }",
    "{ n = 2^53 }", "{ x = 1, y = 2 }", "{ {}, {} }", "{ 'a', 'b' }", "{ [1.5] = 1 }",
    "{ [true] = 1 }", "{ 1, 'a', true }",
]
METAMETHODS = ['"__index"', '"__len"', '"__tostring"', '"__eq"', '"__lt"', '"__le"', '"__call"',
               '"__newindex"', '"__concat"', '"__name"', '"__pairs"', '"__close"', '"__unm"',
               '"__metatable"', '"__mode"']
FUNCTIONS = [
    "function() end", "function() error('boom') end", "function() error({}) end",
    "function() error() end", "function() return 0/0 end", "function(...) return ... end",
    "function() return {} end", "function(a) return a end", "function() coroutine.yield(1) end",
    "function() error(setmetatable({}, { __tostring = function() error('tostring') end })) end",
    "function() return 2^40 end", "function(t, k) return rawget(t, k) end", "print",
]

# Catastrophic backtracking for the pattern matcher (Tuna's own, which a limit can stop).
SLOW_PATTERNS = [
    "string.find(string.rep('a', 40), string.rep('a?', 40) .. string.rep('a', 40))",
    "string.match(string.rep('a', 5000) .. 'b', string.rep('a*', 30) .. 'c')",
    "for _ in string.gmatch(string.rep('ab', 3000), '.-.-.-.-.-.-c') do end",
    "string.gsub(string.rep('x', 20000), '.-.-.-y', '')",
]

# Options each constructor knows, and sensible values for option keys (others get hostile
# values now and then).
SAMPLER_OPTIONS = {
    "random": ["seed"], "grid": ["search_space", "seed"], "qmc": ["seed", "type", "scramble"],
    "tpe": ["seed", "n_startup_trials", "n_ei_candidates", "multivariate", "group", "constant_liar"],
    "gp": ["seed", "n_startup_trials", "deterministic_objective", "output_warping"],
    "auto": ["seed", "model_trials"],
    "cmaes": ["seed", "sigma0", "popsize", "restart", "separable"],
    "ga": ["seed", "population_size", "mutation_prob", "crossover"],
    "nsga2": ["seed", "population_size"],
}
PRUNER_OPTIONS = {
    "nop": [], "median": ["n_startup_trials", "n_warmup_steps", "interval_steps", "n_min_trials"],
    "percentile": ["percentile", "n_startup_trials", "n_warmup_steps", "interval_steps",
                   "n_min_trials"],
    "successive_halving": ["min_resource", "reduction_factor", "min_early_stopping_rate",
                           "bootstrap_count"],
    "hyperband": ["min_resource", "max_resource", "reduction_factor"],
    "threshold": ["lower", "upper", "n_warmup_steps", "interval_steps"],
    "patient": ["wrapped", "patience", "min_delta"], "wilcoxon": ["p_threshold", "n_startup_steps"],
}
DATA_OPTIONS = {
    "make_classification": ["n_samples", "n_features", "n_informative", "n_classes", "seed"],
    "make_regression": ["n_samples", "n_features", "noise", "seed"],
    "make_moons": ["n_samples", "noise", "seed"],
}
ML_OPTIONS = {
    "random_forest": ["n_estimators", "max_depth", "min_samples_split", "min_samples_leaf",
                      "max_features", "bootstrap", "criterion", "seed"],
    "decision_tree": ["max_depth", "min_samples_split", "min_samples_leaf", "max_features",
                      "criterion", "seed"],
    "logistic_regression": ["c", "max_iter"],
    "linear_regression": ["l2"],
}
FIT_OPTIONS = ["valid", "epochs", "batch_size", "seed", "optimizer", "l1", "l2", "lr_schedule",
               "early_stopping", "on_epoch", "prune", "prune_monitor"]

SANE = {
    "name": ['"s"', '"s"', '"t"', '"quick start"'], "direction": ['"minimize"', '"maximize"', '"up"'],
    "load_if_exists": ["true", "false"], "heartbeat_interval": ["0.01", "1", "5"],
    "grace_period": ["0.05", "20"], "retry_failed": ["0", "1", "3"], "seed": ["0", "1", "42"],
    "deterministic": ["true", "false", "1", "2", "8", "0"],
    "deterministic_objective": ["true", "false"], "output_warping": ["true", "false", "nil"],
    "model_trials": ["0", "3", "250"],
    "n_startup_trials": ["0", "1", "2", "10"], "n_ei_candidates": ["1", "24", "0"],
    "multivariate": ["true", "false"], "group": ["true", "false"], "constant_liar": ["true", "false"],
    "type": ['"sobol"', '"halton"', '"x"'], "scramble": ["true", "false"],
    "sigma0": ["0.1", "1", "0"], "popsize": ["2", "4", "1", "0"], "restart": ['"ipop"', '"bipop"', "nil"],
    "separable": ["true", "false"], "population_size": ["2", "4", "50", "1", "0"],
    "mutation_prob": ["0.1", "1", "0", "2"],
    "crossover": ['"sbx"', '"uniform"', '"blxalpha"', '"spx"', '"undx"', '"vsbx"', '"x"'],
    "search_space": ["{ x = { 0, 0.5, 1 }, y = { 1, 2 } }", "{ x = {} }", "{ x = { 'a', 0/0 } }",
                     "{}", "{ x = { 0.5 } }", "{ c = { 'relu', 'tanh' }, x = { 0.25 } }"],
    "n_warmup_steps": ["0", "1", "2"], "interval_steps": ["1", "2", "0"], "n_min_trials": ["1", "0"],
    "percentile": ["25", "50", "0", "100", "101"], "min_resource": ["1", '"auto"', "0"],
    "max_resource": ["81", "9", "1"], "reduction_factor": ["3", "4", "2", "1"],
    "min_early_stopping_rate": ["0", "1"], "bootstrap_count": ["0", "1"], "lower": ["0", "nil"],
    "upper": ["1", "nil"], "patience": ["3", "0", "1"], "min_delta": ["0", "0.1"],
    "p_threshold": ["0.1", "0", "1"], "n_startup_steps": ["2", "0"],
    "wrapped": ["tuna.pruners.median{}", "PR[1]", "tuna.pruners.nop{}"],
    "n_samples": ["20", "50", "100", "3", "1", "0"], "n_features": ["2", "4", "5", "1", "0"],
    "n_informative": ["2", "3", "1", "0"], "n_classes": ["2", "3", "1"], "noise": ["0.1", "0"],
    "test_size": ["0.2", "0.5", "0", "1", "10"], "stratify": ["true", "false"],
    "shuffle": ["true", "false"], "k": ["2", "3", "5", "1", "0"],
    "hidden": ["{ 4 }", "{ 8, 8 }", "{}", "{ 0 }", "{ 1e9 }", "{ -1 }"],
    "activation": ['"relu"', '"tanh"', '"gelu"', '"leaky_relu"', '"sigmoid"', '"identity"', '"x"'],
    "dropout": ["0", "0.1", "1", "0.99"], "epochs": ["1", "2", "0", "3"],
    "batch_size": ["8", "64", "1", "0"],
    "optimizer": ['{ "adam", lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0 }',
                  '"sgd"', '{ "sgd", momentum = 0.9, nesterov = true }', '"adamw"',
                  '{ "rmsprop", alpha = 0.9 }', '"adagrad"', '{ "adam", lr = 0/0 }', '{ "bogus" }',
                  "{}", '{ "adam", lr = 1e308 }'],
    "l1": ["0", "1e-4"], "l2": ["0", "1e-4"],
    "lr_schedule": ['{ "cosine", warmup_epochs = 1 }', '"constant"',
                    '{ "step", step_size = 0, gamma = 0.5 }', '{ "exponential", gamma = 0/0 }',
                    '{ "cosine", min_lr = -1 }', '"nope"'],
    "early_stopping": ['{ patience = 1 }', '{ patience = 0, monitor = "valid_loss" }',
                       '{ monitor = "x" }'],
    "valid": ["D[2]", "D[1]"], "prune_monitor": ['"valid_loss"', '"valid_accuracy"', '"x"'],
    "n_estimators": ["1", "2", "5", "0"], "max_depth": ["1", "2", "5", "0", "nil"],
    "min_samples_split": ["2", "1", "0"], "min_samples_leaf": ["1", "0"],
    "max_features": ['"sqrt"', '"log2"', "1", "0.5", "0", '"x"'], "bootstrap": ["true", "false"],
    "criterion": ['"gini"', '"entropy"', '"mse"', '"x"'], "c": ["1", "0", "-1"],
    "max_iter": ["1", "10", "0"],
    "cv": ["2", "3", "1", "0"],
    "scoring": ['"accuracy"', '"f1"', '"roc_auc"', '"neg_log_loss"', '"r2"',
                '"neg_mean_squared_error"', '"neg_mean_absolute_error"', '"x"'],
    "report": ['"mean"', '"x"'], "params": ['{ "x" }', "{}", '{ "nope" }', "{ 1 }", '{ "x", "x" }'],
    "evaluator": ['"ped_anova"', '"fanova"', '"x"'],
    "target": ["1", "2", "0", "function(t) return t.value end", "function() error('t') end",
               "function(t) return t.values[1] + 0.1 * t.values[2] end"],
    "normalize": ["true", "false"], "top": ["1", "5", "0"], "states": ['{ "complete" }', "{}"],
    "skip": ["0", "1", "math.maxinteger", "2^53", "-1"], "x": ["{ { 0.5 } }"], "y": ["{ 1 }"],
    "mean": ["{ 0, 1 }", "{ 0/0 }", "{}"], "variance": ["{ 1, 1 }", "{ -1, 0 }", "{ 1 }"],
    "best": ["0", "0/0"], "low": ["{ 0 }", "{ 0, 0 }"], "high": ["{ 1 }", "{ 1, 1 }"],
    "log": ["true", "false"], "skip_if_exists": ["true", "false"],
}

# How often each kind of top-level statement is drawn (see the st_* methods).
STATEMENT_WEIGHTS = {
    "study": 12, "optimize": 14, "ask_tell": 9, "trial": 8, "study_read": 5, "enqueue": 4,
    "user_attr": 4, "sampler": 5, "delegate": 2, "pruner": 4, "data": 6, "nn": 3, "ml": 4,
    "results": 2, "blocks": 5, "analysis": 4, "generic": 6, "method": 4, "gc": 3, "coroutine": 4,
    "recursion": 2, "error": 3, "tamper": 1, "patterns": 1, "probe": 3, "loop": 0.6, "heavy": 0.5,
    "top_hook_loop": 0.3, "copy": 3, "persist": 4,
}


class Statement:
    """One top-level statement: its text, the kind of st_* method that made it, and its bound
    (None, or (seconds, trial limits) the README promises it ends within)."""

    def __init__(self, text, kind, bound=None):
        self.text, self.kind, self.bound = text, kind, bound


class Program:
    """A generated program; `statements` may be a reduced subset of what was generated."""

    def __init__(self, index, mode, sandbox, statements):
        self.index, self.mode, self.sandbox, self.statements = index, mode, sandbox, statements

    def with_statements(self, statements):
        """The same program with other statements (for reduction)."""
        return Program(self.index, self.mode, self.sandbox, list(statements))

    def bound_of(self, k, trial_timeout):
        """Seconds statement k must end within, or None."""
        b = self.statements[k].bound
        return None if b is None else b[0] + b[1] * trial_timeout

    def source(self):
        """The chunk's text: header, the helpers it uses, then the statements."""
        body = []
        for k, st in enumerate(self.statements):
            if st.bound is None:
                body.append(st.text)
            else:
                body.append(f"MARK({k + 1}, true)\n{st.text}\nMARK({k + 1}, false)")
        text = "\n".join(body)
        head = ["local T, DIR, MARK, PROBE = ...",
                "local S, TR, SM, PR, D, M, X, CO = {}, {}, {}, {}, {}, {}, {}, {}"]
        used = [h for h in sorted(HELPERS) if f"H.{h}(" in text]
        if used:
            head.append("local H = {}")
            head += [f"H.{h} = {HELPERS[h]}" for h in used]
        return "\n".join(head + [text]) + "\n"


def lua_string(s):
    """A double-quoted Lua string literal for plain text."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Gen:
    """Builds one program from its own random stream."""

    def __init__(self, seed, index, api=None):
        self.r = random.Random(f"tuna-fuzz/{seed}/{index}")
        self.index = index
        self.api = sorted(set(API_FUNCTIONS) | set(api or []))
        self.sandbox = self.r.random() < 0.8
        self.mode = "trial" if self.r.random() < 0.75 else "top"
        self.depth = 0      # nesting of generated function bodies
        self.bounded = 0    # > 0 while generating code that only runs inside a trial
        self.fresh = 0
        self.bound = None   # set by a st_* method that makes a bounded top-level statement

    # ---- drawing -------------------------------------------------------------------------
    def pick(self, *options):
        """One of `options`; a callable option is called only when it is the one picked."""
        o = self.r.choice(options)
        return o() if callable(o) else o

    def chance(self, p):
        return self.r.random() < p

    def var(self, prefix):
        self.fresh += 1
        return f"{prefix}{self.fresh}"

    def helper(self, name, args=""):
        return f"H.{name}({args})"

    def can_loop(self):
        """Whether code made now may run forever: only where a trial limit is sure to run."""
        return self.mode == "trial" or self.bounded > 0

    def in_main(self):
        """Whether code made now runs in the main chunk, outside any trial."""
        return not self.can_loop()

    # ---- values --------------------------------------------------------------------------
    def small_int(self):
        return str(self.r.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]))

    def number(self):
        return self.r.choice(NUMBERS)

    def string(self):
        return self.r.choice(STRINGS)

    def table(self):
        """A table literal or a helper call, often a hostile one."""
        k = self.r.randrange(16)
        makers = [
            lambda: self.helper("deep", self.pick("1000", "100", "5", "200000")),
            lambda: self.helper("deepmap", self.pick("300", "40")),
            lambda: self.helper("cycle"),
            lambda: self.helper("border", self.pick("1", "5", "0")),
            lambda: self.helper("holes"),
            lambda: self.helper("len", self.pick("2^40", "-1", "0/0", "'x'", "math.maxinteger",
                                                 "1e300", "nil", "2^31")),
            lambda: self.helper("meta", f"{self.r.choice(METAMETHODS)}, {self.function()}"),
            lambda: self.helper("range", self.pick("1e5", "1000", "3", "1e6")
                                + (", " + self.atom() if self.chance(0.4) else "")),
            lambda: self.helper("mixed"),
            lambda: self.helper("matrix", f"{self.pick('3', '10', '1', '0', '200')}, "
                                          f"{self.pick('2', '1', '0', '30')}"
                                + (", " + self.pick("0/0", "1/0", "'a'", "{}") if self.chance(0.3) else "")),
        ]
        if k < len(makers):
            return makers[k]()
        return self.r.choice(SMALL_TABLES)

    def function(self):
        """A function value; where a limit runs, now and then one that never returns."""
        if self.can_loop() and self.chance(0.05):
            return "function() while true do end end"
        return self.r.choice(FUNCTIONS)

    def atom(self):
        return self.pick(self.number, self.string, "nil", "true", "false")

    def value(self):
        """Any value, hostile ones included."""
        k = self.r.randrange(20)
        if k < 6:
            return self.number()
        if k < 9:
            return self.string()
        if k < 13:
            return self.table()
        if k < 15:
            return self.function()
        if k == 15:
            return self.pick("nil", "true", "false")
        if k == 16:
            return self.pick("T", "S[1]", "S[2]", "TR[1]", "SM[1]", "PR[1]", "D[1]", "M[1]", "X[1]",
                             "CO[1]")
        if k == 17:
            return self.pick("tuna", "tuna.samplers", "coroutine.running()", "coroutine.create(print)",
                             "_ENV", "string", "select('#')", "tuna.version", "arg")
        if k == 18:
            return self.pick("S", "TR", "D")
        return self.pick("(0/0)", "-1", "1e308")

    def sane_or_hostile(self, sane):
        """Usually one of the sensible values `sane`, sometimes a hostile one."""
        r = self.r.random()
        if r < 0.7:
            return self.r.choice(sane)
        if r < 0.85:
            return self.number()
        return self.value()

    def opts(self, keys, sane=None, p_none=0.1):
        """An options table with some of `keys` (or, now and then, no table at all)."""
        if self.chance(p_none):
            return self.pick("nil", "{}", self.value)
        sane = sane or {}
        parts = []
        for k in keys:
            if self.chance(0.45):
                parts.append(f"{k} = {self.sane_or_hostile(sane.get(k) or SANE.get(k) or ['1'])}")
        if self.chance(0.05):
            parts.append(self.pick("bogus = 1", "[1] = 2", "[true] = 1", "seed = nil", "['\\0'] = 1"))
        return "{ " + ", ".join(parts) + " }"

    def fields(self, keys, sane=None):
        """Option fields as text to splice into a table literal that has others ("" or ", ...")."""
        o = self.opts(keys, sane, p_none=0)
        inner = o[1:-1].strip()
        return ", " + inner if inner else ""

    # ---- references to objects made earlier ------------------------------------------------
    def study_ref(self):
        if self.mode == "trial" and self.chance(0.15):
            return "T.study"
        return self.pick("S[1]", "S[1]", "S[2]", "S[3]", "S[#S]")

    def trial_ref(self):
        if self.mode == "trial" and self.chance(0.4):
            return "T"
        return self.pick("TR[1]", "TR[2]", "TR[#TR]")

    def data_ref(self):
        return self.pick("D[1]", "D[2]", "D[#D]")

    # ---- samplers, pruners, studies ----------------------------------------------------------
    def sampler_expr(self):
        k = self.r.randrange(14)
        if k < 8:
            name = self.pick("random", "tpe", "gp", "cmaes", "ga", "nsga2", "qmc", "grid", "auto", "tpe")
            return f"tuna.samplers.{name}({self.opts(SAMPLER_OPTIONS[name])})"
        if k < 11:
            return self.lua_sampler()
        if k < 13:
            return self.pick("SM[1]", "SM[2]", "SM[#SM]")
        return self.value()

    def pruner_expr(self):
        k = self.r.randrange(12)
        if k < 7:
            name = self.r.choice(sorted(PRUNER_OPTIONS))
            sane = {}
            if name == "patient" and self.depth < 3 and self.chance(0.3):
                self.depth += 1
                sane = {"wrapped": [self.pruner_expr()]}
                self.depth -= 1
            return f"tuna.pruners.{name}({self.opts(PRUNER_OPTIONS[name], sane)})"
        if k < 10:
            return self.lua_pruner()
        if k < 11:
            return self.pick("PR[1]", "PR[#PR]")
        return self.value()

    def storage(self):
        """A storage URL: mostly files in DIR, some broken ones, and (in the sandbox) some
        that lead out of the granted directory and must be refused."""
        db = self.pick("a", "b", "a", "c")
        options = [
            f'"sqlite:" .. DIR .. "/{db}.db"', f'"sqlite:" .. DIR .. "/{db}.db"',
            f'"sqlite:///" .. DIR .. "/{db}.db"', f'"sqlite:////" .. DIR .. "/{db}.db"',
            '"sqlite:" .. DIR', '"sqlite:" .. DIR .. "/corrupt.db"', '"sqlite:" .. DIR .. "/notdb.db"',
            '"sqlite:" .. DIR .. "/num.csv"', '"sqlite:" .. DIR .. "/no/such/dir.db"',
            '"sqlite::memory:"', '"sqlite:"', '"postgresql://u@localhost/db"', '"mysql://x"', '""',
            '"sqlite:" .. DIR .. "/a.db?mode=ro"', '"sqlite:" .. DIR .. "/sub/s.db"',
            # SQLite URI filenames (file:...): the file they name is not the path they spell.
            '"sqlite:file:" .. DIR .. "/u.db"', '"sqlite:file:u.db?mode=memory"', '"sqlite:file:u.db"',
        ]
        if self.sandbox:
            options += ['"sqlite:" .. DIR .. "/../outside.db"', '"sqlite:" .. DIR .. "/out.db"',
                        '"sqlite:" .. DIR .. "/out/o.db"', '"sqlite:/proc/self/mem"',
                        '"sqlite:/dev/null"', self.value(), '"sqlite:" .. DIR .. "/j.db"',
                        '"sqlite:file:..%2Fstorage-uri.db"']
        return self.r.choice(options)

    def create_study_expr(self):
        if self.chance(0.05):
            return f"tuna.create_study({self.value()})"
        parts = []
        if self.chance(0.25):
            parts.append("directions = " + self.pick(
                '{ "minimize", "maximize" }', '{ "maximize" }', "{}",
                '{ "minimize", "minimize", "maximize" }', '{ "up" }', self.value))
        for key in ["name", "direction", "sampler", "pruner", "storage", "load_if_exists",
                    "heartbeat_interval", "grace_period", "retry_failed", "deterministic"]:
            if not self.chance(0.4):
                continue
            if key == "sampler":
                v = self.sampler_expr()
            elif key == "pruner":
                v = self.pruner_expr()
            elif key == "storage":
                v = self.storage()
            else:
                v = self.sane_or_hostile(SANE[key])
            parts.append(f"{key} = {v}")
        return "tuna.create_study{ " + ", ".join(parts) + " }"

    # ---- functions with bodies -------------------------------------------------------------
    def body(self, scope, n=None):
        """Statements for the body of a function (objective, hook, callback)."""
        self.depth += 1
        n = self.r.randrange(0, 4) if n is None else n
        lines = [self.statement(scope) for _ in range(n)]
        self.depth -= 1
        return "\n".join(lines)

    def objective(self):
        """An objective function: suggestions, other statements, a (sometimes wrong) result."""
        self.bounded += 1
        tr = self.var("tr")
        parts = [f"function({tr})"]
        parts += [self.suggest(tr) for _ in range(self.r.randrange(0, 4))]
        parts.append(self.body({"trial": tr}))
        parts.append("return " + self.sane_or_hostile([
            f"{tr}.number", f"({tr}.params.x or 0)", "1", "0.5", "-1", "{ 1, 2 }", "{ 0.5 }", "nil",
            f"#{tr}.params", f"({tr}.params.x or 1), 2"]))
        parts.append("end")
        self.bounded -= 1
        return "\n".join(parts)

    def lua_sampler(self):
        """tuna.sampler{...} with hooks whose bodies use ctx, dist and the rest of the API."""
        scope = {"ctx": "ctx", "dist": "dist"}
        ret = self.sane_or_hostile([
            "dist:sample(ctx.rng)", "dist.low", "dist.high", "dist:from_internal(0)",
            "dist.choices and dist.choices[1] or dist.low", "ctx.rng:uniform(dist.low, dist.high)",
            "(SM[1] or tuna.samplers.random{}):sample_independent(ctx, name, dist)",
            "tuna.samplers.tpe{}:sample_independent(ctx, name, dist)",
            "dist:from_internal(ctx.rng:uniform(0, 1))"])
        hooks = [f"sample_independent = function(self, ctx, name, dist)\n{self.body(scope)}\nreturn {ret} end"]
        if self.chance(0.5):
            hooks.append("infer_relative_search_space = function(self, ctx)\n" + self.body(scope)
                         + "\nreturn " + self.sane_or_hostile(["ctx:intersection_search_space()", "{}", "nil",
                                                              "{ x = tuna.samplers.random{} }"]) + " end")
        if self.chance(0.5):
            hooks.append("sample_relative = function(self, ctx, space)\n" + self.body(scope) + "\nreturn "
                         + self.sane_or_hostile(["{}", "{ x = 0.5 }", "nil", "{ x = 0/0 }", "{ nope = 1 }",
                                                 "{ x = 'a' }", "{ x = 1e308 }"]) + " end")
        for hook in ("before_trial", "after_trial"):
            if self.chance(0.35):
                hooks.append(f"{hook} = function(self, ctx, trial)\n{self.body(dict(scope, frozen='trial'))}\nend")
        if self.chance(0.4):
            hooks.append("name = " + self.sane_or_hostile(['"mine"', '""']))
        if self.chance(0.2):
            hooks.append(f"seed = {self.number()}")
        if self.chance(0.05):
            hooks.append(f"before_trial = {self.value()}")
        return "tuna.sampler{\n" + ",\n".join(hooks) + "\n}"

    def lua_pruner(self):
        """tuna.pruner{...} whose prune hook reads ctx and the frozen trial."""
        ret = self.sane_or_hostile(["false", "true", "nil", "trial.number % 2 == 0", "#ctx.trials > 2"])
        parts = [f"prune = function(self, ctx, trial)\n{self.body({'ctx': 'ctx', 'frozen': 'trial'})}\nreturn {ret} end"]
        if self.chance(0.3):
            parts.append("name = " + self.sane_or_hostile(['"p"']))
        return "tuna.pruner{\n" + ",\n".join(parts) + "\n}"

    def callback(self):
        self.bounded += 1
        text = f"function(st, ft)\n{self.body({'study': 'st', 'frozen': 'ft'})}\nend"
        self.bounded -= 1
        return text

    def epoch_hook(self):
        """An on_epoch function for tuna.nn.fit."""
        scope = {"trial": "T"} if self.mode == "trial" else {}
        ret = self.sane_or_hostile(["nil", '"stop"'])
        return f"function(epoch, m)\nlocal _ = m.train_loss, m.valid_loss, m.valid_accuracy, m.lr\n{self.body(scope)}\nreturn {ret} end"

    # ---- optimize ------------------------------------------------------------------------------
    def optimize_call(self, study):
        """study:optimize(objective, options). Outside any trial (in the main chunk of a "top"
        program) the options keep to small budgets, and a top-level statement gets the bound
        the README implies: every trial with its sampler hooks, and every callback after it,
        each within the trial limit."""
        top = self.in_main()
        parts = []
        n_trials, n_callbacks = None, 0
        if top:
            n_trials = self.r.choice([0, 1, 2, 3, 5])
            parts.append(f"n_trials = {n_trials}")
            parts.append("timeout = " + self.pick("0.5", "0.2", "1", "0"))
        else:
            if self.chance(0.9):
                parts.append("n_trials = " + self.sane_or_hostile(["0", "1", "2", "3", "5", "10"]))
            if self.chance(0.5):
                parts.append("timeout = " + self.sane_or_hostile(["0.5", "1", "0", "-1"]))
        if self.chance(0.6):
            parts.append("catch = " + self.sane_or_hostile(["true", "false", "true"]))
        if self.chance(0.4):
            cbs = [self.callback() for _ in range(self.r.randrange(1, 3))]
            if top:
                n_callbacks = len(cbs)
                parts.append("callbacks = { " + ", ".join(cbs) + " }")
            else:
                parts.append("callbacks = " + self.pick("{ " + ", ".join(cbs) + " }", cbs[0], self.value))
        if not top and self.chance(0.04):
            # Workers run the script again from the top; only inside a trial is that bounded.
            parts.append("workers = " + self.sane_or_hostile(["2", "1", "3", "0", "-1"]))
        if self.chance(0.25):
            parts.append("trial_timeout = " + (self.pick("0.1", "0.5", "1") if top else
                                               self.sane_or_hostile(["0.1", "0.5", "1", "0", "-1", "0/0"])))
        if self.chance(0.1):
            parts.append("show_progress = " + self.sane_or_hostile(["true", "false"]))
        if self.chance(0.2):
            parts.append("max_consecutive_failures = " + self.sane_or_hostile(
                ["1", "2", "3", "10", "1", "0", "-1", "1.5", "math.maxinteger"]))
        objective = self.objective()
        if top and self.depth == 0:
            self.bound = (1.0, n_trials * (2 + n_callbacks))
        return f"{study}:optimize({objective}, {{ " + ", ".join(parts) + " })"

    # ---- statements inside functions -------------------------------------------------------------
    def suggest(self, tr):
        """A suggest_* call on trial `tr`, with good, bad and absurd ranges and options."""
        k = self.r.randrange(10)
        name = self.r.choice(NAMES) if self.chance(0.85) else self.r.choice(HOSTILE_NAMES)
        if k < 4:
            low, high = self.pick(("0", "1"), ("-10", "10"), ("1e-5", "1"), ("0", "0"), ("1", "0"))
            if self.chance(0.3):
                low, high = self.number(), self.number()
            o = self.opts(["log", "step"], {"step": ["0.1", "0.5", "nil", "0", "-1"]}, p_none=0.5)
            return f"{tr}:suggest_float({name}, {low}, {high}, {o})"
        if k < 7:
            low, high = self.pick(("0", "10"), ("1", "100"), ("-5", "5"), ("3", "3"),
                                  ("math.mininteger", "math.maxinteger"), ("0", "math.maxinteger"),
                                  ("1", "2^53"))
            if self.chance(0.3):
                low, high = self.number(), self.number()
            o = self.opts(["log", "step"], {"step": ["1", "2", "3", "nil", "0"]}, p_none=0.5)
            return f"{tr}:suggest_int({name}, {low}, {high}, {o})"
        choices = self.pick('{ "relu", "tanh" }', "{ 1, 2, 3 }", "{ true, false }", '{ "a", 1, true }',
                            "{}", "{ 0/0 }", "{ {}, print }", "{ 'a', 'a' }", "{ nil, 'b' }",
                            "H.range(100000)", "{ 1.5, 2^63, -0.0 }", self.value)
        return f"{tr}:suggest_categorical({name}, {choices})"

    def trial_statement(self, tr):
        """Something done with trial `tr`: suggest, report, prune, attributes, nested studies."""
        k = self.r.randrange(12)
        if k < 3:
            return self.suggest(tr)
        if k == 3:
            return (f"{tr}:report({self.sane_or_hostile(['0.5', '1', tr + '.number'])}, "
                    f"{self.sane_or_hostile(['0', '1', '2', '3'])})")
        if k == 4:
            return f"if {tr}:should_prune() then {tr}:prune() end"
        if k == 5:
            return f"{tr}:prune()" if self.chance(0.3) else f"{tr}:should_prune()"
        if k == 6:
            key = self.sane_or_hostile(['"k"', '"note"'])
            return f"{tr}:set_user_attr({key}, {self.value()})"
        if k == 7:
            return (f"local _ = {{ {tr}.number, {tr}.params, {tr}.study, {tr}.distributions, "
                    f"{tr}.intermediate_values, {tr}.user_attrs }}")
        if k == 8:
            return self.optimize_call(f"{tr}.study") if self.depth < 3 else f"{tr}.study:stop()"
        if k == 9:
            return self.pick(f"{tr}.study:stop()", f"TR[#TR + 1] = {tr}.study:ask()",
                             f"{tr}.study:tell({tr}, 1)", f"{tr}.study:enqueue_trial({{ x = 0.5 }})",
                             f"{tr}.x = 1", f"{tr}.study.name = 'z'")
        if k == 10:
            return f"TR[#TR + 1] = {tr}"
        method = lua_string(self.r.choice(METHODS))
        return f"{tr}[{method}]({self.value()}, {self.value()})"

    def ctx_statement(self, scope):
        """Something done with a sampler's or pruner's ctx (and dist, in sampler hooks)."""
        ctx, dist = scope.get("ctx"), scope.get("dist")
        options = [
            f"local _ = {ctx}.trials, {ctx}.direction, {ctx}.directions, {ctx}.study_name, {ctx}.trial_number",
            f"local _ = {ctx}.best_trial", lambda: f"{ctx}:trials{{ states = {self.r.choice(STATES)} }}",
            f"{ctx}:intersection_search_space()", lambda: f"{ctx}.trials({self.value()})",
            f"local _ = {ctx}.trials[1], #{ctx}.trials",
            lambda: f"{ctx}.rng:uniform({self.number()}, {self.number()})",
            lambda: f"{ctx}.rng:normal({self.number()}, {self.number()})",
            lambda: f"{ctx}.rng:integer({self.number()}, {self.number()})",
            f"{ctx}.rng:integer(math.mininteger, math.maxinteger)",
            lambda: f"{ctx}.rng:choice({self.value()})", f"{ctx}.x = 1", f"X[#X + 1] = {ctx}",
            f"X[#X + 1] = {ctx}.rng",
            lambda: f"X[#X + 1] = tuna.stats.kde{{ x = {{ {{ 0.1 }}, {{ 0.5 }} }} }}:sample({ctx}.rng, "
                    f"{self.sane_or_hostile(['1', '10', '0'])})",
            f"for k, v in pairs({ctx}:intersection_search_space() or {{}}) do local _ = v.kind, v.low, v.high end",
        ]
        if dist:
            options += [
                lambda: f"{dist}:sample({self.pick(ctx + '.rng', 'X[1]', 'nil', ctx)})",
                lambda: f"{dist}:contains({self.value()})", lambda: f"{dist}:to_internal({self.value()})",
                lambda: f"{dist}:from_internal({self.number()})", lambda: f"{dist}.low = {self.number()}",
                f"X[#X + 1] = {dist}", lambda: f"{dist}.sample({self.value()}, {ctx}.rng)",
                f"local _ = {dist}.kind, {dist}.low, {dist}.high, {dist}.log, {dist}.step, {dist}.choices",
            ]
        return self.pick(*options)

    def statement(self, scope=None):
        """One statement inside a function body; `scope` names the trial/ctx/study in reach."""
        scope = scope or {}
        r = self.r.random()
        if scope.get("trial") and r < 0.45:
            return self.trial_statement(scope["trial"])
        if scope.get("ctx") and r < 0.4:
            return self.ctx_statement(scope)
        if scope.get("study") and r < 0.3:
            st = scope["study"]
            return self.pick(f"{st}:stop()", lambda: f"{st}:set_user_attr('cb', {self.value()})",
                             lambda: f"{st}:enqueue_trial({{ x = {self.number()} }})",
                             f"TR[#TR + 1] = {st}:ask()", f"local _ = {st}.best_value", f"{st}:trials()",
                             lambda: self.optimize_call(st) if self.depth < 3 else f"{st}:stop()")
        if scope.get("frozen") and r < 0.4:
            f = scope["frozen"]
            return self.pick(
                f"local _ = {f}.number, {f}.state, {f}.params, {f}.value, {f}.values, {f}.fail_reason",
                f"local _ = {f}.datetime_start, {f}.datetime_complete, {f}.duration, {f}.user_attrs",
                lambda: f"{f}.params.x = {self.value()}", f"X[#X + 1] = {f}",
                f"for k, v in pairs({f}.intermediate_values or {{}}) do local _ = k + v end")
        if self.depth >= 3:
            return self.pick("local _ = 1", "collectgarbage('step')", "error('deep')")
        text, _ = self.top_statement()
        return text

    # ---- top-level statements ----------------------------------------------------------------------
    def top_statement(self):
        """(text, kind) of one statement drawn by STATEMENT_WEIGHTS."""
        kinds = list(STATEMENT_WEIGHTS)
        kind = self.r.choices(kinds, weights=[STATEMENT_WEIGHTS[k] for k in kinds])[0]
        return getattr(self, "st_" + kind)(), kind

    def st_study(self):
        return f"S[#S + 1] = {self.create_study_expr()}"

    def st_optimize(self):
        return self.optimize_call(self.study_ref())

    def st_ask_tell(self):
        st = self.study_ref()
        k = self.r.randrange(7)
        if k < 2:
            return f"TR[#TR + 1] = {st}:ask({self.pick('', '', '{}', self.value)})"
        if k < 4:
            value = self.sane_or_hostile(["1", "0.5", "{ 1, 2 }", "nil", "0/0", "{}"])
            state = self.pick("", "", lambda: f", {self.r.choice(STATES)}")
            return f"{st}:tell({self.trial_ref()}, {value}{state})"
        if k == 4:
            return (f"local t = {st}:ask() {self.suggest('t')} "
                    f"{st}:tell(t, {self.sane_or_hostile(['1', 't.params.x'])})")
        if k == 5:
            return f"local t = {st}:ask() t:report(1, 0) {st}:tell(t, nil, \"pruned\") {st}:tell(t, 1)"
        return (f"for i = 1, {self.pick('3', '5')} do local t = {st}:ask() {self.suggest('t')} "
                f"{st}:tell(t, i) end")

    def st_trial(self):
        return self.trial_statement(self.trial_ref())

    def st_study_read(self):
        st = self.study_ref()
        field = self.pick("best_trial", "best_value", "best_params", "best_trials", "user_attrs", "name",
                          "direction", "directions", "nope", "trials")
        states = self.opts(["states"], {"states": ['{ "complete" }', '{ "fail", "pruned" }', "{}",
                                                  '{ "bogus" }', '{ "waiting", "running" }']})
        return self.pick(
            f"local _ = {st}.{field}", f"X[#X + 1] = {st}:trials({states})",
            f"for _, ft in ipairs({st}:trials()) do local _ = ft.params, ft.value, ft.fail_reason, ft.duration end",
            lambda: f"{st}.{field} = {self.value()}", lambda: f"local _ = {st} == {self.study_ref()}",
            lambda: f"local _ = tostring({st}) .. tostring({self.trial_ref()})")

    def st_enqueue(self):
        params = self.pick("{ x = 0.5 }", "{ x = 2, y = 3 }", "{ x = 'a' }", "{ x = 0/0 }", "{ x = {} }",
                           "{ x = 1e308, lr = -1 }", "{}", "{ [1] = 2 }", "{ x = print }", self.value)
        o = self.opts(["skip_if_exists", "user_attrs"], {"user_attrs": ["{ a = 1 }"]})
        return f"{self.study_ref()}:enqueue_trial({params}, {o})"

    def st_user_attr(self):
        target = self.pick(self.study_ref, self.trial_ref)
        key = self.sane_or_hostile(['"k"', '"a"', '""'])
        return f"{target}:set_user_attr({key}, {self.value()})"

    def st_sampler(self):
        return f"SM[#SM + 1] = {self.sampler_expr()}"

    def st_delegate(self):
        return self.pick(
            lambda: f"X[#X + 1] = (SM[1] or tuna.samplers.tpe{{}}):sample_independent({self.value()}, "
                    f"{self.string()}, {self.value()})",
            "local _ = (SM[1] or {}).name", "X[#X + 1] = SM[1] and SM[1]:sample_independent(X[1], 'x', X[2])")

    def st_pruner(self):
        return f"PR[#PR + 1] = {self.pruner_expr()}"

    def st_data(self):
        k = self.r.randrange(8)
        if k == 0:
            name = self.pick('"iris"', '"wine"', '"breast_cancer"', '"digits"', '"diabetes"', '"nope"', '""',
                             self.value)
            return f"D[#D + 1] = tuna.data.load({name})"
        if k == 1:
            return f"D[#D + 1] = {self.csv_call()}"
        if k < 5:
            fn = self.pick("make_classification", "make_regression", "make_moons")
            return f"D[#D + 1] = tuna.data.{fn}({self.opts(DATA_OPTIONS[fn])})"
        if k == 5:
            return (f"D[#D + 1], D[#D + 2] = {self.data_ref()}:split("
                    f"{self.opts(['test_size', 'stratify', 'seed'])})")
        if k == 6:
            return (f"for i, a, b in {self.data_ref()}:kfold({self.opts(['k', 'stratify', 'shuffle', 'seed'])}) do "
                    f"D[#D + 1] = a {self.pick('', 'break', 'error(i)', 'collectgarbage()')} end")
        return self.pick(
            lambda: f"D[#D + 1], D[#D + 2] = tuna.data.standardize({self.pick('D[1]', self.value)}, "
                    f"{self.pick('D[2]', 'D[1]', self.value)})",
            "local d = D[1] local _ = d.n_samples, d.n_features, d.n_classes, d.task, d.feature_names, d.class_names, d.y",
            "local d = D[#D] for i = 1, #d.y do local _ = d.y[i] end",
            lambda: f"D[1].y = {self.value()}")

    def csv_path(self):
        """A CSV path: fixtures, missing files, directories, devices, and links out of DIR."""
        paths = [f'DIR .. "/{n}"' for n in FIXTURES] + ['DIR .. "/missing.csv"', "DIR",
                                                       '"/etc/passwd"', '"/proc/self/maps"']
        if self.sandbox:
            paths += ['DIR .. "/out.csv"', 'DIR .. "/out/outside.csv"', 'DIR .. "/../outside.csv"']
        if self.sandbox or self.can_loop():
            paths.append('"/dev/zero"')   # endless: refused in the sandbox, else cut by the limits
        return self.pick(*paths, self.value)

    CSV_SANE = {
        "target": ['"target"', '"price"', '"label"', '"a"', '"nope"', "1", '"color"', '"column_3"',
                   '"column_1"', '""'],
        "task": ['"regression"', '"classification"', '"x"'],
        "delimiter": ['","', '";"', '"\\t"', '"|"', '","', '";"', '";;"', '""', '"\\""', '"\\n"', '"\\r"',
                      '"\\0"', '"\\xff"', '"\\u{e9}"', '" "', '"a"', '"1"', "1"],
        "header": ["true", "false", "true", '"no"'],
        "columns": ['{ "a", "b" }', '{ "b" }', '{ "color" }', '{ "column_1", "column_2" }', '{ "a" }', "{}",
                    '{ "nope" }', '{ "a", "a" }', '{ "target" }', '{ "a", "nope" }', "{ 1, 2 }", '"a"',
                    '{ "a", nil, "b" }', '{ x = "a" }', "{ {} }", '{ "" }', 'H.range(5000, "a")',
                    '{ "a\\0" }', "H.range(3)"],
        "missing": ['"error"', '"mean"', '"median"', '"most_frequent"', '"mean"', '"median"', '"MEAN"',
                    '"drop"', '""', '"most frequent"'],
        "categorical": ['"onehot"', '"ordinal"', '"onehot"', '"ordinal"', '"label"', '""', '"ONEHOT"'],
    }

    def csv_opts(self):
        return self.opts(["target", "task", "delimiter", "header", "columns", "missing", "categorical"],
                         self.CSV_SANE)

    def csv_call(self):
        """tuna.data.csv on any path with any options, or on a fixture with the options it needs
        (and some others)."""
        if self.chance(0.5):
            return f"tuna.data.csv({self.csv_path()}, {self.csv_opts()})"
        name, need = self.r.choice([
            ("semi.csv", 'delimiter = ";"'), ("tab.tsv", 'delimiter = "\\t"'), ("nohead.csv", "header = false"),
            ("nohead.csv", 'header = false, target = "column_1", columns = { "column_2", "column_3" }'),
            ("missing.csv", lambda: f"missing = {self.r.choice(self.CSV_SANE['missing'][:4])}"),
            ("missing.csv", lambda: f"missing = {self.r.choice(self.CSV_SANE['missing'][:4])}, "
                                    f"categorical = {self.r.choice(self.CSV_SANE['categorical'][:2])}"),
            ("text.csv", lambda: f"categorical = {self.r.choice(self.CSV_SANE['categorical'][:2])}, missing = \"most_frequent\""),
            ("cats.csv", 'categorical = "onehot"'), ("cats.csv", 'categorical = "ordinal", columns = { "id" }'),
            ("num.csv", 'columns = { "c", "a" }, target = "b", task = "regression"'),
            ("semi.csv", 'delimiter = ";", columns = { "color" }, categorical = "onehot"'),
        ])
        need = need() if callable(need) else need
        extra = self.fields(["target", "task", "header", "columns", "missing", "categorical"], self.CSV_SANE) \
            if self.chance(0.3) else ""
        return f'tuna.data.csv(DIR .. "/{name}", {{ {need}{extra} }})'

    def st_nn(self):
        k = self.r.randrange(5)
        if k == 0:
            return f"M[#M + 1] = tuna.nn.mlp({self.opts(['hidden', 'activation', 'dropout'])})"
        if k < 3:
            sane = {"on_epoch": [self.epoch_hook()], "prune": [self.trial_ref()]}
            net = self.pick("M[1]", "M[#M]", "tuna.nn.mlp{ hidden = { 4 } }", self.value)
            return f"X[#X + 1] = tuna.nn.fit({net}, {self.pick(self.data_ref, self.value)}, {self.opts(FIT_OPTIONS, sane)})"
        method = self.pick("predict", "evaluate", "predict_proba", "fit", "score")
        return f"X[#X + 1] = {self.pick('M[1]', 'M[#M]')}:{method}({self.pick('D[1]', 'D[2]', self.value)})"

    def st_ml(self):
        k = self.r.randrange(6)
        kind = self.r.choice(sorted(ML_OPTIONS))
        if k < 2:
            return f"M[#M + 1] = tuna.ml.{kind}({self.opts(ML_OPTIONS[kind])})"
        if k < 4:
            method = self.pick("fit", "predict", "predict_proba", "score", "fit")
            return f"X[#X + 1] = {self.pick('M[1]', 'M[#M]', 'M[2]')}:{method}({self.pick(self.data_ref, self.value)})"
        if k == 4:
            factory = self.pick(lambda: f"function() return tuna.ml.{kind}({self.opts(ML_OPTIONS[kind])}) end",
                                "function() return M[1] end", "function() error('f') end", self.value)
            o = self.opts(["cv", "scoring", "seed", "stratify", "shuffle", "trial", "report"],
                          {"trial": [self.trial_ref()]})
            return f"X[#X + 1] = tuna.ml.cross_val_score({factory}, {self.pick(self.data_ref, self.value)}, {o})"
        grid = self.pick("{ max_depth = { 1, 2 } }", "{ n_estimators = { 1, 2 }, max_depth = { 2 } }", "{}",
                         "{ c = { 0.1, 1 } }", "{ max_depth = {} }", "{ nope = { 1 } }", "{ l2 = { 0, 0/0 } }",
                         self.value)
        extra = self.fields(["cv", "scoring", "seed", "shuffle", "pruner"], {"pruner": [self.pruner_expr()]})
        estimator = self.sane_or_hostile([lua_string(kind)])
        return (f"X[#X + 1] = tuna.ml.grid_search_cv{{ estimator = {estimator}, "
                f"data = {self.pick(self.data_ref, self.value)}, param_grid = {grid}{extra} }}")

    def st_results(self):
        """Reads what cross-validation, grid search and training returned."""
        r = self.pick("X[#X]", "X[1]", "X[2]")
        return self.pick(
            f"local r = {r} local _ = r.mean, r.std, r.scores, r.best_params, r.best_score, r.results",
            f"local r = {r} X[#X + 1] = r.best_estimator:score({self.data_ref()})",
            f"local r = {r} X[#X + 1] = r.best_estimator:predict({self.data_ref()})",
            f"local r = {r} S[#S + 1] = r.study",
            f"local r = {r} local _ = r.valid_accuracy, r.valid_loss, r.train_loss, r.epochs, r.history, r.stopped_early",
            f"local r = {r} for i, h in ipairs(r.history or {{}}) do local _ = h.train_loss end")

    # ---- copying studies ------------------------------------------------------------------
    def copy_url(self):
        """Where tuna.copy_study reads or writes: memory, files in DIR, broken URLs, and (in the
        sandbox) places out of DIR, which must be refused."""
        escapes = [url for _, _, url in COPY_ESCAPES] if self.sandbox else ['"sqlite:" .. DIR .. "/c.db"']
        return self.pick('"memory"', '"memory"', '"sqlite:" .. DIR .. "/c.db"', '"sqlite:" .. DIR .. "/c.db"',
                         '"sqlite:" .. DIR .. "/sub/c.db"', '"sqlite:///" .. DIR .. "/c.db"', self.storage,
                         lambda: self.r.choice(escapes))

    def filled_study(self, var):
        """Statements that make study `var` (local) with trials of every state: complete with
        intermediate values and attributes, pruned, failed, waiting (enqueued) and running; or
        one or two objectives; or many trials, where a trial limit runs."""
        directions = self.pick("", "", 'directions = { "minimize", "maximize" }, ')
        value = "{ i, -i }" if directions else "i"
        n = self.pick("1", "3", "5") if not self.can_loop() or self.chance(0.7) else self.pick("300", "2000")
        parts = [f"local {var} = tuna.create_study{{ {directions}sampler = tuna.samplers.random{{ seed = 1 }} }}",
                 f"for i = 1, {n} do local t = {var}:ask() t:suggest_float('x', 0, 1, {{ log = false }}) "
                 f"t:suggest_int('n', 1, 9) t:suggest_categorical('c', {{ 'a', 1, true }}) t:report(i / 2, i) "
                 f"{var}:tell(t, {value}) end"]
        if self.chance(0.5):
            parts += [f"{var}:set_user_attr('k', {self.value()})",
                      f"do local t = {var}:ask() t:set_user_attr('note', {self.value()}) {var}:tell(t, nil, 'pruned') end",
                      f"do local t = {var}:ask() {var}:tell(t, nil, 'fail') end",
                      f"{var}:enqueue_trial({{ x = 0.5, n = 2 }}, {{ user_attrs = {{ a = 1 }} }})",
                      f"TR[#TR + 1] = {var}:ask()"]
        return " ".join(parts)

    def study_name(self):
        """The name of a study at hand, mostly; sometimes one that is not, or not a string."""
        if self.chance(0.15):
            return self.r.choice(HOSTILE_NAMES)
        st = self.study_ref()
        return self.pick(f"{st}.name", f"{st}.name", f"({st} or {{}}).name", '"s"', '"quick start"',
                         lambda: f"{self.study_ref()}.name .. '-copy'")

    def st_copy(self):
        """tuna.copy_study between memory, SQLite files and refused places; the copy opened
        again, tuned further and copied back."""
        k = self.r.randrange(8)
        if k < 2:
            keys = []
            if self.chance(0.95):
                keys.append(f"study = {self.study_name()}")
            if self.chance(0.6):
                keys.append(f"from = {self.copy_url()}")
            if self.chance(0.95):
                keys.append(f"to = {self.copy_url()}")
            if self.chance(0.5):
                keys.append("as = " + self.sane_or_hostile([self.study_name(), '"copy"', '"s"']))
            if self.chance(0.05):
                keys.append(self.pick("bogus = 1", "[1] = 2", "study = nil", "to = nil"))
            return f"X[#X + 1] = tuna.copy_study{{ {', '.join(keys)} }}"
        if k == 2:
            # From memory to a file, opened again there, tuned further, copied back.
            url = self.pick('"sqlite:" .. DIR .. "/c.db"', '"sqlite:" .. DIR .. "/sub/c.db"', self.copy_url)
            as_ = self.pick("nil", "s.name .. '-copy'", '"copy"', lambda: self.study_name())
            more = self.optimize_call("S[#S]") if self.chance(0.5) else \
                "local t = S[#S]:ask() S[#S]:tell(t, t:suggest_float('x', 0, 1))"
            return (f"{self.filled_study('s')} local url, as = {url}, {as_} "
                    f"X[#X + 1] = tuna.copy_study{{ study = s.name, to = url, as = as }} "
                    f"S[#S + 1] = tuna.create_study{{ name = as or s.name, storage = url, load_if_exists = true }} "
                    f"{more} "
                    f"X[#X + 1] = tuna.copy_study{{ study = as or s.name, from = url, to = {self.copy_url()}, "
                    f"as = (as or s.name) .. '-back' }}")
        if k == 3:
            # A study whose trial is running: the harness's, or one tuned in an objective.
            if self.mode == "trial" and self.chance(0.5):
                return f"X[#X + 1] = tuna.copy_study{{ study = T.study.name, to = {self.copy_url()}, as = T.study.name .. '-' .. T.number }}"
            self.bounded += 1
            cb = (f"function(st, ft) X[#X + 1] = tuna.copy_study{{ study = st.name, to = {self.copy_url()}, "
                  f"as = st.name .. '-' .. ft.number }} end")
            self.bounded -= 1
            return (f"{self.study_ref()}:optimize(function(t) t:suggest_float('x', 0, 1) "
                    f"X[#X + 1] = tuna.copy_study{{ study = t.study.name, to = {self.copy_url()}, as = t.study.name .. '-' .. t.number }} "
                    f"return 1 end, {{ n_trials = {self.pick('1', '2')}, callbacks = {{ {cb} }} }})")
        if k == 4:
            # Onto itself: the same storage and name is refused, another name is a copy.
            url = self.pick('"memory"', '"sqlite:" .. DIR .. "/c.db"')
            as_ = self.pick("", ", as = s.name .. '-1'", ", as = s.name .. '-2'", ", as = s.name")
            return (f"{self.filled_study('s')} tuna.copy_study{{ study = s.name, to = {url}, as = s.name .. '-1' }} "
                    f"X[#X + 1] = tuna.copy_study{{ study = s.name .. '-1', from = {url}, to = {url}{as_} }}")
        if k == 5:
            # Twice to the same place: the second finds the name taken.
            url = self.copy_url()
            as_ = self.pick("", ", as = 'twice'")
            return (f"{self.filled_study('s')} for i = 1, 2 do X[#X + 1] = tuna.copy_study{{ study = s.name, "
                    f"to = {url}{as_} }} end")
        if k == 6:
            return f"X[#X + 1] = tuna.copy_study({self.pick('nil', '{}', self.value, self.table)})"
        # Whatever study is at hand, to a file, then read through the copy.
        as_ = self.pick("nil", "st.name", "'c'")
        return (f"local st = {self.study_ref()} local url = {self.copy_url()} "
                f"X[#X + 1] = tuna.copy_study{{ study = st.name, to = url, as = {as_} }} "
                f"local c = tuna.create_study{{ name = st.name, storage = url, load_if_exists = true }} "
                f"X[#X + 1] = c:trials() local _ = c.best_trial")

    # ---- saving and loading models --------------------------------------------------------------
    ML_DATA = {
        "classification": ["tuna.data.make_classification{ n_samples = 40, n_features = 4, seed = 1 }",
                           "tuna.data.make_moons{ n_samples = 30, seed = 2 }", 'tuna.data.load("iris")'],
        "regression": ["tuna.data.make_regression{ n_samples = 30, n_features = 3, seed = 1 }",
                       'tuna.data.load("diabetes")'],
    }

    def fit_data(self, task):
        """A dataset for a model of `task`, mostly; sometimes of the other task, or any value."""
        r = self.r.random()
        if r < 0.7:
            return self.r.choice(self.ML_DATA[task])
        if r < 0.85:
            return self.r.choice(self.ML_DATA["regression" if task == "classification" else "classification"])
        return self.pick(self.data_ref, self.value)

    def fitted(self, var, kind=None):
        """(statements that make a fitted model `var` (local), its dataset `d`), kind of model."""
        kind = kind or self.r.choice(sorted(ML_OPTIONS) + ["mlp"])
        task = "regression" if kind == "linear_regression" else self.pick("classification", "classification", "regression")
        if kind == "logistic_regression":
            task = "classification"
        data = self.fit_data(task)
        # Settings that work, mostly; any (where a limit runs: they may ask for much work) now and then.
        hostile = self.can_loop() and self.chance(0.4)
        if kind == "mlp":
            o = self.opts(["hidden", "activation", "dropout"], {"hidden": ["{ 4 }", "{ 3, 2 }", "4"]}) if hostile else \
                self.pick("{ hidden = { 4 } }", "{ hidden = { 3, 2 }, activation = 'tanh' }", "{}", "nil",
                          "{ hidden = 2, dropout = 0.1 }")
            fit = self.opts(["epochs", "batch_size", "seed", "optimizer", "lr_schedule"], {"epochs": ["1", "2"]}) \
                if hostile else self.pick("{ epochs = 1 }", "{ epochs = 2, batch_size = 8 }", "nil", "{ epochs = 1, seed = 3 }")
            return f"local d = {data} local {var} = tuna.nn.mlp({o}) X[#X + 1] = tuna.nn.fit({var}, d, {fit})", kind
        sane = {"random_forest": ["{ n_estimators = 3, max_depth = 3 }", "{ n_estimators = 2, criterion = 'entropy', seed = 4 }"],
                "decision_tree": ["{ max_depth = 3 }", "{ max_features = 'sqrt', seed = 2 }"],
                "logistic_regression": ["{ c = 0.5, max_iter = 50 }"], "linear_regression": ["{ l2 = 0.1 }"]}
        o = self.opts(ML_OPTIONS[kind]) if hostile else self.pick("{}", "nil", *sane[kind])
        fit = self.pick(f"{var}:fit(d)", f"{var} = {var}:fit(d)")
        return f"local d = {data} local {var} = tuna.ml.{kind}({o}) {fit}", kind

    def model_path(self):
        """Where a model is saved: files in DIR mostly; directories, missing directories, names
        with a NUL or too long; and in the sandbox, places out of DIR. (No device files: an
        atomic save outside the sandbox would replace one.)"""
        name = self.pick("m", "m", "n", "model")
        paths = [f'DIR .. "/{name}.tuna"'] * 6 + [
            'DIR .. "/sub/m.tuna"', 'DIR .. "/no/such/m.tuna"', "DIR", 'DIR .. "/sub"', '""', 'DIR .. "/"',
            'DIR .. "/num.csv"', 'DIR .. "/a.db"', 'DIR .. "/m.tuna\\0.x"', 'DIR .. "/sub/..\\0/../nul.tuna"',
            '"m.tuna"', 'DIR .. "/" .. string.rep("m", 300)', 'DIR .. "/sub/../m.tuna"']
        if self.sandbox:
            paths += [path for _, path in SAVE_ESCAPES]
        return self.pick(*paths, self.value)

    def load_path(self):
        """What is loaded as a model: saved models, files Tuna wrote that are not models (study
        databases, reports), the fixtures, directories; in the sandbox, files out of DIR."""
        paths = ['DIR .. "/m.tuna"', 'DIR .. "/n.tuna"', 'DIR .. "/model.tuna"', 'DIR .. "/a.db"',
                 'DIR .. "/c.db"', 'DIR .. "/r.html"', 'DIR .. "/big.html"', 'DIR .. "/num.csv"',
                 'DIR .. "/empty.csv"', 'DIR .. "/corrupt.db"', 'DIR .. "/notdb.db"', "DIR",
                 'DIR .. "/missing.tuna"', '""', '"/proc/self/maps"', '"m.tuna"']
        if self.sandbox:
            paths += [path for _, path in LOAD_ESCAPES] + ['"/dev/zero"', '"/etc/passwd"']
        return self.pick(*paths, self.value)

    MODEL_MUTATIONS = [
        # Cut short anywhere.
        "s:sub(1, 0)", "s:sub(1, 7)", "s:sub(1, 8)", "s:sub(1, 15)", "s:sub(1, 16)", "s:sub(1, 40)",
        "s:sub(1, #s // 2)", "s:sub(1, #s - 1)", "s:sub(1, #s - 9)", "s .. 'garbage'",
        # The version and the header's length.
        "s:sub(1, 8) .. string.pack('<I4', 2) .. s:sub(13)", "s:sub(1, 8) .. string.pack('<I4', 0xffffffff) .. s:sub(13)",
        "s:sub(1, 8) .. string.pack('<I4', 0) .. s:sub(13)",
        "s:sub(1, 12) .. string.pack('<I4', 0) .. s:sub(17)", "s:sub(1, 12) .. string.pack('<I4', 0xffffffff) .. s:sub(17)",
        "s:sub(1, 12) .. string.pack('<I4', #s) .. s:sub(17)", "s:sub(1, 12) .. string.pack('<I4', 1) .. s:sub(17)",
        # A byte of the header or of the numbers changed.
        "s:sub(1, 20) .. '!' .. s:sub(22)", "s:sub(1, #s // 2) .. '\\255\\255\\255\\127' .. s:sub(#s // 2 + 5)",
        "s:sub(1, #s - 4) .. '\\0\\0\\192\\127'",
    ]
    HEADER_VALUES = ["-1", "0", "1", "2", "3", "99999999", "2147483648", "4611686018427387904",
                     "9223372036854775807", "-9223372036854775808", "1e308", "0.5", "-0.0"]
    HEADER_TEXTS = [('"kind":"[%w_]+"', ['"kind":"mlp"', '"kind":"decision_tree"', '"kind":"random_forest"',
                                        '"kind":"linear_regression"', '"kind":"logistic_regression"', '"kind":""']),
                    ('"type":"f%d%d"', ['"type":"f32"', '"type":"f64"', '"type":"i32"', '"type":"u8"']),
                    ('"task":"%a+"', ['"task":"regression"', '"task":"classification"', '"task":"x"']),
                    ('"activation":"[%a_]+"', ['"activation":"relu"', '"activation":"x"'])]

    HEADER_KEYS = ["count", "count", "nFeatures", "nClasses", "nodes", "depths", "leaves", "layerSizes",
                   "hidden", "classes", "maxDepth", "minSamplesLeaf", "minSamplesSplit", "maxIterations",
                   "iterations", "version", "nEstimators"]

    def mutation(self):
        """Lua statements that change the model file's bytes `s`: cut it, change its version or
        header length, a byte, a number of its JSON header (its length kept right: a named
        field's first number, or the k-th number), or a name."""
        r = self.r.random()
        if r < 0.35:
            return "s = " + self.r.choice(self.MODEL_MUTATIONS)
        v = self.r.choice(self.HEADER_VALUES)
        if r < 0.7:
            key = self.r.choice(self.HEADER_KEYS)
            edit = f"h = h:gsub('\"{key}\":(%[?)%-?%d+', '\"{key}\":%1{v}', {self.pick('1', '9')})"
        elif r < 0.9:
            k = self.r.randrange(1, 40)
            edit = f"local n = 0 h = h:gsub('%-?%d+%.?%d*', function(x) n = n + 1 if n == {k} then return '{v}' end end)"
        else:
            pattern, values = self.r.choice(self.HEADER_TEXTS)
            edit = f"h = h:gsub('{pattern}', '{self.r.choice(values)}', 1)"
        return ("local hl = string.unpack('<I4', s, 13) local h = s:sub(17, 16 + hl) "
                f"{edit} s = s:sub(1, 12) .. string.pack('<I4', #h) .. h .. string.rep('\\0', (8 - (16 + #h) % 8) % 8) "
                ".. s:sub(17 + hl + (8 - (16 + hl) % 8) % 8)")

    def st_persist(self):
        """model:save / net:save and tuna.ml.load / tuna.nn.load: round trips, saving before
        fit, the wrong loader, files that are not models (and, outside the sandbox, model
        files cut short or changed with io), hostile paths."""
        # Outside the sandbox, a third are model files changed with io (the last case).
        k = 8 if not self.sandbox and self.chance(0.3) else self.r.randrange(9)
        use = self.pick("predict", "predict_proba", "score", "evaluate", "predict", "predict_proba")
        if k < 3:
            fit, kind = self.fitted("m", "mlp" if k == 2 else None)
            loader = "nn" if kind == "mlp" else "ml"
            path = self.pick('DIR .. "/m.tuna"', 'DIR .. "/model.tuna"', 'DIR .. "/sub/m.tuna"', self.model_path)
            after = ""
            if kind == "mlp" and self.chance(0.3):
                o = self.pick("{ epochs = 1 }", "nil", "{ epochs = 1, optimizer = 'adam' }")
                after = f" X[#X + 1] = tuna.nn.fit(M[#M], d, {o})"
            return (f"{fit} local p = {path} m:save(p) M[#M + 1] = tuna.{loader}.load(p) "
                    f"X[#X + 1] = M[#M]:{use}({self.pick('d', 'd', self.data_ref, lambda: self.fit_data('classification'))})"
                    f"{after}")
        if k == 3:
            # Saved before it was fitted (or after a fit that failed).
            kind = self.r.choice(sorted(ML_OPTIONS))
            return self.pick(
                lambda: f"tuna.ml.{kind}{{}}:save({self.model_path()})",
                lambda: f"tuna.nn.mlp{{}}:save({self.model_path()})",
                lambda: f"(M[1] or tuna.nn.mlp{{}}):save({self.model_path()})",
                lambda: f"local n = tuna.nn.mlp{{}} pcall(tuna.nn.fit, n, {self.fit_data('classification')}, {{ epochs = 0 }}) n:save({self.model_path()})",
                lambda: f"local m = tuna.ml.{kind}{{}} pcall(m.fit, m, {self.value()}) m:save({self.model_path()})")
        if k == 4:
            # Probabilities from a network: a classifier, a regressor, one fitted on other features.
            fit, _ = self.fitted("n", "mlp")
            other = self.pick("d", "d", lambda: self.fit_data("classification"), self.data_ref, self.value)
            return self.pick(f"{fit} X[#X + 1] = n:predict_proba({other})",
                             lambda: f"X[#X + 1] = {self.pick('M[1]', 'M[#M]')}:predict_proba({self.pick(self.data_ref, self.value)})",
                             f"X[#X + 1] = tuna.nn.mlp{{}}:predict_proba({self.fit_data('classification')})")
        if k == 5:
            # The wrong loader.
            fit, kind = self.fitted("m")
            loader = "ml" if kind == "mlp" else "nn"
            return f"{fit} m:save(DIR .. '/w.tuna') M[#M + 1] = tuna.{loader}.load(DIR .. '/w.tuna')"
        if k == 6:
            loader = self.pick("ml", "nn")
            return f"M[#M + 1] = tuna.{loader}.load({self.load_path()}) X[#X + 1] = M[#M]:{use}({self.fit_data('classification')})"
        if k == 7:
            fit, _ = self.fitted("m")
            return self.pick(f"{fit} m:save({self.model_path()})",
                             lambda: f"{fit} m.save({self.value()}, {self.model_path()})",
                             lambda: f"{fit} m:save({self.model_path()}, {self.value()})",
                             lambda: f"{self.pick('M[1]', 'M[#M]', 'X[1]', 'D[1]')}:save({self.model_path()})",
                             lambda: f"tuna.{self.pick('ml', 'nn')}.load({self.value()}, {self.value()})")
        if self.sandbox:
            return f"M[#M + 1] = tuna.{self.pick('ml', 'nn')}.load({self.load_path()})"
        # Outside the sandbox, io changes a saved model's bytes before it is loaded again.
        fit, kind = self.fitted("m")
        loader = "nn" if kind == "mlp" else "ml"
        return (f"{fit} local p = DIR .. '/x.tuna' m:save(p) "
                "local f = io.open(p, 'rb') local s = f:read('a') f:close() "
                f"{self.mutation()} "
                "f = io.open(p, 'wb') f:write(s) f:close() "
                f"M[#M + 1] = tuna.{self.pick(loader, loader, loader, 'ml', 'nn')}.load(p) "
                f"X[#X + 1] = M[#M]:{use}(d)")

    def st_blocks(self):
        """Building blocks for Lua strategies: GP, acquisition, QMC, KDE."""
        k = self.r.randrange(7)
        if k == 0:
            xs = self.pick(lambda: self.helper("matrix", self.pick("5, 2", "3, 1", "1, 1", "0, 0", "20, 3",
                                                                   "300, 5", "2000, 2")),
                           "{ { 0.1 }, { 0.5 }, { 0.9 } }", "{ {}, {} }", "{ { 0/0 }, { 1 } }",
                           "{ { 1, 2 }, { 3 } }", self.value)
            ys = self.pick(lambda: self.helper("range", self.pick("5", "3", "1", "0", "20", "300", "2000")),
                           "{ 1, 2, 3 }", "{ 0/0, 1, 2 }", "{ 1 }", self.value)
            extra = self.fields(["low", "high", "seed"]) if self.chance(0.4) else ""
            return f"X[#X + 1] = tuna.gp.fit{{ x = {xs}, y = {ys}{extra} }}"
        if k == 1:
            pt = self.pick("{ 0.5 }", "{ 0.5, 0.5 }", "{}", "{ 0/0 }", "{ { 0.5 } }", self.value)
            return f"local mean, var = {self.pick('X[1]', 'X[#X]')}:predict({pt}) X[#X + 1] = mean"
        if k == 2:
            return f"X[#X + 1] = tuna.acquisition.log_ei({self.opts(['mean', 'variance', 'best'], p_none=0.05)})"
        if k == 3:
            fn = self.pick("sobol", "halton")
            d = self.sane_or_hostile(["1", "2", "5", "21201", "21202", "0", "1000"])
            n = self.sane_or_hostile(["0", "1", "8", "100", "1e6", "1e5"])
            return f"X[#X + 1] = tuna.qmc.{fn}({d}, {n}, {self.opts(['seed', 'scramble', 'skip'], p_none=0.4)})"
        if k == 4:
            o = self.opts(["x", "low", "high"],
                          {"x": ["{ { 0.1 }, { 0.5 } }", "{ { 0.5, 0.5 } }", "{}", "{ { 0/0 } }"]}, p_none=0.05)
            return f"X[#X + 1] = tuna.stats.kde({o})"
        if k == 5:
            return f"X[#X + 1] = {self.pick('X[1]', 'X[#X]')}:log_pdf({self.pick('{ 0.5 }', '{ { 0.5 } }', self.value)})"
        return (f"X[#X + 1] = {self.pick('X[1]', 'X[#X]')}:sample({self.value()}, "
                f"{self.sane_or_hostile(['1', '10', '0'])})")

    def st_analysis(self):
        """Importance, interactions and the report, on whatever study is at hand."""
        st = self.study_ref()
        k = self.r.randrange(4)
        if k == 0:
            keys = ["evaluator", "params", "target", "direction", "seed", "normalize"]
            return f"X[#X + 1] = tuna.importance({st}, {self.opts(keys)})"
        if k == 1:
            keys = ["evaluator", "top", "params", "target", "direction", "seed"]
            return f"X[#X + 1] = tuna.interactions({st}, {self.opts(keys)})"
        if k == 2:
            paths = ['DIR .. "/r.html"', 'DIR .. "/r.html"', "DIR", 'DIR .. "/no/such/r.html"', '""',
                     'DIR .. "/sub/r.html"']
            if self.sandbox:
                paths += ['DIR .. "/../escape.html"', 'DIR .. "/out/escape.html"', 'DIR .. "/out.html"', '"/dev/full"']
            return f"tuna.report({st}, {self.pick(*paths, self.value)})"
        # A study with enough trials for the analysis to chew on.
        directions = self.pick("nil", '{ "minimize", "maximize" }')
        value = self.pick("x + y", "{ x, y }", "0/0", "x * 0", "i % 2 == 0 and x or 0/0")
        return (f"do local s = tuna.create_study{{ sampler = tuna.samplers.random{{ seed = {self.small_int()} }}, "
                f"directions = {directions} }} "
                f"for i = 1, {self.pick('3', '12', '30')} do local t = s:ask() local x = t:suggest_float('x', 0, 1) "
                f"local y = t:suggest_int('y', 1, 5) local c = t:suggest_categorical('c', {{ 'a', 'b' }}) "
                f"pcall(s.tell, s, t, {value}) end S[#S + 1] = s end")

    def st_generic(self):
        """Any API function with 0-3 arbitrary arguments."""
        fn = self.r.choice(self.api)
        args = ", ".join(self.value() for _ in range(self.r.randrange(0, 4)))
        return f"X[#X + 1] = {fn}({args})"

    def st_method(self):
        """Any method or field on any object, with arbitrary arguments."""
        obj = self.pick("S[1]", "TR[1]", "SM[1]", "PR[1]", "D[1]", "M[1]", "X[1]", "X[#X]", "T")
        m = self.r.choice(METHODS + FIELDS)
        args = ", ".join(self.value() for _ in range(self.r.randrange(0, 3)))
        return self.pick(f"X[#X + 1] = {obj}:{m}({args})",
                         lambda: f"X[#X + 1] = {obj}.{m}({self.value()}{', ' + args if args else ''})",
                         f"X[#X + 1] = {obj}.{m}")

    def st_gc(self):
        return self.pick("collectgarbage()", "S[1] = nil collectgarbage() collectgarbage()",
                         "TR = {} collectgarbage()", "collectgarbage('step', 1000)",
                         "X = {} SM = {} collectgarbage()", "collectgarbage('generational')",
                         "collectgarbage('incremental')", "local _ = collectgarbage('count')",
                         "S = setmetatable({}, { __mode = 'v' }) collectgarbage()",
                         "D = {} M = {} collectgarbage() collectgarbage()")

    def st_coroutine(self):
        """API calls inside coroutines: yields across optimize, abandoned and closed coroutines."""
        self.depth += 1
        inner = self.top_statement()[0] if self.depth < 3 else "coroutine.yield()"
        body = self.pick(
            inner, lambda: f"coroutine.yield({self.value()}) {inner}",
            lambda: f"{self.study_ref()}:optimize(function(t) coroutine.yield(t) return 1 end, {{ n_trials = 2 }})",
            lambda: f"TR[#TR + 1] = {self.study_ref()}:ask() coroutine.yield() {self.study_ref()}:tell(TR[#TR], 1)")
        self.depth -= 1
        return self.pick(
            f"CO[#CO + 1] = coroutine.create(function(...) {body} end) coroutine.resume(CO[#CO])",
            f"local w = coroutine.wrap(function() {body} end) w() w()",
            lambda: f"for _, co in ipairs(CO) do coroutine.resume(co, {self.value()}) end",
            "for _, co in ipairs(CO) do coroutine.close(co) end",
            lambda: f"local co = coroutine.create({self.pick('tuna.create_study', 'tuna.samplers.tpe', 'coroutine.yield')}) "
                    f"coroutine.resume(co, {self.value()})",
            lambda: f"CO[#CO + 1] = coroutine.wrap({self.pick('tuna.create_study', 'tuna.data.make_moons')}) CO[#CO]({{}})")

    def st_recursion(self):
        """Re-entry: optimize from its own objective, samplers asking studies, deep C calls."""
        st = self.study_ref()
        options = [
            "local function r(n) return tostring(setmetatable({}, { __tostring = function() return r(n + 1) end })) end r(1)",
            "local t = setmetatable({}, {}) getmetatable(t).__index = t local _ = t.x",
            "local function r() return pcall(r) end r()",
            f"string.gsub(string.rep('a', 100), 'a', function() {st}:trials() end)",
            f"table.sort({{ 3, 1, 2, 5, 4 }}, function(a, b) {st}:ask() return a < b end)",
            f"local t = setmetatable({{}}, {{ __index = function(t, k) return {st}[k] end }}) local _ = t.best_trial",
            (f"local s = tuna.create_study{{ sampler = tuna.sampler{{ sample_independent = function(self, ctx, n, d) "
             f"local t = S[#S]:ask() t:suggest_float('x', 0, 1) return 0.5 end }} }} S[#S + 1] = s "
             f"local t = s:ask() t:suggest_float('x', 0, 1)"),
        ]
        if self.can_loop():
            # Each level is a trial inside the previous one: only the outer trial's limit ends it.
            options += [
                f"local function r(t) {st}:optimize(r, {{ n_trials = 1, catch = {self.pick('true', 'false')} }}) return 1 end r()",
                "local f f = function(t) local s = tuna.create_study{} s:optimize(f, { n_trials = 1 }) return 0 end f()",
            ]
        return self.r.choice(options)

    def st_error(self):
        v = self.pick("{}", "nil", "0/0", "S[1]", "T", "coroutine.running()", "print",
                      "setmetatable({}, { __tostring = function() error('x') end })",
                      "setmetatable({}, { __tostring = function() return {} end })",
                      "setmetatable({}, { __index = function() error('i') end })",
                      "string.rep('e', 1 << 20)", "'\\0'", "setmetatable({}, { __name = 12 })")
        return self.pick(f"error({v}, {self.pick('0', '1', '2', '100')})", f"error({v})",
                         f"local ok, e = pcall(error, {v}) error(e)", f"assert(false, {v})")

    def st_tamper(self):
        """Changes to shared tables (the harness puts them back after each program)."""
        return self.pick("tuna.samplers.random = nil", "tuna.create_study = print", "tuna.x = tuna",
                         "tuna.data = nil", "string.rep = nil", "getmetatable('').__index = nil",
                         "math.huge = 0", "tuna.pruners = setmetatable({}, { __index = function() error('no') end })",
                         "require('tuna').version = {}", "collectgarbage('stop')", "setmetatable(_ENV, nil)",
                         lambda: f"tuna.sampler = {self.value()}", "warn('@on') warn('x', 'y')",
                         "warn('@off')", "X[#X + 1] = load(string.dump(function() return 1 end))",
                         "X[#X + 1] = load('\\27Lua\\x54\\0garbage')", "X[#X + 1] = require('io')",
                         "X[#X + 1] = require('tuna') == tuna")

    def st_probe(self):
        """Something the sandbox must refuse (see SANDBOX_PROBES); outside it, a plain read."""
        if not self.sandbox:
            return self.st_study_read()
        return self.r.choice(self.r.choice(PROBE_GROUPS))[1]

    def st_patterns(self):
        """The pattern functions, Tuna's own matcher; slow patterns only where a limit runs."""
        if self.can_loop() and self.chance(0.5):
            return self.r.choice(SLOW_PATTERNS)
        return self.pick("string.find('abc', '[a-')", "string.match('x', '%')", "string.gsub('abc', '(', '')",
                         "string.find(string.rep('a', 100), '%f[%w]%w+')", "string.gsub('hello', '()', '%1')",
                         "string.match('key = value', '(%w+)%s*=%s*(%w+)')", "string.rep('(', 300):find(string.rep('(', 300))",
                         "string.find('a', string.rep('(', 40) .. 'a' .. string.rep(')', 40))",
                         "string.gsub('abc', '%w', { a = 1, b = true })", "string.format('%q', 1/0)")

    def st_loop(self):
        """Work that never ends; only the trial limit or the memory limit stops it."""
        if not self.can_loop():
            return "local _ = 0"
        return self.pick(
            "while true do end", "repeat local _ = {} until false", "for i = 1, math.maxinteger do end",
            "local t = {} for i = 1, math.maxinteger do t[i] = i end",
            "local s = 'x' while true do s = s .. s end", "local t = {} while true do t[#t + 1] = {} end",
            "string.rep('x', 1 << 40)", "string.rep('x', 60 * 1024 * 1024)",
            "local t = {} t[1 << 28] = 1 for i = 1, 1 << 28 do t[i] = 1 end",
            "H.spin()", "H.grow()", "H.rec()",
            "while true do pcall(error, 'x') end", "local ok = pcall(function() while true do end end) while true do end",
            lambda: f"while true do {self.study_ref()}:trials() end", "while true do local _ = tuna.create_study{} end",
            "local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end",
            "table.concat(H.range(1e7), ',')", "local t = {} for i = 1, 1e7 do t[i] = tostring(i) end table.sort(t)",
            lambda: self.r.choice(SLOW_PATTERNS))

    def st_heavy(self):
        """Native work large enough that only the limits stop it."""
        if not self.can_loop():
            return "local _ = 0"
        return self.pick(
            "X[1] = tuna.data.make_classification{ n_samples = 2000000, n_features = 40 }",
            "X[1] = tuna.data.make_classification{ n_samples = 200000, n_features = 50 }",
            "local d = tuna.data.make_classification{ n_samples = 20000, n_features = 20 } tuna.ml.random_forest{ n_estimators = 500 }:fit(d)",
            "local d = tuna.data.make_regression{ n_samples = 20000, n_features = 20 } tuna.nn.fit(tuna.nn.mlp{ hidden = { 256, 256 } }, d, { epochs = 1000 })",
            "X[1] = tuna.qmc.sobol(1000, 1000000)", "X[1] = tuna.qmc.halton(2000, 100000)",
            "X[1] = tuna.gp.fit{ x = H.matrix(3000, 4), y = H.range(3000) }",
            "X[1] = tuna.gp.fit{ x = H.matrix(800, 2), y = H.range(800) }",
            "local k = tuna.stats.kde{ x = H.matrix(20000, 5) } for i = 1, 1e6 do k:log_pdf({ 0.5, 0.5, 0.5, 0.5, 0.5 }) end",
            "X[1] = tuna.acquisition.log_ei{ mean = H.range(5e6), variance = H.range(5e6), best = 0 }",
            "local s = tuna.create_study{} s:optimize(function(t) return t:suggest_float('x', 0, 1) end, { n_trials = 1e9 })",
            "local s = tuna.create_study{ sampler = tuna.samplers.gp{ n_startup_trials = 1 } } s:optimize(function(t) return t:suggest_float('x', 0, 1) + t:suggest_float('y', 0, 1) end, { n_trials = 500 })",
            "local s = tuna.create_study{} for i = 1, 3000 do local t = s:ask() s:tell(t, t:suggest_float('x', 0, 1)) end tuna.importance(s, { evaluator = 'fanova' }) tuna.interactions(s)",
            "local ds = tuna.data.make_classification{ n_samples = 3000, n_features = 30, seed = 1 } tuna.ml.grid_search_cv{ estimator = 'random_forest', data = ds, param_grid = { n_estimators = { 100, 200, 300 }, max_depth = { 5, 10, 20 } } }",
            "local ds = tuna.data.load('digits') tuna.ml.cross_val_score(function() return tuna.ml.random_forest{ n_estimators = 300 } end, ds, { cv = 10 })",
            "local s = tuna.create_study{ sampler = tuna.samplers.cmaes{} } s:optimize(function(t) local v = 0 for i = 1, 50 do v = v + t:suggest_float('p' .. i, 0, 1) end return v end, { n_trials = 1e6 })",
            "local s = tuna.create_study{} for i = 1, 2000 do local t = s:ask() s:tell(t, t:suggest_float('x', 0, 1)) end tuna.report(s, DIR .. '/big.html')",
        )

    def st_top_hook_loop(self):
        """A hook or callback that never returns, reached from the main chunk (no trial running).
        The README says the trial limit cuts it there too (code of the main chunk itself between
        ask and tell is not a trial's and has no limit); the statement is bounded by one limit."""
        if not self.in_main():
            return self.st_loop()
        spin = "while true do end"
        if self.depth == 0:
            self.bound = (1.0, 1)
        return self.pick(
            f"local s = tuna.create_study{{ sampler = tuna.sampler{{ sample_independent = function() {spin} end }} }} "
            "local t = s:ask() t:suggest_float('x', 0, 1)",
            f"local s = tuna.create_study{{ sampler = tuna.sampler{{ sample_independent = function() return 0 end, "
            f"before_trial = function() {spin} end }} }} s:ask()",
            f"local s = tuna.create_study{{ pruner = tuna.pruner{{ prune = function() {spin} end }} }} "
            "local t = s:ask() t:report(1, 0) t:should_prune()",
            f"local s = tuna.create_study{{}} s:optimize(function() return 1 end, {{ n_trials = 1, callbacks = {{ function() {spin} end }} }})",
            f"local s = tuna.create_study{{}} s:optimize(function() {spin} end, {{ n_trials = 1 }})",
            f"local s = tuna.create_study{{ sampler = tuna.sampler{{ sample_independent = function() return 0.5 end, "
            f"after_trial = function() {spin} end }} }} local t = s:ask() t:suggest_float('x', 0, 1) s:tell(t, 1)",
            f"local s = tuna.create_study{{ sampler = tuna.sampler{{ sample_independent = function() return 0.5 end, "
            f"infer_relative_search_space = function() {spin} end }} }} s:optimize(function(t) return t:suggest_float('x', 0, 1) end, {{ n_trials = 2 }})",
            f"local s = tuna.create_study{{ sampler = tuna.sampler{{ sample_independent = function() "
            f"{self.pick(SLOW_PATTERNS[0], spin)} end }} }} local t = s:ask() t:suggest_float('x', 0, 1)")

    def st_unsafe(self):
        """What only a script outside the sandbox can do: debug, io, os, __gc."""
        obj = self.pick("S[1]", "TR[1]", "SM[1]", "PR[1]", "D[1]", "M[1]", "X[1]")
        other = self.pick("S[1]", "TR[1]", "SM[1]", "D[1]", "M[1]", "{}", "1", "X[1]")
        mm = self.pick("__gc", "__index", "__newindex", "__tostring", "__eq", "__close")
        gc_body = self.pick("tuna.create_study{}", "S[1]:ask()", "error('gc')", "collectgarbage()",
                            "X[#X + 1] = tuna.data.make_moons{}",
                            "S[1]:optimize(function() return 1 end, { n_trials = 1 })",
                            "error(setmetatable({}, { __tostring = function() error('t') end }))")
        api_fn = self.r.choice(self.api[:8])
        options = [
            lambda: f"local mt = debug.getmetatable({obj}) if mt and mt.{mm} then pcall(mt.{mm}, {other}, {self.value()}, {self.value()}) end",
            f"local mt = debug.getmetatable({obj}) if mt and mt.__gc then mt.__gc({obj}) mt.__gc({obj}) end local _ = {obj}.name",
            lambda: f"debug.setmetatable({obj}, {self.pick('nil', '{}', '{ __index = function() return 1 end }')})",
            lambda: f"debug.setuservalue({obj}, {self.value()}, 1)",
            "local n = 0 debug.sethook(function() n = n + 1 if n == 50 then debug.sethook() error('hook') end end, '', 1)",
            "debug.sethook()", "debug.sethook(function() end, 'c')",
            f"setmetatable({{}}, {{ __gc = function() {gc_body} end }})",
            "S[1] = setmetatable({}, { __gc = function() local s = tuna.create_study{} "
            "s:optimize(function(t) return t:suggest_float('x', 0, 1) end, { n_trials = 2 }) end })",
            f"for i = 1, 5 do local _, u = debug.getupvalue({api_fn}, i) X[#X + 1] = u end",
            "local f = io.open(DIR .. '/a.db', 'w') if f then f:write('garbage') f:close() end",
            "os.remove(DIR .. '/a.db') os.remove(DIR .. '/a.db-wal') os.remove(DIR .. '/a.db-shm')",
            "package.loaded.tuna = nil local t2 = require('tuna') X[#X + 1] = t2",
            "X[#X + 1] = debug.getregistry()",
            "for k, v in pairs(debug.getregistry()) do if type(v) == 'table' then X[#X + 1] = v end end",
            "os.setlocale(" + self.pick('"C"', '"de_DE.UTF-8"', '""') + ")",
            "local t = setmetatable({}, { __close = function() S[1]:optimize(function() return 1 end, { n_trials = 1 }) end }) "
            "do local c <close> = t end",
        ]
        return self.pick(*options)

    # ---- whole programs ----------------------------------------------------------------------------
    def wrap(self, text, bounded):
        """Puts a top-level statement in pcall, a do-block or a coroutine. A bounded statement
        always goes in pcall, so that its end mark runs."""
        k = self.r.random()
        if bounded or k < 0.78:
            return f"pcall(function()\n{text}\nend)"
        if k < 0.9:
            return f"do\n{text}\nend"
        return f"do local co = coroutine.wrap(function()\n{text}\nend) pcall(co) pcall(co) end"

    def program(self):
        statements = []
        for _ in range(self.r.randrange(2, 9)):
            self.bound = None
            if not self.sandbox and self.chance(0.3):
                text, kind = self.st_unsafe(), "unsafe"
            else:
                text, kind = self.top_statement()
            bound = self.bound if self.mode == "top" else None
            statements.append(Statement(self.wrap(text, bound is not None), kind, bound))
        return Program(self.index, self.mode, self.sandbox, statements)


def generate(seed, index, api=None):
    """Program number `index` of the run seeded with `seed`."""
    return Gen(seed, index, api).program()


if __name__ == "__main__":
    import sys
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1):
        p = generate(seed, i)
        print(f"-- program {i}: mode {p.mode}, sandbox {p.sandbox}")
        print(p.source())
