#!/usr/bin/env python3
"""Side by side: `tuna-bench regret --json` results against `optuna_regret.py` results.

Usage:
  python3 scripts/bench/compare_regret.py --tuna a.json b.json --optuna optuna.json [more.json]
      [--subject auto] [--tolerance 0.10]

For every problem and budget it prints Tuna's samplers' medians, Optuna's, and whether the
subject (Tuna's automatic sampler by default) is within the tolerance of the best Optuna
sampler and of Optuna's default (TPE); then the counts the issue's targets are stated in.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The problems' script: its quantile and number format (it imports Optuna only to run it).
from optuna_regret import fmt as format_number, quantile  # noqa: E402


def fmt(v):
    return "—" if v is None else format_number(v)


def load_tuna(paths):
    cells = {}
    for path in paths:
        with open(path) as f:
            for row in json.load(f)["regret"]:
                cells[(row["function"], row["budget"], row["sampler"])] = row["median"]
    return cells


def load_optuna(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            runs += json.load(f)["runs"]
    values = {}
    for r in runs:
        for budget, v in r["regret"].items():
            values.setdefault((r["problem"], int(budget), r["sampler"]), []).append(v)
    return {k: (quantile(v, 0.5), len(v)) for k, v in values.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tuna", nargs="+", required=True)
    ap.add_argument("--optuna", nargs="+", required=True)
    ap.add_argument("--subject", default="auto")
    ap.add_argument("--tolerance", type=float, default=0.10)
    a = ap.parse_args(argv)
    tuna, optuna = load_tuna(a.tuna), load_optuna(a.optuna)
    problems = list(dict.fromkeys(k[0] for k in tuna))
    budgets = sorted({k[1] for k in tuna})
    tuna_samplers = sorted({k[2] for k in tuna})
    optuna_samplers = sorted({k[2] for k in optuna})
    head = ["problem", "budget"] + [f"Tuna {s}" for s in tuna_samplers] + [f"Optuna {s}" for s in optuna_samplers]
    print("| " + " | ".join(head + ["best Optuna", f"{a.subject} ≤ best (+{a.tolerance:.0%})", f"{a.subject} ≤ Optuna tpe"]) + " |")
    print("|" + "---|" * (len(head) + 3))
    beats_best = beats_tpe = cells = 0
    for p in problems:
        for b in budgets:
            subject = tuna.get((p, b, a.subject))
            theirs = {s: optuna[(p, b, s)][0] for s in optuna_samplers if (p, b, s) in optuna}
            best = min(theirs.items(), key=lambda kv: kv[1]) if theirs else None
            ok_best = subject is not None and best is not None and subject <= best[1] * (1 + a.tolerance)
            ok_tpe = subject is not None and "tpe" in theirs and subject <= theirs["tpe"] * (1 + a.tolerance)
            if subject is not None and best is not None:
                cells += 1
                beats_best += ok_best
                beats_tpe += ok_tpe
            row = [p, str(b)] + [fmt(tuna.get((p, b, s))) for s in tuna_samplers] + [fmt(theirs.get(s)) for s in optuna_samplers]
            row += [f"{best[0]} {fmt(best[1])}" if best else "—", "yes" if ok_best else "no", "yes" if ok_tpe else "no"]
            print("| " + " | ".join(row) + " |")
    seeds = sorted({n for _, n in optuna.values()})
    print(f"\n{a.subject}: within {a.tolerance:.0%} of the best Optuna sampler in {beats_best} of {cells} cells; "
          f"of Optuna's TPE in {beats_tpe} of {cells}. Optuna seeds per cell: {seeds}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
