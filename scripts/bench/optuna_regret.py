#!/usr/bin/env python3
"""The regret benchmark of `tuna-bench regret`, run on Optuna's samplers for a side-by-side table.

The fifteen problems are defined as in Sources/tuna-bench/RegretProblems.swift (same spaces,
same parameter names, same optima; the two real tasks read the same tables, scripts/bench/tabular); regret is the noiseless value of the trial with the best
observed value, less the optimum, at 50 and 200 trials, read off one 200-trial run per seed.

Usage:
  pip install optuna==5.0.0 cmaes scipy torch   # GPSampler needs torch
  python3 scripts/bench/optuna_regret.py --seeds 30 --jobs 2 --out optuna-regret.json
  python3 scripts/bench/optuna_regret.py --report optuna-regret.json   # the table again

Options: --samplers random,tpe,gp,cmaes,auto (auto: OptunaHub's AutoSampler, needs optunahub),
--problems Branin,Levy-20D (default: all), --budget 200.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time

BUDGETS = (50, 200)


# ----------------------------------------------------------------------------- test functions

def branin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    u = x[1] - b * x[0] ** 2 + c * x[0] - 6
    return u * u + 10 * (1 - t) * math.cos(x[0]) + 10


ALPHA = (1.0, 1.2, 3.0, 3.2)
H6_A = ((10, 3, 17, 3.5, 1.7, 8), (0.05, 10, 17, 0.1, 8, 14), (3, 3.5, 1.7, 10, 17, 8), (17, 8, 0.05, 10, 0.1, 14))
H6_P = ((0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886), (0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991),
        (0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650), (0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381))
H3_A = ((3, 10, 30), (0.1, 10, 35), (3, 10, 30), (0.1, 10, 35))
H3_P = ((0.3689, 0.1170, 0.2673), (0.4699, 0.4387, 0.7470), (0.1091, 0.8732, 0.5547), (0.03815, 0.5743, 0.8828))


def hartmann(x, a, p):
    return -sum(ALPHA[i] * math.exp(-sum(a[i][j] * (x[j] - p[i][j]) ** 2 for j in range(len(x)))) for i in range(4))


def hartmann6(x):
    return hartmann(x, H6_A, H6_P)


def hartmann3(x):
    return hartmann(x, H3_A, H3_P)


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def ackley(x):
    n = len(x)
    s1, s2 = sum(v * v for v in x), sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(s1 / n)) - math.exp(s2 / n) + 20 + math.e


def styblinski_tang(x):
    return 0.5 * sum(v ** 4 - 16 * v * v + 5 * v for v in x)


def ellipsoid(x):
    return sum(10 ** (6 * i / (len(x) - 1)) * v * v for i, v in enumerate(x))


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(math.pi * w[0]) ** 2
    s += sum((w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2) for i in range(len(w) - 1))
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def shifted_sphere(x):
    return sum((v - 2 * math.sin(i + 1)) ** 2 for i, v in enumerate(x))


INTEGER_CENTRE = (3, -2, 7, 0, -5, 1)


def integer_bump(k):
    return k * k / 4 + 3 * (1 - math.cos(math.pi * k / 2))


def floats(t, bounds, prefix="x"):
    return [t.suggest_float(f"{prefix}{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)]


def box(f, bounds):
    return lambda t: f(floats(t, bounds))


def integer_rastrigin(t):
    return sum(integer_bump(t.suggest_int(f"n{i}", -10, 10) - INTEGER_CENTRE[i]) for i in range(6))


def mixed_hpo(t):
    optimizer = t.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
    lr = math.log10(t.suggest_float("lr", 1e-5, 1e-1, log=True))
    wd = math.log10(t.suggest_float("weight_decay", 1e-6, 1e-2, log=True))
    depth = t.suggest_int("depth", 1, 8)
    activation = t.suggest_categorical("activation", ["relu", "tanh", "gelu", "sigmoid"])
    best_lr, optimizer_cost = {"sgd": (-1.5, 0.2), "adam": (-3, 0), "rmsprop": (-3.5, 0.1)}[optimizer]
    activation_cost = {"relu": 0.05, "tanh": 0.3, "gelu": 0, "sigmoid": 0.8}[activation]
    l, w, k = lr - best_lr, wd + 4, depth - 4
    return l * l + 0.25 * w * w + 0.1 * k * k + 0.15 * l * k + optimizer_cost + activation_cost


def conditional(t):
    branch = t.suggest_categorical("branch", ["a", "b", "c"])
    if branch == "a":
        return branin([t.suggest_float("a0", -5, 10), t.suggest_float("a1", 0, 15)]) - 0.397887357729738 + 0.5
    if branch == "b":
        return hartmann3(floats(t, [(0, 1)] * 3, prefix="b")) + 3.86278214782076
    z = t.suggest_float("c0", -1, 1)
    return 10 * (z - 0.3) ** 2 + 1


# ----------------------------------------------------------------------------- real tasks (tables)
# Sources/tuna-bench/TabularTasks.swift: each grid point trained once with Tuna's training core
# (scripts/bench/tabular/make_tables.lua); a trial looks up the point nearest its values.

TABLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tabular")


def load_table(name, axes):
    with open(os.path.join(TABLES, name)) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == math.prod(len(v) for _, v, _ in axes), name
    return [float(r["loss"]) for r in rows]


def nearest(values, x, log):
    scale = math.log if log else (lambda v: v)
    target = scale(x)
    best = 0
    for i in range(len(values)):
        if abs(scale(values[i]) - target) < abs(scale(values[best]) - target):
            best = i
    return best


def table_index(indices, sizes):
    position = 0
    for i, size in zip(indices, sizes):
        position = position * size + i
    return position


DIGITS_AXES = [("lr", [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2], True),
               ("width", [16, 32, 64, 128, 256], True), ("weight_decay", [1e-6, 1e-4, 1e-2], True),
               ("activation", ["relu", "tanh", "gelu"], False), ("batch_size", [32, 64, 128], False)]
FOREST_AXES = [("n_estimators", [8, 16, 32, 64, 128], True), ("max_depth", [2, 3, 4, 5, 6, 8, 10, 14], True),
               ("min_samples_leaf", [1, 2, 3, 5, 8, 12], True),
               ("max_features", [0.05, 0.1, 0.2, 0.3, 0.45, 0.65, 0.8, 1.0], True)]
DIGITS = load_table("digits_mlp.csv", DIGITS_AXES)
FOREST = load_table("forest_breast_cancer.csv", FOREST_AXES)


def digits_mlp(t):
    i = nearest(DIGITS_AXES[0][1], t.suggest_float("lr", 1e-4, 5e-2, log=True), True)
    w = nearest(DIGITS_AXES[1][1], t.suggest_int("width", 16, 256, log=True), True)
    d = nearest(DIGITS_AXES[2][1], t.suggest_float("weight_decay", 1e-6, 1e-2, log=True), True)
    a = ["relu", "tanh", "gelu"].index(t.suggest_categorical("activation", ["relu", "tanh", "gelu"]))
    b = [32, 64, 128].index(t.suggest_categorical("batch_size", [32, 64, 128]))
    return DIGITS[table_index([i, w, d, a, b], [9, 5, 3, 3, 3])]


def forest(t):
    n = nearest(FOREST_AXES[0][1], t.suggest_int("n_estimators", 8, 128, log=True), True)
    d = nearest(FOREST_AXES[1][1], t.suggest_int("max_depth", 2, 14, log=True), True)
    leaf = nearest(FOREST_AXES[2][1], t.suggest_int("min_samples_leaf", 1, 12, log=True), True)
    f = nearest(FOREST_AXES[3][1], t.suggest_float("max_features", 0.05, 1.0, log=True), True)
    return FOREST[table_index([n, d, leaf, f], [5, 8, 6, 8])]


# name: (objective of a trial, optimum, noise sd)
PROBLEMS = {
    "Branin": (box(branin, [(-5, 10), (0, 15)]), 0.397887357729738, 0),
    "Hartmann6": (box(hartmann6, [(0, 1)] * 6), -3.32236801141551, 0),
    "Rosenbrock-4D": (box(rosenbrock, [(-5, 10)] * 4), 0.0, 0),
    "Ackley-5D": (box(ackley, [(-32.768, 32.768)] * 5), 0.0, 0),
    "StyblinskiTang-4D": (box(styblinski_tang, [(-5, 5)] * 4), -39.16616570377142 * 4, 0),
    "Ellipsoid-8D": (box(ellipsoid, [(-5, 5)] * 8), 0.0, 0),
    "Rastrigin-5D": (box(rastrigin, [(-5.12, 5.12)] * 5), 0.0, 0),
    "Hartmann6-noisy": (box(hartmann6, [(0, 1)] * 6), -3.32236801141551, 0.1),
    "IntegerRastrigin-6D": (integer_rastrigin, 0.0, 0),
    "MixedHPO-5D": (mixed_hpo, 0.0, 0),
    "Conditional-3": (conditional, 0.0, 0),
    "Levy-20D": (box(levy, [(-10, 10)] * 20), 0.0, 0),
    "Sphere-30D": (box(shifted_sphere, [(-5, 5)] * 30), 0.0, 0),
    "DigitsMLP": (digits_mlp, min(DIGITS), 0),
    "ForestBC": (forest, min(FOREST), 0),
}


# ----------------------------------------------------------------------------- runs

def make_sampler(name, seed):
    import optuna
    s = optuna.samplers
    if name == "auto":
        import optunahub
        return optunahub.load_module("samplers/auto_sampler").AutoSampler(seed=seed)
    return {"random": lambda: s.RandomSampler(seed=seed), "tpe": lambda: s.TPESampler(seed=seed),
            "gp": lambda: s.GPSampler(seed=seed), "cmaes": lambda: s.CmaEsSampler(seed=seed)}[name]()


def run_one(task):
    import random
    import warnings

    import optuna
    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    problem, sampler, seed, budget = task
    objective, optimum, noise = PROBLEMS[problem]
    rng = random.Random(seed + 0x5EED)
    best_seen, best_truth, trace = math.inf, math.inf, []

    def wrapped(t):
        nonlocal best_seen, best_truth
        truth = objective(t)
        seen = truth + rng.gauss(0, noise) if noise > 0 else truth
        if seen < best_seen:
            best_seen, best_truth = seen, truth
        trace.append(best_truth - optimum)
        return seen

    t0 = time.perf_counter()
    optuna.create_study(sampler=make_sampler(sampler, seed)).optimize(wrapped, n_trials=budget)
    return {"problem": problem, "sampler": sampler, "seed": seed, "seconds": time.perf_counter() - t0,
            "regret": {str(b): trace[b - 1] for b in BUDGETS if b <= len(trace)}}


def quantile(values, q):
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def fmt(v):
    if v == 0:
        return "0"
    return f"{v:.4g}" if 0.01 <= abs(v) < 10_000 else f"{v:.2e}"


def report(doc):
    runs = doc["runs"]
    print(f"Optuna {doc.get('optuna', '?')}: simple regret, median [q25, q75] over seeds")
    print("| problem | budget | sampler | seeds | median | [q25, q75] |")
    print("|---|---:|---|---:|---:|---|")
    for problem in PROBLEMS:
        for budget in BUDGETS:
            for sampler in doc["samplers"]:
                vals = [r["regret"][str(budget)] for r in runs
                        if r["problem"] == problem and r["sampler"] == sampler and str(budget) in r["regret"]]
                if vals:
                    print(f"| {problem} | {budget} | {sampler} | {len(vals)} | {fmt(quantile(vals, 0.5))} | "
                          f"[{fmt(quantile(vals, 0.25))}, {fmt(quantile(vals, 0.75))}] |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--samplers", default="random,tpe,gp,cmaes")
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--budget", type=int, default=max(BUDGETS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default="optuna-regret.json")
    ap.add_argument("--report", metavar="JSON", help="print the table of an earlier run")
    a = ap.parse_args(argv)
    if a.report:
        with open(a.report) as f:
            report(json.load(f))
        return 0
    import optuna
    from multiprocessing import get_context
    samplers, problems = a.samplers.split(","), a.problems.split(",")
    for p in problems:
        if p not in PROBLEMS:
            ap.error(f"unknown problem {p!r}")
    doc = {"optuna": optuna.__version__, "samplers": samplers, "seeds": a.seeds, "runs": []}
    try:  # resume an interrupted run
        with open(a.out) as f:
            doc["runs"] = [r for r in json.load(f)["runs"]]
    except (OSError, ValueError, KeyError):
        pass
    done = {(r["problem"], r["sampler"], r["seed"]) for r in doc["runs"]}
    tasks = [(p, s, seed, a.budget) for s in samplers for p in problems for seed in range(a.seeds)
             if (p, s, seed) not in done]
    # seed by seed, so that a run stopped part way has every problem at the same number of seeds
    tasks.sort(key=lambda t: (t[2], t[1] != "gp"))
    t0 = time.time()
    with get_context("fork").Pool(a.jobs, maxtasksperchild=20) as pool:
        for i, r in enumerate(pool.imap_unordered(run_one, tasks)):
            doc["runs"].append(r)
            print(f"[{i + 1}/{len(tasks)} {time.time() - t0:.0f} s] {r['problem']} {r['sampler']} seed {r['seed']}: "
                  f"{r['seconds']:.1f} s, regret {r['regret']}", file=sys.stderr, flush=True)
            with open(a.out, "w") as f:  # after every run: a GP run takes up to minutes
                json.dump(doc, f)
    report(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
