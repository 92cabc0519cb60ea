#!/usr/bin/env python3
"""Side by side: `tuna-bench regret --json` results against `optuna_regret.py` results.

Usage:
  python3 scripts/bench/compare_regret.py --tuna a.json b.json --optuna optuna.json [more.json]
      [--subject auto] [--tolerance 0.10]

For every problem and budget it prints Tuna's samplers' medians, Optuna's, and whether the
subject (Tuna's automatic sampler by default) is within the tolerance of the best Optuna
sampler and of Optuna's default (TPE) — where it is not, with the Mann-Whitney p-value of the
difference when the Tuna file has every seed's regret — then the counts of those cells.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The problems' script: its quantile and number format (it imports Optuna only to run it).
from optuna_regret import fmt as format_number, quantile  # noqa: E402


def fmt(v):
    return "—" if v is None else format_number(v)


def load_tuna(paths):
    cells, seeds = {}, {}
    for path in paths:
        with open(path) as f:
            for row in json.load(f)["regret"]:
                key = (row["function"], row["budget"], row["sampler"])
                cells[key] = row["median"]
                if row.get("seeds"):
                    seeds[key] = row["seeds"]
    return cells, seeds


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test (normal approximation with the tie
    correction): how likely a difference in location this large is between two samplers that
    do equally well."""
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return None
    pooled = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks, ties, i = [0.0] * len(pooled), 0.0, 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    r1 = sum(r for r, (_, g) in zip(ranks, pooled) if g == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / variance ** 0.5
    return max(0.0, min(1.0, math.erfc(max(z, 0) / 2 ** 0.5)))


def load_optuna(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            runs += json.load(f)["runs"]
    values = {}
    for r in runs:
        for budget, v in r["regret"].items():
            values.setdefault((r["problem"], int(budget), r["sampler"]), []).append(v)
    return {k: (quantile(v, 0.5), len(v)) for k, v in values.items()}, values


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tuna", nargs="+", required=True)
    ap.add_argument("--optuna", nargs="+", required=True)
    ap.add_argument("--subject", default="auto")
    ap.add_argument("--tolerance", type=float, default=0.10)
    a = ap.parse_args(argv)
    (tuna, tuna_seeds), (optuna, optuna_seeds) = load_tuna(a.tuna), load_optuna(a.optuna)
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
            verdict = "yes" if ok_tpe else "no"
            if not ok_tpe and (p, b, a.subject) in tuna_seeds and (p, b, "tpe") in optuna_seeds:
                # Whether the shortfall is more than the seeds' scatter.
                verdict += f" (p={mann_whitney_p(tuna_seeds[(p, b, a.subject)], optuna_seeds[(p, b, 'tpe')]):.2f})"
            row += [f"{best[0]} {fmt(best[1])}" if best else "—", "yes" if ok_best else "no", verdict]
            print("| " + " | ".join(row) + " |")
    # Each Tuna sampler against its Optuna namesake.
    for name in [s for s in tuna_samplers if s in optuna_samplers]:
        misses, total = [], 0
        for p in problems:
            for b in budgets:
                mine, theirs = tuna.get((p, b, name)), optuna.get((p, b, name))
                if mine is None or theirs is None:
                    continue
                total += 1
                if mine > theirs[0] * (1 + a.tolerance):
                    test = ""
                    if (p, b, name) in tuna_seeds:
                        test = f", p={mann_whitney_p(tuna_seeds[(p, b, name)], optuna_seeds[(p, b, name)]):.2f}"
                    misses.append(f"{p}-{b} {fmt(mine)} vs {fmt(theirs[0])} ({theirs[1]} seeds{test})")
        print(f"\nTuna {name} within {a.tolerance:.0%} of Optuna's {name} in {total - len(misses)} of {total} cells"
              + (": worse on " + "; ".join(misses) if misses else ""))
    seeds = sorted({n for _, n in optuna.values()})
    print(f"\n{a.subject}: within {a.tolerance:.0%} of the best Optuna sampler in {beats_best} of {cells} cells; "
          f"of Optuna's TPE in {beats_tpe} of {cells}. Optuna seeds per cell: {seeds}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
