"""Regenerate the importance fixtures in Tests/TunaAnalysisTests/Fixtures/.

Each fixture is a set of trials (drawn with numpy ``default_rng`` seeds, as written below and in
its ``generation`` field) with the importances Optuna computes on them: ``results`` maps a setting
of ``get_param_importances`` (fANOVA or PED-ANOVA evaluator, raw or normalized, ...) to
``{param: importance}`` in Optuna's order, or to ``{"error": "ExceptionType: message"}`` where
Optuna raised. The committed files come from Optuna 5.0.0 (numpy 2.4, scikit-learn 1.9).
Run from the repository root (OUTPUT_DIR defaults to the fixtures directory; ``--quick`` skips
the two 2,000-trial sets, whose fANOVA fits take a minute or two each):

    python3 -m venv venv && venv/bin/pip install optuna==5.0.0 scikit-learn
    venv/bin/python scripts/reference/importance_reference.py [OUTPUT_DIR] [--quick]

The tests only read the JSON files; they never run this script.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import sys
import warnings

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator
from optuna.importance import get_param_importances

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "Tests/TunaAnalysisTests/Fixtures"
UNIT = FloatDistribution(0.0, 1.0)
# PED-ANOVA collects parameter names in a Python set, so parameters with equal importances (e.g.
# all 0.0) come out in an order that depends on string hashing. The script re-runs itself under
# this hash seed, which makes that order repeatable and the same as in the committed files.
HASH_SEED = "85564"

# Trial sets: lists of (params, distributions, value). The arithmetic (some of it on numpy
# scalars) must stay exactly as written: the stored values depend on it to the last bit.


def ishigami():
    x = np.random.default_rng(0).uniform(-math.pi, math.pi, size=(2000, 3))
    dist = FloatDistribution(-math.pi, math.pi)
    return [({"x1": float(a), "x2": float(b), "x3": float(c)},
             dict.fromkeys(("x1", "x2", "x3"), dist),
             math.sin(a) + 7 * math.sin(b) ** 2 + 0.1 * c**4 * math.sin(a)) for a, b, c in x]


def constructed():
    # value = 3a + 2b + 4ab: a and b matter (with an interaction); c, d and e do nothing.
    rows = np.random.default_rng(1).uniform(0.0, 1.0, size=(2000, 5))
    params = [{k: float(v) for k, v in zip("abcde", row)} for row in rows]
    return [(p, dict.fromkeys(p, UNIT), 3 * p["a"] + 2 * p["b"] + 4 * p["a"] * p["b"])
            for p in params]


MIXED_SPACE = {
    "lr": FloatDistribution(1e-5, 1e-1, log=True),
    "wd": FloatDistribution(1e-6, 1e-2, log=True),
    "layers": IntDistribution(1, 8),
    "units": IntDistribution(16, 512, log=True),
    "dropout": FloatDistribution(0.0, 0.5, step=0.1),
    "act": CategoricalDistribution(["relu", "tanh", "gelu"]),
    "noise": FloatDistribution(0.0, 1.0),  # has no effect on the value
}
MIXED_GENERATION = (
    "Column-wise sampling in this order: lr, wd, layers, units, dropout, act, noise.\n"
    "    lr/wd: exp(U(log low, log high)); layers: integers(1, 9); units: like Optuna's\n"
    "    RandomSampler for log-int: exp(U(log 15.5, log 512.5)) rounded & clipped;\n"
    "    dropout: 0.1 * integers(0, 6) (so 0.30000000000000004 etc. as Optuna would store);\n"
    "    act: choices[integers(0, 3)]; noise: U(0,1)."
)


def mixed(seed, n, sign=1.0):
    """n trials of MIXED_SPACE, sampled a whole column at a time as MIXED_GENERATION says."""
    rng = np.random.default_rng(seed)
    cols = {
        "lr": np.exp(rng.uniform(math.log(1e-5), math.log(1e-1), n)),
        "wd": np.exp(rng.uniform(math.log(1e-6), math.log(1e-2), n)),
        "layers": rng.integers(1, 9, n),
        "units": np.clip(np.round(np.exp(rng.uniform(math.log(15.5), math.log(512.5), n))),
                         16, 512),
        "dropout": rng.integers(0, 6, n) * 0.1,
        "act": rng.integers(0, 3, n),
        "noise": rng.uniform(0.0, 1.0, n),
    }
    act_cost = {"relu": 0.0, "tanh": 0.5, "gelu": 0.2}
    trials = []
    for i in range(n):
        p = {k: float(c[i]) for k, c in cols.items()}
        p.update(layers=int(cols["layers"][i]), units=int(cols["units"][i]),
                 act=MIXED_SPACE["act"].choices[int(cols["act"][i])])
        value = ((math.log10(p["lr"]) + 3) ** 2 + 0.5 * (p["layers"] - 3) ** 2 / 4
                 + 0.3 * (math.log2(p["units"]) - 7) ** 2 / 4 + act_cost[p["act"]]
                 + 2 * p["dropout"] + 0.05 * (math.log10(p["wd"]) + 4) ** 2)
        trials.append((p, dict(MIXED_SPACE), sign * value))
    return trials


def conditional():
    # "model" picks the branch; branch a has parameter p, branch b has q; r is in every trial.
    rng = np.random.default_rng(3)
    model, pq, r = rng.integers(0, 2, 300), rng.uniform(0.0, 1.0, 300), rng.uniform(0.0, 1.0, 300)
    models = CategoricalDistribution(["a", "b"])
    trials = []
    for m, x, y in zip(model, pq, r):
        x, y = float(x), float(y)
        if m == 0:
            p, v = {"model": "a", "p": x, "r": y}, (x - 0.3) ** 2 + 0.1 * y
        else:
            p, v = {"model": "b", "q": x, "r": y}, 0.2 + (x - 0.7) ** 2 + 0.1 * y
        trials.append((p, {k: models if k == "model" else UNIT for k in p}, v))
    return trials


def uniform(seed, names, n, objective):
    """n trials, one row of U(0, 1) draws each; objective gets the row as numpy scalars."""
    rows = np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, len(names)))
    return [({k: float(x) for k, x in zip(names, row)}, dict.fromkeys(names, UNIT), objective(*row))
            for row in rows]


# Importances
PED_ANOVA_VARIANTS = {  # extra raw PED-ANOVA settings kept for the larger sets
    "ped_anova_raw_global": dict(evaluate_on_local=False),
    "ped_anova_raw_tq0.2": dict(target_quantile=0.2),
    "ped_anova_raw_tq0.1_rq0.5": dict(target_quantile=0.1, region_quantile=0.5),
    "ped_anova_raw_tq0.05_rq0.3": dict(target_quantile=0.05, region_quantile=0.3),
}


def importances(study, evaluator, normalize, params=None):
    """Optuna's importances as plain floats (in Optuna's order), or the error it raised."""
    try:
        res = get_param_importances(study, evaluator=evaluator, params=params, normalize=normalize)
    except Exception as e:  # the fixtures record failures too
        return {"error": f"{type(e).__name__}: {e}"}
    return {k: float(v) for k, v in res.items()}


def normalized(raw):
    """get_param_importances' own normalization, so each fANOVA forest is fitted only once."""
    if "error" in raw:
        return raw
    total = sum(raw.values())
    return {k: (1.0 / len(raw) if total == 0.0 else v / total) for k, v in raw.items()}


def evaluate(study, params=None, fanova_seeds=(0,), ped_variants=False, prefix=""):
    """The standard result block: fANOVA (seed 0, plus raw figures for any further seeds) and
    PED-ANOVA with default settings, raw and normalized; optionally the PED-ANOVA variants."""
    raw = {s: importances(study, FanovaImportanceEvaluator(seed=s), False, params)
           for s in fanova_seeds}
    res = {
        "fanova_raw": raw[0],
        "fanova_normalized": normalized(raw[0]),
        "ped_anova_normalized": importances(study, PedAnovaImportanceEvaluator(), True, params),
        "ped_anova_raw": importances(study, PedAnovaImportanceEvaluator(), False, params),
    }
    res.update({f"fanova_raw_seed{s}": raw[s] for s in fanova_seeds[1:]})
    if ped_variants:
        res.update({name: importances(study, PedAnovaImportanceEvaluator(**kw), False, params)
                    for name, kw in PED_ANOVA_VARIANTS.items()})
    return {prefix + k: v for k, v in res.items()}


def describe(d):
    if isinstance(d, CategoricalDistribution):
        return {"type": "categorical", "choices": list(d.choices)}
    kind = "int" if isinstance(d, IntDistribution) else "float"
    return {"type": kind, "low": d.low, "high": d.high, "log": d.log, "step": d.step}


def write(path, doc):
    """One top-level key per line; distributions, trials and results one entry per line."""
    def dumps(x):
        return json.dumps(x, separators=(", ", ": "))
    out = []
    for key, value in doc.items():
        if isinstance(value, dict):  # distributions, results
            body = ",\n".join(f"  {dumps(k)}: {dumps(v)}" for k, v in value.items())
            out.append(f" {dumps(key)}: {{\n{body}\n }}")
        elif key.endswith("trials"):  # trials, extra_trials
            out.append(f" {dumps(key)}: [\n" + ",\n".join(f"  {dumps(t)}" for t in value) + "\n ]")
        else:
            out.append(f" {dumps(key)}: {dumps(value)}")
    path.write_text("{\n" + ",\n".join(out) + "\n}\n")


def fixture(outdir, name, generation, trials, direction="minimize", note=None, extra=(),
            param_sets=None, **kw):
    """Build the study, evaluate it and write <name>.json. `extra` holds (params, state, value)
    trials that are in the study but not in `trials`; `kw` goes to evaluate()."""
    study = optuna.create_study(direction=direction)
    for params, dists, value in trials:
        study.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=value))
    for params, state, value in extra:
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions=dict.fromkeys(params, UNIT), state=state, value=value))
    if param_sets is None:
        results = evaluate(study, **kw)
    else:  # one block per `params=` argument, keyed default_params/... or params=p,q/...
        results = {}
        for params in param_sets:
            prefix = "default_params/" if params is None else "params=" + ",".join(params) + "/"
            results.update(evaluate(study, params=params, prefix=prefix))
    doc = {"name": name, "optuna": optuna.__version__, "generation": generation}
    if note:
        doc["note"] = note
    doc["directions"] = [direction]
    doc["distributions"] = {}  # every parameter, in order of first appearance
    for _, dists, _ in trials:
        for k, d in dists.items():
            doc["distributions"].setdefault(k, describe(d))
    doc["trials"] = [{"params": p, "value": float(v)} for p, _, v in trials]
    if extra:
        doc["extra_trials"] = [
            {"params": p, **({"value": str(v)} if v is not None else {}), "state": s.name.lower()}
            for p, s, v in extra]
    doc["results"] = results
    write(outdir / f"{name}.json", doc)
    print(f"wrote {name}.json", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?", type=pathlib.Path, default=FIXTURES)
    ap.add_argument("--quick", action="store_true", help="skip the two 2,000-trial sets")
    args = ap.parse_args()
    out = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")  # e.g. normalize=False being experimental
    if not args.quick:
        fixture(out, "ishigami",
                "rng=np.random.default_rng(0); X=rng.uniform(-pi,pi,size=(2000,3))",
                ishigami(), fanova_seeds=(0, 1, 2), ped_variants=True)
        fixture(out, "constructed",
                "rng=np.random.default_rng(1); X=rng.uniform(0,1,size=(2000,5)); cols a..e",
                constructed(), fanova_seeds=(0, 1, 2), ped_variants=True)
    fixture(out, "mixed", MIXED_GENERATION, mixed(2, 300), ped_variants=True)
    fixture(out, "maximize", "mixed trials, value negated", mixed(2, 300, sign=-1.0), "maximize")
    fixture(out, "conditional", "rng=default_rng(3); model=rng.integers(0,2,300) (0->'a'); "
            "pq=rng.uniform(0,1,300) (p if a else q); r=rng.uniform(0,1,300)", conditional(),
            param_sets=(None, ["p"], ["p", "r"], ["p", "q"], ["model", "r"]))
    fixture(out, "small", "make_mixed(seed=4, n=20)", mixed(4, 20))
    # const_value never changes though its range is [0, 1]; single_dist has a one-point range.
    fixture(out, "constant_param", "rng=default_rng(5); X=rng.uniform(0,1,(200,2)) -> x,y; "
            "const_value always 0.25 in U(0,1); single_dist always 0.5 in "
            "FloatDistribution(0.5,0.5); value=(x-0.2)^2+0.3y",
            [(dict(p, const_value=0.25, single_dist=0.5),
              dict(d, const_value=UNIT, single_dist=FloatDistribution(0.5, 0.5)), v)
             for p, d, v in uniform(5, "xy", 200, lambda x, y: (x - 0.2) ** 2 + 0.3 * y)])
    for n in (1, 2, 5):
        fixture(out, f"tiny_{n}", f"make_mixed(seed=6, n={n})", mixed(6, n))
    fixture(out, "constant_objective", "rng=default_rng(7); 50x3 U(0,1); value=1.0",
            uniform(7, "uvw", 50, lambda u, v, w: 1.0))
    # round() on a numpy scalar (numpy's rounding, not Python's) makes many equal values.
    fixture(out, "ties", "rng=default_rng(8); 100x2 U(0,1); value=round(u+0.2v,1)",
            uniform(8, "uv", 100, lambda u, v: float(round(u + 0.2 * v, 1))))
    # Optuna skips the +inf and the failed trial; the file lists them under extra_trials.
    fixture(out, "nonfinite", "rng=default_rng(9); 60x2 U(0,1); value=(u-0.5)^2+0.1v",
            uniform(9, "uv", 60, lambda u, v: (u - 0.5) ** 2 + 0.1 * v),
            note="study additionally has one COMPLETE trial u=v=0.5 with value=+inf and one "
            "FAIL trial u=v=0.1 (not in trials list)",
            extra=[({"u": 0.5, "v": 0.5}, optuna.trial.TrialState.COMPLETE, math.inf),
                   ({"u": 0.1, "v": 0.1}, optuna.trial.TrialState.FAIL, None)])


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") != HASH_SEED:
        os.environ["PYTHONHASHSEED"] = HASH_SEED
        os.execv(sys.executable, [sys.executable, *sys.argv])
    main()
