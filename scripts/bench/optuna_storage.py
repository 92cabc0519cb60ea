#!/usr/bin/env python3
"""What Optuna's relational storage costs per trial, next to Optuna's in-memory storage.

Each measurement is one new study optimised for N trials of a trivial objective on space A
(five floats in [-5, 5], value = sum of squares), so almost all of the time goes to the sampler
and the storage. For every storage given with --storage, every sampler and every repetition,
the study is created under a fresh name (SQLite: in a fresh database file next to the path in
the URL, deleted afterwards; other databases: in the database named by the URL, deleted with
`optuna.delete_study` afterwards, outside the timed region). An in-memory study with the same
sampler and seed is always measured alongside, so that

    extra ms/trial = (median ms/trial with the storage) - (median ms/trial in memory)

is the storage's share. Repetition r uses seed r for every storage, so each storage sees the
same sequence of trials (the best values recorded in the JSON should agree across storages).

Figures, in milliseconds per trial of wall time:
  all      -- the whole `study.optimize` call divided by N;
  last100  -- (t[N-1] - t[N-101]) / 100, t[i] being the time a study callback saw trial i
              finished (i.e. after it was told to the storage); the cost at a history of ~N.
The JSON also has the CPU time of the benchmark process itself per trial (Optuna, SQLAlchemy
and the driver; not the database server's), which is less sensitive to other load on the
machine than wall time, and the load average after each run.

The order is repetition > sampler > storage (in memory first), so slow drifts of the machine
hit all storages alike. For PostgreSQL and SQLite the script also records the server or file
settings that decide durability (fsync, synchronous_commit, journal mode, ...).

Usage (needs optuna, and psycopg2-binary for PostgreSQL):
  OMP_NUM_THREADS=1 python3 scripts/bench/optuna_storage.py \\
      --storage sqlite:////tmp/optuna-bench.db \\
      --storage 'pg-fsync-off=postgresql+psycopg2://user:secret@127.0.0.1:5432/bench' \\
      --samplers random,tpe --trials 1000 --repetitions 3 --out optuna-storage.json

A --storage value may carry a label, LABEL=URL (the label may not contain ':' or '/'); without
one the label is the URL's scheme. Passwords are masked in everything the script writes or
prints. A relative --out path is taken under scripts/bench/results.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import optuna  # noqa: E402
import sqlalchemy  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MEMORY = "in-memory"


def objective(trial: optuna.Trial) -> float:
    return sum(trial.suggest_float(f"x{i}", -5.0, 5.0) ** 2 for i in range(5))


def make_sampler(name: str, seed: int) -> optuna.samplers.BaseSampler:
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)  # Optuna's defaults otherwise
    raise SystemExit(f"unknown sampler {name!r} (known: random, tpe)")


def masked(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def parse_storage(arg: str) -> tuple[str, str]:
    head, sep, tail = arg.partition("=")
    if sep and head and ":" not in head and "/" not in head:
        return head, tail
    return make_url(arg).get_backend_name(), arg


def mount_of(path: str) -> dict | None:
    """The filesystem holding `path`, from /proc/mounts (Linux), or None."""
    try:
        real = os.path.realpath(path)
        best = None
        with open("/proc/mounts") as f:
            for line in f:
                dev, mnt, fstype, opts = line.split()[:4]
                if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and (
                        best is None or len(mnt) > len(best["mount_point"])):
                    best = {"mount_point": mnt, "fstype": fstype, "options": opts}
        # The file system's kind and options matter for fsync; where it is mounted does not.
        return best and {"fstype": best["fstype"], "options": best["options"]}
    except OSError:
        return None


def sqlite_path_for_run(url: str, tag: str) -> tuple[str, str]:
    """A URL for a fresh database file next to the one in `url`, and that file's path."""
    u = make_url(url)
    base = u.database
    if not base or base == ":memory:":
        raise SystemExit(f"{masked(url)}: need a file path in the SQLite URL")
    stem, ext = os.path.splitext(base)
    path = f"{stem}-{tag}{ext or '.db'}"
    return u.set(database=path).render_as_string(hide_password=False), path


def remove_sqlite_files(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def storage_settings(storage: optuna.storages.RDBStorage, db_path: str | None) -> dict:
    """What decides durability and speed, read from the live connection Optuna uses."""
    engine = storage.engine
    out: dict = {"dialect": engine.dialect.name, "driver": engine.dialect.driver}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes",
                         "wal_sync_method", "wal_level", "shared_buffers", "data_directory"):
                try:
                    out[name] = conn.exec_driver_sql(f"SHOW {name}").scalar()
                except Exception as e:  # noqa: BLE001 (data_directory needs privileges)
                    conn.rollback()
                    out[name] = f"unavailable: {type(e).__name__}"
            data_dir = out.pop("data_directory", "")
            if data_dir and os.path.isdir(data_dir):
                out["data_directory_mount"] = mount_of(data_dir)
        elif engine.dialect.name == "sqlite":
            out["sqlite_version"] = conn.exec_driver_sql("select sqlite_version()").scalar()
            for name in ("journal_mode", "synchronous", "locking_mode"):
                out[name] = conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            if db_path:
                out["file_mount"] = mount_of(os.path.dirname(os.path.abspath(db_path)))
    return out


def run_once(label: str, url: str | None, sampler: str, seed: int, n: int) -> dict:
    tag = f"{sampler}-s{seed}-{uuid.uuid4().hex[:8]}"
    study_name = f"bench-{tag}"
    db_path = None
    storage = None
    settings = None
    if url is not None:
        if make_url(url).get_backend_name() == "sqlite":
            url, db_path = sqlite_path_for_run(url, tag)
            remove_sqlite_files(db_path)
        # Table creation and the schema check happen here, outside the timed region.
        storage = optuna.storages.RDBStorage(url)
        settings = storage_settings(storage, db_path)
    study = optuna.create_study(study_name=study_name, storage=storage,
                                sampler=make_sampler(sampler, seed), direction="minimize")
    stamps: list[float] = []

    def on_trial_done(_study: optuna.Study, _trial: optuna.trial.FrozenTrial) -> None:
        stamps.append(time.perf_counter())

    gc.collect()
    c0 = time.process_time()
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n, callbacks=[on_trial_done])
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    best = study.best_value
    n_complete = len(study.get_trials(deepcopy=False))

    if storage is not None:
        if db_path is None:
            optuna.delete_study(study_name=study_name, storage=storage)
        storage.engine.dispose()
        if db_path is not None:
            remove_sqlite_files(db_path)
    del study, storage
    gc.collect()

    last = min(100, n - 1) if n > 1 else 0
    return {
        "storage": label, "sampler": sampler, "seed": seed, "trials": n,
        "trials_in_storage": n_complete,
        "wall_s": wall,
        "ms_per_trial_all": wall / n * 1e3,
        "ms_per_trial_last100": ((stamps[-1] - stamps[-1 - last]) / last * 1e3) if last else None,
        "client_cpu_ms_per_trial_all": cpu / n * 1e3,
        "loadavg_after": loadavg(),
        "best_value": best,
        "settings": settings,
    }


def loadavg() -> list[str] | None:
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[:3]
    except OSError:
        return None


def median(xs: list) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--storage", action="append", default=[], metavar="[LABEL=]URL",
                    help="an SQLAlchemy URL for Optuna's RDBStorage; repeatable")
    ap.add_argument("--samplers", default="random,tpe")
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--out", default="optuna-storage.json")
    a = ap.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    samplers = [s.strip() for s in a.samplers.split(",") if s.strip()]
    for s in samplers:
        make_sampler(s, 0)
    storages: list[tuple[str, str | None]] = [(MEMORY, None)]
    for arg in a.storage:
        label, url = parse_storage(arg)
        if any(label == l for l, _ in storages):
            raise SystemExit(f"storage label {label!r} given twice; use LABEL=URL")
        storages.append((label, url))

    out_path = Path(a.out)
    if not out_path.is_absolute() and out_path.parent == Path("."):
        out_path = RESULTS_DIR / out_path
    out_path.parent.mkdir(parents=True, exist_ok=True)

    versions = {"python": platform.python_version(), "optuna": optuna.__version__,
                "sqlalchemy": sqlalchemy.__version__}
    try:
        import psycopg2
        versions["psycopg2"] = psycopg2.__version__
    except ImportError:
        pass
    import sqlite3
    versions["sqlite3_library"] = sqlite3.sqlite_version

    doc: dict = {
        "benchmark": "optuna_storage",
        "what": "ms of wall time per trial, trivial objective on 5 floats in [-5,5] (sum of "
                "squares); 'all' = whole optimize() / N, 'last100' = last 100 trials / 100",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "args": {"trials": a.trials, "repetitions": a.repetitions, "samplers": samplers,
                 "storages": [{"label": l, "url": masked(u) if u else None} for l, u in storages]},
        "environment": {**versions, "platform": platform.platform(), "cpus": os.cpu_count(),
                        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
                        "loadavg_at_start": loadavg()},
        "storage_settings": {},
        "runs": [],
    }

    def save() -> None:
        tmp = out_path.with_suffix(out_path.suffix + ".tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n")
        tmp.replace(out_path)

    for rep in range(a.repetitions):
        for sampler in samplers:
            for label, url in storages:
                r = run_once(label, url, sampler, rep, a.trials)
                settings = r.pop("settings")
                if settings is not None and label not in doc["storage_settings"]:
                    doc["storage_settings"][label] = {"url": masked(url), **settings}
                doc["runs"].append(r)
                print(f"rep {rep} {sampler:>6} {label:<24} {r['wall_s']:7.2f} s  "
                      f"{r['ms_per_trial_all']:7.2f} ms/trial  last100 "
                      f"{fmt(r['ms_per_trial_last100'])}  best {r['best_value']:.6g}", flush=True)
                save()

    cells = []
    for sampler in samplers:
        base = [r for r in doc["runs"] if r["storage"] == MEMORY and r["sampler"] == sampler]
        base_all = median([r["ms_per_trial_all"] for r in base])
        base_last = median([r["ms_per_trial_last100"] for r in base])
        for label, url in storages:
            rs = [r for r in doc["runs"] if r["storage"] == label and r["sampler"] == sampler]
            m_all = median([r["ms_per_trial_all"] for r in rs])
            m_last = median([r["ms_per_trial_last100"] for r in rs])
            cells.append({
                "storage": label, "url": masked(url) if url else None, "sampler": sampler,
                "ms_per_trial_all": [r["ms_per_trial_all"] for r in rs],
                "ms_per_trial_last100": [r["ms_per_trial_last100"] for r in rs],
                "best_values": [r["best_value"] for r in rs],
                "client_cpu_ms_per_trial_all": [r["client_cpu_ms_per_trial_all"] for r in rs],
                "median_client_cpu_ms_per_trial_all":
                    median([r["client_cpu_ms_per_trial_all"] for r in rs]),
                "median_ms_per_trial_all": m_all,
                "median_ms_per_trial_last100": m_last,
                "extra_ms_per_trial_all_over_memory": m_all - base_all,
                "extra_ms_per_trial_last100_over_memory":
                    None if m_last is None or base_last is None else m_last - base_last,
            })
    doc["cells"] = cells
    doc["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    doc["environment"]["loadavg_at_end"] = loadavg()
    save()

    w = max(len(l) for l, _ in storages)
    print(f"\nOptuna {optuna.__version__}, {a.trials} trials, median of {a.repetitions} "
          f"(ms of wall time per trial; client cpu = CPU ms per trial of this process, 'all')")
    head = (f"{'storage':<{w}}  {'sampler':<7}  {'all':>8}  {'last100':>8}  "
            f"{'extra all':>9}  {'extra last100':>13}  {'client cpu':>10}")
    print(head)
    print("-" * len(head))
    for c in cells:
        print(f"{c['storage']:<{w}}  {c['sampler']:<7}  {fmt(c['median_ms_per_trial_all']):>8}  "
              f"{fmt(c['median_ms_per_trial_last100']):>8}  "
              f"{fmt(c['extra_ms_per_trial_all_over_memory']):>9}  "
              f"{fmt(c['extra_ms_per_trial_last100_over_memory']):>13}  "
              f"{fmt(c['median_client_cpu_ms_per_trial_all']):>10}")
    print(f"\nwrote {out_path}")


if __name__ == "__main__":
    main()
