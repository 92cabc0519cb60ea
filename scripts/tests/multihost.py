#!/usr/bin/env python3
"""Multi-host fault test: `tuna run` workers on several hosts share one study in PostgreSQL,
and whatever happens to a host, no trial is lost and none is run twice.

The "hosts" are Linux network namespaces on this machine: one for the database server and
three for workers, joined in a star by veth pairs (each pair its own /24 in 10.231.0.0/16).
Every worker connects over its own link to the server's address on that link, so a host can
be cut off by taking its link down. Nothing leaves the namespaces this script creates.

Scenarios (each on a fresh database):

  1  throughput: 8 processes over the 3 hosts (3+3+2), 50 trials each: exactly 400 trials,
     numbers 0..399 once each, all complete; prints trials/s.
  2  kill -9: 6 processes (2 per host) with ~0.2 s trials; host 2's processes are killed
     mid-trial. Their running trials must be failed as stale by the other hosts within a few
     seconds, each retried once and the retry completed; no number missing or repeated,
     nothing left running or waiting, the survivors exit 0.
  3  cut link: as 2, but host 3's link goes down for 8 s (longer than the 3 s grace, shorter
     than the connection's timeouts and the 60 s retry window) and comes back. Its running
     trials must be failed as stale and retried; its workers either go on (exit 0) or stop
     with an error naming the server with the password hidden (exit 1): both are accepted
     and the summary says which. No trial lost, none completed twice.
  4  clock skew: host 1's workers run an hour behind (faketime -3600) and host 2's an hour
     ahead (+3600); heartbeats and staleness use the server's clock, so no trial may be
     failed as stale. Skipped (and reported so) when faketime is not installed.

Run it as root (it creates namespaces and runs PostgreSQL as the `postgres` user):

    sudo scripts/tests/multihost.py                      # every scenario, about a minute
    sudo scripts/tests/multihost.py --scenarios 2,3 --json result.json
    sudo scripts/tests/multihost.py --bench              # scenario 1 with 1, 2, 4, 8 processes

Exit status: 0 when every assertion held (a skipped scenario is reported, not failed), 1 when
one failed (what failed is printed, with the last lines of the workers' logs and the state of
the unusual trials in the database), 2 on bad usage or a missing prerequisite, 128 + the signal
when interrupted (130 for Ctrl-C). Everything the run creates (namespaces, links, the server,
the temporary directory, worker processes) is removed however it ends. The database password
is random and never printed; a worker that prints it fails the run.

The tuna binary is copied into the temporary directory first, so that a rebuild during the run
does not change it under the workers.
"""

import argparse
import collections
import glob
import json
import re
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

def newest_server_bin():
    """The newest installed PostgreSQL server's programs (Debian keeps them per version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return found[-1] if found else "/usr/lib/postgresql/15/bin"


PG_BIN = os.environ.get("TUNA_TEST_POSTGRES_BIN") or newest_server_bin()
PG_PORT = 5432
SUBNET = "10.231"
HEARTBEAT = 0.5
GRACE = 3.0
STALE_REASON = "stale heartbeat (worker died?)"
# Seconds between the Unix epoch and the reference date (2001-01-01) the trial times count from.
REFERENCE_EPOCH = 978307200
WORKER_TIMEOUT = 120.0

# One script for every scenario. Arguments: host, worker tag, seconds of work per trial.
# The work is a `sleep` so that a dozen workers do not fight over two cores.
WORKER_SCRIPT = """\
local host, worker, work = arg[1], arg[2], tonumber(arg[3]) or 0
-- The random sampler: these scenarios test the storage, and a model-based sampler's work per
-- trial would make them measure the two cores instead.
local study = tuna.create_study{
  name = "hosts", load_if_exists = true, sampler = tuna.samplers.random{},
  heartbeat_interval = %(heartbeat)s, grace_period = %(grace)s, retry_failed = 1,
}
study:optimize(function(trial)
  local x = trial:suggest_float("x", -1, 1)
  trial:set_user_attr("host", host)
  trial:set_user_attr("worker", worker)
  trial:set_user_attr("clock", os.time())
  if work > 0 then os.execute(string.format("sleep %%.3f", work)) end
  return x * x
end, { n_trials = 50 })
""" % {"heartbeat": HEARTBEAT, "grace": GRACE}

TRIALS_SQL = """\
SELECT coalesce(json_agg(json_build_object(
  'number', t.number, 'state', t.state, 'fail_reason', t.fail_reason,
  'start', t.datetime_start, 'complete', t.datetime_complete, 'heartbeat', t.heartbeat,
  'user_attrs', (SELECT coalesce(json_object_agg(a.key, a.value_json::json), '{}'::json)
                 FROM tuna.trial_user_attrs a WHERE a.trial_id = t.id),
  'system_attrs', (SELECT coalesce(json_object_agg(a.key, a.value_json::json), '{}'::json)
                   FROM tuna.trial_system_attrs a WHERE a.trial_id = t.id)
) ORDER BY t.number), '[]'::json)
FROM tuna.trials t JOIN tuna.studies s ON s.id = t.study_id WHERE s.name = 'hosts'
"""

SERVER_NOW_SQL = "SELECT extract(epoch FROM clock_timestamp())::float8 - %d" % REFERENCE_EPOCH


class Interrupted(Exception):
    """A signal asked the run to stop."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Setup(Exception):
    """A prerequisite is missing or the lab could not be built."""


# MARK: - Small helpers

SECRETS = []


def redact(text):
    """Text with every secret (the database password) replaced by ***."""
    for secret in SECRETS:
        text = text.replace(secret, "***")
    return text


def say(*parts):
    print(redact(" ".join(str(p) for p in parts)), flush=True)


def run(args, ns=None, check=True, timeout=60, user=None):
    """Runs a short command (in namespace `ns`, as `user`) and returns its result."""
    if user:
        args = ["runuser", "-u", user, "--"] + args
    if ns:
        args = ["ip", "netns", "exec", ns] + args
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Setup("%s did not finish in %d s" % (" ".join(args), timeout))
    if check and result.returncode != 0:
        raise Setup("%s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr.strip()))
    return result


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def tail(path, lines=15):
    return read_text(path).splitlines()[-lines:]


def wait_until(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def clean_env(extra=None):
    """Our environment without PG* variables (tuna's own libpq settings apply), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(extra or {})
    return env


# MARK: - Cleanup

class Cleanup:
    """Undo actions, run newest first, each at most once, whatever fails."""

    def __init__(self):
        self.actions = []

    def add(self, description, action):
        self.actions.append((description, action))

    def run(self):
        while self.actions:
            description, action = self.actions.pop()
            try:
                action()
            except Exception as e:  # keep undoing the rest
                say("cleanup: %s: %s" % (description, e))


def kill_group(proc):
    """SIGKILLs a worker's process group (the worker and its `sleep` children) and reaps it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def kill_namespace_processes(ns):
    """SIGKILLs every process still living in namespace `ns` and waits for them to go."""
    def pids():
        result = run(["ip", "netns", "pids", ns], check=False)
        return [int(p) for p in result.stdout.split()] if result.returncode == 0 else []

    for pid in pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_until(lambda: not pids(), 10)


# MARK: - The lab: namespaces and links

class Host:
    """A worker host: its namespace and its link to the database namespace."""

    def __init__(self, index, prefix):
        self.index = index
        self.name = "h%d" % index
        self.ns = "%s-h%d" % (prefix, index)
        self.db_if = "%sd%d" % (prefix, index)  # the link's end in the database namespace
        self.host_if = "%sh%d" % (prefix, index)
        self.db_addr = "%s.%d.1" % (SUBNET, index)
        self.host_addr = "%s.%d.2" % (SUBNET, index)


class Lab:
    """A database namespace and three host namespaces, joined by one veth pair each."""

    def __init__(self, cleanup, hosts=3):
        self.prefix = "tn%d" % os.getpid()
        self.db_ns = self.prefix + "-db"
        self.hosts = [Host(i, self.prefix) for i in range(1, hosts + 1)]
        self.cleanup = cleanup

    def build(self):
        for ns in [self.db_ns] + [h.ns for h in self.hosts]:
            self.add_namespace(ns)
        for h in self.hosts:
            run(["ip", "link", "add", h.db_if, "netns", self.db_ns, "type", "veth",
                 "peer", "name", h.host_if, "netns", h.ns])
            self.configure(self.db_ns, h.db_if, h.db_addr)
            self.configure(h.ns, h.host_if, h.host_addr)

    def add_namespace(self, ns):
        run(["ip", "netns", "add", ns])
        self.cleanup.add("delete namespace " + ns, lambda: self.remove_namespace(ns))
        run(["ip", "link", "set", "lo", "up"], ns=ns)

    @staticmethod
    def remove_namespace(ns):
        kill_namespace_processes(ns)
        run(["ip", "netns", "del", ns])  # takes its end of every veth pair with it

    @staticmethod
    def configure(ns, interface, address):
        run(["ip", "addr", "add", address + "/24", "dev", interface], ns=ns)
        run(["ip", "link", "set", interface, "up"], ns=ns)

    def set_link(self, host, up):
        """Takes host's link down or up at the database end (like a switch port)."""
        run(["ip", "link", "set", host.db_if, "up" if up else "down"], ns=self.db_ns)

    def host(self, name):
        return next(h for h in self.hosts if h.name == name)


# MARK: - The database server

class Server:
    """A throwaway PostgreSQL cluster serving in the lab's database namespace."""

    def __init__(self, lab, directory, cleanup):
        self.lab = lab
        self.dir = os.path.join(directory, "pg")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.password = "pw" + secrets.token_hex(12)
        SECRETS.append(self.password)
        self.cleanup = cleanup

    def start(self):
        os.mkdir(self.dir)
        with open(os.path.join(self.dir, "pwfile"), "w") as f:
            f.write(self.password + "\n")
        shutil.chown(self.dir, "postgres")
        shutil.chown(os.path.join(self.dir, "pwfile"), "postgres")
        run([PG_BIN + "/initdb", "-D", self.data, "-U", "tuna", "--pwfile=" + self.dir + "/pwfile",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
            user="postgres", timeout=120)
        with open(os.path.join(self.data, "pg_hba.conf"), "a") as f:
            f.write("host all all %s.0.0/16 scram-sha-256\n" % SUBNET)
        options = "-c listen_addresses=* -p %d -k %s -c fsync=off -c max_connections=200" % (PG_PORT, self.dir)
        self.cleanup.add("stop the server", self.stop)
        run([PG_BIN + "/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", options, "start"],
            ns=self.lab.db_ns, user="postgres", timeout=90)

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            run([PG_BIN + "/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "-t", "30", "stop"],
                user="postgres", check=False, timeout=60)

    def url(self, host, database):
        """The URL a worker on `host` uses: the server's address on host's link."""
        return "postgresql://tuna:%s@%s:%d/%s" % (self.password, host.db_addr, PG_PORT, database)

    def sql(self, database, statement, timeout=30):
        """Runs SQL over the Unix socket (never through the links) and returns its text output."""
        result = run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(PG_PORT),
                      "-U", "tuna", "-d", database, "-c", statement], timeout=timeout)
        return result.stdout.strip()

    def create_database(self, name):
        self.sql("postgres", "CREATE DATABASE %s" % name)

    def now(self, database):
        """The server's clock, in the trials' time scale (seconds since 2001-01-01)."""
        return float(self.sql(database, SERVER_NOW_SQL))

    def trials(self, database):
        """Every trial of the study, with its attributes, in number order."""
        try:
            return json.loads(self.sql(database, TRIALS_SQL) or "[]")
        except Setup as e:
            if "does not exist" in str(e):  # no worker got as far as creating the schema
                return []
            raise

    def check_from(self, host):
        """Makes sure a client in host's namespace reaches the server and logs in."""
        deadline = time.monotonic() + 15
        while True:
            try:
                run(["python3", "-c", "import socket; socket.create_connection(('%s', %d), 3).close()"
                     % (host.db_addr, PG_PORT)], ns=host.ns, timeout=10)
                break
            except Setup:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        out = run(["psql", "-X", "-A", "-t", "-c", "select 1", self.url(host, "postgres")], ns=host.ns, timeout=20)
        if out.stdout.strip() != "1":
            raise Setup("psql from %s answered %r" % (host.name, out.stdout))


# MARK: - Workers

class Worker:
    """One `tuna run` process on one host, its output in a log file."""

    def __init__(self, tag, host, log):
        self.tag = tag
        self.host = host
        self.log = log
        self.proc = None

    @property
    def code(self):
        return None if self.proc is None else self.proc.returncode

    def describe_code(self):
        code = self.code
        if code is None:
            return "running"
        return "killed(%s)" % signal.Signals(-code).name if code < 0 else str(code)


class Fleet:
    """Starts workers and keeps them on record, so that every one is ended on cleanup."""

    def __init__(self, lab, server, tuna, script, directory, cleanup):
        self.lab = lab
        self.server = server
        self.tuna = tuna
        self.script = script
        self.dir = directory
        self.all = []
        cleanup.add("end the workers", self.kill_all)

    def start(self, database, tag, host, trials, work, skew=None):
        worker = Worker(tag, host, os.path.join(self.dir, "%s-%s.log" % (database, tag)))
        command = ["ip", "netns", "exec", host.ns]
        env = clean_env()
        if skew is not None:
            command += ["faketime", "-f", "%+d" % skew]
            env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
        command += [self.tuna, "run", self.script, "--storage", self.server.url(host, database),
                    "--trials", str(trials), "--quiet", "--", host.name, tag, "%g" % work]
        with open(worker.log, "w") as log:
            worker.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                           cwd=self.dir, env=env, start_new_session=True)
        self.all.append(worker)
        return worker

    def start_plan(self, database, plan, trials, work, skews=None):
        """plan: {host name: process count}. Returns the workers, tagged h1-w1, h1-w2, …"""
        workers = []
        for name, count in plan.items():
            for i in range(1, count + 1):
                skew = (skews or {}).get(name)
                workers.append(self.start(database, "%s-w%d" % (name, i), self.lab.host(name), trials, work, skew))
        return workers

    @staticmethod
    def wait(workers, timeout=WORKER_TIMEOUT):
        """Waits for the workers to exit; returns those still running at the deadline (killed)."""
        deadline = time.monotonic() + timeout
        hung = []
        for w in workers:
            try:
                w.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                hung.append(w)
                kill_group(w.proc)
        return hung

    def kill_all(self):
        for w in self.all:
            if w.proc is not None:
                kill_group(w.proc)


# MARK: - Reading a study's outcome

def analyse(trials):
    """Counts what happened to a study's trials, and what was lost or duplicated."""
    numbers = collections.Counter(t["number"] for t in trials)
    states = collections.Counter(t["state"] for t in trials)
    stale = [t for t in trials if t["state"] == "fail" and t["fail_reason"] == STALE_REASON]
    other_failures = [t for t in trials if t["state"] == "fail" and t["fail_reason"] != STALE_REASON]
    retries = [t for t in trials if "retried_from" in t["system_attrs"]]
    chains = collections.defaultdict(list)  # original number -> the original and its retries
    for t in trials:
        chains[t["system_attrs"].get("retried_from", t["number"])].append(t)
    unfinished = [t for t in trials if t["state"] in ("running", "waiting")]
    missing = sorted(set(range(len(trials))) - set(numbers))
    repeated = sorted(n for n, c in numbers.items() if c > 1)
    unrecovered = [n for n, chain in chains.items()
                   if not any(t["state"] == "complete" for t in chain)
                   and not any(t["state"] in ("running", "waiting") for t in chain)]
    twice = [n for n, chain in chains.items() if sum(t["state"] == "complete" for t in chain) > 1]
    per_worker = collections.Counter(t["user_attrs"].get("worker", "?") for t in trials)
    return {
        "trials": len(trials),
        "complete": states["complete"],
        "failed_stale": len(stale),
        "failed_other": len(other_failures),
        "running": states["running"],
        "waiting": states["waiting"],
        "retried": len(retries),
        "retries_complete": sum(t["state"] == "complete" for t in retries),
        "missing_numbers": missing,
        "repeated_numbers": repeated,
        "unrecovered_chains": sorted(unrecovered),
        "chains_completed_twice": sorted(twice),
        "lost": len(missing) + len(unfinished) + len(unrecovered),
        "duplicated": sum(numbers[n] - 1 for n in repeated) + len(twice),
        "per_worker": dict(sorted(per_worker.items())),
        "stale_numbers": [t["number"] for t in stale],
    }


def throughput(trials, wall):
    """Trials per second: first start to last end (server clock), and over the wall time."""
    starts = [t["start"] for t in trials if t["start"] is not None]
    ends = [t["complete"] for t in trials if t["complete"] is not None]
    span = (max(ends) - min(starts)) if starts and ends else 0.0
    return {
        "span_s": round(span, 3),
        "wall_s": round(wall, 3),
        "trials_per_s": round(len(trials) / span, 1) if span > 0 else None,
        "trials_per_s_wall": round(len(trials) / wall, 1) if wall > 0 else None,
    }


def trial_rows(trials):
    """The unusual trials (not complete, or retries) as lines of text, for failure reports."""
    lines = []
    for t in trials:
        if t["state"] == "complete" and "retried_from" not in t["system_attrs"]:
            continue
        lines.append("  #%d %s worker=%s retried_from=%s reason=%s" % (
            t["number"], t["state"], t["user_attrs"].get("worker", "-"),
            t["system_attrs"].get("retried_from", "-"), t["fail_reason"] or "-"))
    return lines


# MARK: - Scenarios

class Scenario:
    """One scenario's outcome: counts, notes and the assertions that failed."""

    def __init__(self, number, title):
        self.number = number
        self.title = title
        self.status = "passed"
        self.failures = []
        self.notes = []
        self.counts = {}
        self.exit_codes = {}
        self.workers = []
        self.trials = []
        self.skipped_because = None

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)
            self.status = "FAILED"
        return condition

    def skip(self, reason):
        self.status = "skipped"
        self.skipped_because = reason

    def record(self, workers, trials):
        self.workers = workers
        self.trials = trials
        self.exit_codes = {w.tag: w.describe_code() for w in workers}
        self.counts.update(analyse(trials))

    def as_json(self):
        return {
            "scenario": self.number, "title": self.title, "status": self.status,
            "skipped_because": self.skipped_because, "failures": self.failures, "notes": self.notes,
            "counts": self.counts, "exit_codes": self.exit_codes,
        }


def expect_whole(result, expected_total=None):
    """The assertions every scenario shares: nothing lost, nothing duplicated, nothing left."""
    c = result.counts
    if expected_total is not None:
        result.expect(c["trials"] == expected_total, "expected %d trials, found %d" % (expected_total, c["trials"]))
    result.expect(not c["missing_numbers"], "trial numbers missing: %s" % c["missing_numbers"][:20])
    result.expect(not c["repeated_numbers"], "trial numbers repeated: %s" % c["repeated_numbers"][:20])
    result.expect(c["running"] == 0 and c["waiting"] == 0,
                  "trials left unfinished: %d running, %d waiting" % (c["running"], c["waiting"]))
    result.expect(c["failed_other"] == 0,
                  "%d trials failed for another reason than a stale heartbeat" % c["failed_other"])
    result.expect(not c["unrecovered_chains"], "stale trials never completed by a retry: %s" % c["unrecovered_chains"])
    result.expect(not c["chains_completed_twice"], "trials completed twice (original and retry): %s"
                  % c["chains_completed_twice"])
    result.expect(c["lost"] == 0, "%d trials lost" % c["lost"])
    result.expect(c["duplicated"] == 0, "%d trials duplicated" % c["duplicated"])


def expect_budgets(result, workers, trials_each, faulted=()):
    """Each worker that ran to the end (exit 0) ran exactly its --trials. A faulted worker's
    trial may have started just before the fault and lack its attributes: at most one such
    unattributed trial per faulted worker, making up its shortfall when it went on."""
    per_worker = result.counts["per_worker"]
    allowance = 0
    for w in workers:
        ran = per_worker.get(w.tag, 0)
        if w.tag in faulted:
            allowance += 1 if w.code != 0 else trials_each - ran
        if w.code == 0:
            result.expect(ran == trials_each or (w.tag in faulted and ran == trials_each - 1),
                          "%s exited 0 after %d trials, not %d" % (w.tag, ran, trials_each))
    unattributed = per_worker.get("?", 0)
    result.expect(unattributed <= allowance, "%d trials ran no objective (no worker attribute), %d expected at most"
                  % (unattributed, allowance))


class Context:
    """What every scenario needs: the lab, the server, the workers, the run's options."""

    def __init__(self, lab, server, fleet):
        self.lab = lab
        self.server = server
        self.fleet = fleet
        self.databases = 0

    def fresh_database(self):
        self.databases += 1
        name = "multihost_%d" % self.databases
        self.server.create_database(name)
        return name

    def wait_for_all_started(self, database, workers, timeout=30):
        """Waits until every worker has a trial in the study (they are all connected and busy)."""
        tags = {w.tag for w in workers}

        def started():
            if any(w.proc.poll() is not None for w in workers):
                return True  # one ended early: the scenario's checks will say why
            seen = {t["user_attrs"].get("worker") for t in self.server.trials(database)}
            return tags <= seen

        return wait_until(started, timeout, step=0.2)

    def running_trials(self, database, tags):
        return [t for t in self.server.trials(database)
                if t["state"] == "running" and t["user_attrs"].get("worker") in tags]


def collect(result, ctx, database, workers, began, hung, exit_zero):
    """Reads the study once every worker is done and makes the checks every scenario shares:
    no hang, the expected exit codes, no password in any output, the trials/s."""
    trials = ctx.server.trials(database)
    result.record(workers, trials)
    result.counts.update(throughput(trials, time.monotonic() - began))
    result.expect(not hung, "workers did not finish in %d s: %s" % (WORKER_TIMEOUT, [w.tag for w in hung]))
    for w in exit_zero:
        result.expect(w.code == 0, "%s exited %s" % (w.tag, w.describe_code()))
    for w in workers:
        result.expect(not any(s in read_text(w.log) for s in SECRETS),
                      "%s printed the database password" % w.tag)
    expect_cli_agrees(result, ctx, database, trials)
    return trials


def expect_cli_agrees(result, ctx, database, trials):
    """`tuna trials --format json`, run on host 1, lists the trials the database holds."""
    host = ctx.lab.hosts[0]
    listed = run([ctx.fleet.tuna, "trials", "hosts", "--storage", ctx.server.url(host, database),
                  "--format", "json", "--grace", "inf"], ns=host.ns, check=False, timeout=60)
    if not result.expect(listed.returncode == 0, "tuna trials exited %d: %s"
                         % (listed.returncode, redact(listed.stderr.strip()))):
        return
    seen = [(t["number"], t["state"]) for t in json.loads(listed.stdout)]
    stored = [(t["number"], t["state"]) for t in trials]
    result.expect(seen == stored, "tuna trials lists %d trials, the database holds %d (or their states differ)"
                  % (len(seen), len(stored)))


def expect_no_stale(result, total):
    c = result.counts
    result.expect(c["complete"] == total, "%d of %d trials complete" % (c["complete"], total))
    result.expect(c["failed_stale"] == 0, "%d trials failed as stale" % c["failed_stale"])


def scenario_throughput(ctx, plan=None, trials_each=50, number=1):
    """Many processes on three hosts, a trivial objective: all trials there, once each."""
    plan = plan or {"h1": 3, "h2": 3, "h3": 2}
    processes = sum(plan.values())
    spread = ", ".join("%s: %d" % item for item in plan.items())
    result = Scenario(number, "throughput: %d process%s (%s) x %d trials" % (
        processes, "" if processes == 1 else "es", spread, trials_each))
    database = ctx.fresh_database()
    began = time.monotonic()
    workers = ctx.fleet.start_plan(database, plan, trials_each, work=0)
    hung = ctx.fleet.wait(workers)
    collect(result, ctx, database, workers, began, hung, exit_zero=workers)
    expect_whole(result, processes * trials_each)
    expect_no_stale(result, processes * trials_each)
    expect_budgets(result, workers, trials_each)
    return result


def expect_recovered(result, victims, faulted, fault_time, trials):
    """The trials the fault interrupted were failed as stale soon after, and retried to
    completion; no other worker's trial was failed as stale."""
    by_number = {t["number"]: t for t in trials}
    retries = collections.defaultdict(list)
    for t in trials:
        if "retried_from" in t["system_attrs"]:
            retries[t["system_attrs"]["retried_from"]].append(t)
    delays = []
    for v in victims:
        final = by_number.get(v)
        if not result.expect(final is not None and final["state"] == "fail" and final["fail_reason"] == STALE_REASON,
                             "interrupted trial #%d ended %s, not failed as stale" % (
                                 v, final and (final["state"], final["fail_reason"]))):
            continue
        delays.append(final["complete"] - fault_time)
        chain = retries.get(v, [])
        result.expect(len(chain) == 1, "interrupted trial #%d has %d retries, not 1" % (v, len(chain)))
        result.expect(any(t["state"] == "complete" for t in chain), "no retry of #%d completed" % v)
    if delays:
        result.counts["stale_after_fault_s"] = [round(d, 2) for d in delays]
        # The last beat came at most one interval before the fault, and the others look every
        # quarter grace, before their next trial (each ~0.2 s): allow a few seconds more.
        limit = GRACE + 5.0
        result.expect(max(delays) <= limit, "stale trials were failed %.1f s after the fault (limit %.0f s)"
                      % (max(delays), limit))
    # A faulted worker's trial may have started just before the fault, its attributes not yet set.
    innocent = [n for n in result.counts["stale_numbers"]
                if by_number[n]["user_attrs"].get("worker") not in faulted | {None}]
    result.expect(not innocent, "trials of unaffected workers were failed as stale: %s" % innocent)


def fault_setup(ctx, title, number, trials_each):
    """Six workers (two per host) with ~0.2 s trials, all busy for a moment and a half."""
    result = Scenario(number, title)
    database = ctx.fresh_database()
    began = time.monotonic()
    workers = ctx.fleet.start_plan(database, {"h1": 2, "h2": 2, "h3": 2}, trials_each, work=0.2)
    result.expect(ctx.wait_for_all_started(database, workers), "not every worker started a trial within 30 s")
    time.sleep(1.5)
    return result, database, workers, began


def wait_mid_trial(ctx, database, targets, timeout=2.0):
    """Waits (briefly) until each target worker is running a trial, so the fault lands mid-trial."""
    tags = {w.tag for w in targets}
    wait_until(lambda: {t["user_attrs"].get("worker") for t in ctx.running_trials(database, tags)} >= tags,
               timeout, step=0.02)


def scenario_kill(ctx, trials_each=40):
    """SIGKILL host 2's processes mid-trial: the others fail and retry their trials."""
    result, database, workers, began = fault_setup(ctx, "kill -9 host 2's workers mid-trial", 2, trials_each)
    killed = [w for w in workers if w.host.name == "h2"]
    wait_mid_trial(ctx, database, killed)
    for w in killed:
        os.kill(w.proc.pid, signal.SIGKILL)
    for w in killed:
        w.proc.wait()
    fault_time = ctx.server.now(database)
    time.sleep(0.3)  # statements already on the wire land
    tags = {w.tag for w in killed}
    victims = [t["number"] for t in ctx.running_trials(database, tags)]
    result.counts["interrupted_trials"] = victims
    survivors = [w for w in workers if w not in killed]
    hung = ctx.fleet.wait(survivors)
    trials = collect(result, ctx, database, workers, began, hung, exit_zero=survivors)
    result.expect(len(victims) >= 1, "the kill interrupted no running trial: nothing was tested")
    expect_whole(result)
    expect_recovered(result, victims, tags, fault_time, trials)
    expect_budgets(result, workers, trials_each, faulted=tags)
    return result


def scenario_cut(ctx, trials_each=40, outage=8.0):
    """Take host 3's link down mid-trial for longer than the grace period, then back up."""
    result, database, workers, began = fault_setup(ctx, "cut host 3's link for %g s mid-trial" % outage, 3,
                                                   trials_each)
    host = ctx.lab.host("h3")
    cut = [w for w in workers if w.host is host]
    tags = {w.tag for w in cut}
    wait_mid_trial(ctx, database, cut)
    ctx.lab.set_link(host, up=False)
    fault_time = ctx.server.now(database)
    cut_at = time.monotonic()
    try:
        time.sleep(0.5)
        victims = [t["number"] for t in ctx.running_trials(database, tags)]
        result.counts["interrupted_trials"] = victims
        time.sleep(max(0.0, outage - (time.monotonic() - cut_at)))
    finally:
        ctx.lab.set_link(host, up=True)
    link_up = ctx.server.now(database)
    result.counts["outage_s"] = round(time.monotonic() - cut_at, 2)
    hung = ctx.fleet.wait(workers)
    trials = collect(result, ctx, database, workers, began, hung, exit_zero=[w for w in workers if w not in cut])
    for w in cut:
        judge_cut_worker(result, w, trials, link_up)
    result.expect(len(victims) >= 1, "the cut interrupted no running trial: nothing was tested")
    expect_whole(result)
    expect_recovered(result, victims, tags, fault_time, trials)
    expect_budgets(result, workers, trials_each, faulted=tags)
    return result


def judge_cut_worker(result, worker, trials, link_up):
    """A cut-off worker went on (exit 0) or stopped with a clear message (exit 1): say which,
    and how soon after the link came back it started its next trial."""
    text = read_text(worker.log)
    first = (text.strip().splitlines() or [""])[0]
    said = " (said: %s%s)" % (first[:240], " ..." if len(first) > 240 else "") if first else ""
    later = [t["start"] for t in trials if t["user_attrs"].get("worker") == worker.tag
             and t["start"] is not None and t["start"] > link_up - 0.5]
    resumed = " %.1f s after the link came back" % (min(later) - link_up) if later else ""
    if worker.code == 0:
        result.notes.append("%s went on%s and finished: exit 0%s" % (worker.tag, resumed, said))
        return
    result.notes.append("%s gave up: exit %s%s" % (worker.tag, worker.describe_code(), said))
    if not result.expect(worker.code == 1,
                         "cut-off %s exited %s (expected 0 or 1)" % (worker.tag, worker.describe_code())):
        return
    result.expect(worker.host.db_addr in text,
                  "%s's error does not name the server %s" % (worker.tag, worker.host.db_addr))
    result.expect("***" in text, "%s's error does not show the hidden password as ***" % worker.tag)


def faketime_problem():
    """Why faketime cannot be used here, or None when it works."""
    if not shutil.which("faketime"):
        return "faketime is not installed (apt-get install faketime)"
    probe = subprocess.run(["faketime", "-f", "-3600", "date", "+%s"], capture_output=True, text=True,
                           env=clean_env({"FAKETIME_DONT_FAKE_MONOTONIC": "1"}), timeout=30)
    try:
        shift = int(probe.stdout.strip()) - time.time()
    except ValueError:
        return "faketime does not run: %s" % probe.stderr.strip()
    if abs(shift + 3600) > 60:
        return "faketime -3600 shifted the clock by %.0f s" % shift
    return None


def scenario_skew(ctx, trials_each=20, skew=3600):
    """Workers an hour behind and an hour ahead: no trial of theirs or anyone's goes stale."""
    result = Scenario(4, "clock skew: host 1 %+d s, host 2 %+d s" % (-skew, skew))
    problem = faketime_problem()
    if problem:
        result.skip(problem)
        return result
    database = ctx.fresh_database()
    skews = {"h1": -skew, "h2": skew}
    began = time.monotonic()
    workers = ctx.fleet.start_plan(database, {"h1": 2, "h2": 2, "h3": 2}, trials_each, work=0.3, skews=skews)
    hung = ctx.fleet.wait(workers)
    trials = collect(result, ctx, database, workers, began, hung, exit_zero=workers)
    total = len(workers) * trials_each
    expect_whole(result, total)
    expect_no_stale(result, total)
    expect_budgets(result, workers, trials_each)
    expect_skew_applied(result, trials, dict(skews, h3=0))
    return result


def expect_skew_applied(result, trials, skews):
    """The workers' own clocks (os.time() in a user attr) really were off by the skew, while the
    trials' recorded times and heartbeats follow the server's clock."""
    offsets = collections.defaultdict(list)
    for t in trials:
        attrs = t["user_attrs"]
        if t["start"] is None or "clock" not in attrs:
            continue
        offsets[attrs["host"]].append(attrs["clock"] - (t["start"] + REFERENCE_EPOCH))
        if t["heartbeat"] is not None and t["complete"] is not None:
            result.expect(abs(t["heartbeat"] - t["complete"]) <= 5,
                          "trial #%d's last heartbeat is %.0f s from its end: not the server's clock"
                          % (t["number"], t["heartbeat"] - t["complete"]))
    measured = {}
    for host, skew in sorted(skews.items()):
        values = offsets.get(host, [])
        if not result.expect(values, "no trials from %s to measure its clock by" % host):
            continue
        median = sorted(values)[len(values) // 2]
        measured[host] = round(median)
        result.expect(abs(median - skew) <= 5, "%s's clock was off by %.0f s, not %+d s: the skew did not apply"
                      % (host, median, skew))
    result.counts["clock_offsets_s"] = measured


# MARK: - Reports

def summary_lines(result):
    c = result.counts
    lines = ["Scenario %d: %s -- %s" % (result.number, result.title, result.status.upper())]
    if result.status == "skipped":
        lines.append("  skipped: %s" % result.skipped_because)
        return lines
    lines.append("  trials %d, complete %d, failed stale %d, retried %d (%d complete), lost %d, duplicated %d"
                 % (c["trials"], c["complete"], c["failed_stale"], c["retried"], c["retries_complete"],
                    c["lost"], c["duplicated"]))
    if "interrupted_trials" in c:
        lines.append("  interrupted by the fault: %s; failed as stale %s s after it"
                     % (c["interrupted_trials"] or "none", c.get("stale_after_fault_s", "-")))
    if c.get("trials_per_s") is not None:
        lines.append("  %.1f trials/s first start to last end (%.2f s); %.1f trials/s over %.2f s wall"
                     % (c["trials_per_s"], c["span_s"], c["trials_per_s_wall"], c["wall_s"]))
    if "clock_offsets_s" in c:
        lines.append("  worker clocks vs server (s): %s" % c["clock_offsets_s"])
    codes = collections.Counter(result.exit_codes.values())
    lines.append("  exit codes: %s" % ", ".join("%s x%d" % (k, n) for k, n in sorted(codes.items())))
    for note in result.notes:
        lines.append("  note: %s" % note)
    for failure in result.failures:
        lines.append("  FAILED: %s" % failure)
    return lines


def print_failure_details(result, server):
    rows = trial_rows(result.trials)
    say("  --- trials not simply complete (number, state, worker, retried_from, fail reason):%s"
        % ("" if rows else " none"))
    for line in rows[:60]:
        say(line)
    quiet = []
    for w in result.workers:
        lines = tail(w.log)
        if not lines:
            quiet.append(w.tag)
            continue
        say("  --- %s on %s, exit %s, last lines of its output:" % (w.tag, w.host.name, w.describe_code()))
        for line in lines:
            say("    " + line)
    if quiet:
        say("  --- no output from %s" % ", ".join(quiet))
    say("  --- server log, last lines:")
    for line in tail(server.log, 10):
        say("    " + line)


def report(results, server, json_path, elapsed):
    for r in results:
        for line in summary_lines(r):
            say(line)
        if r.status == "FAILED":
            print_failure_details(r, server)
    passed = all(r.status != "FAILED" for r in results)
    skipped = [r.number for r in results if r.status == "skipped"]
    say("Overall: %s in %.0f s%s" % ("PASSED" if passed else "FAILED", elapsed,
                                     " (skipped: scenario %s)" % ", ".join(map(str, skipped)) if skipped else ""))
    if json_path:
        with open(json_path, "w") as f:
            json.dump({"passed": passed, "elapsed_s": round(elapsed, 1), "scenarios": [r.as_json() for r in results]},
                      f, indent=2)
            f.write("\n")
    return passed


# MARK: - Main

def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Multi-host fault test of tuna's PostgreSQL storage.")
    parser.add_argument("--tuna", default=os.path.join(repo_root(), ".build", "release", "tuna"),
                        help="the tuna binary (default: .build/release/tuna in the repository)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--scenarios", default="1,2,3,4", help="which scenarios to run (default 1,2,3,4)")
    parser.add_argument("--bench", action="store_true",
                        help="scenario 1 only, 400 trials split over 1, 2, 4 and 8 processes: trials/s of each")
    args = parser.parse_args(argv)
    try:
        args.scenarios = sorted({int(s) for s in args.scenarios.split(",") if s.strip()})
    except ValueError:
        parser.error("--scenarios takes numbers like 1,2,3,4")
    if not args.scenarios or not set(args.scenarios) <= {1, 2, 3, 4}:
        parser.error("--scenarios takes numbers from 1 to 4")
    return args


def check_prerequisites(args):
    if os.geteuid() != 0:
        raise Setup("run as root (network namespaces): sudo %s" % sys.argv[0])
    for tool in ("ip", "psql", "runuser"):
        if not shutil.which(tool):
            raise Setup("%s is not installed" % tool)
    for program in ("initdb", "pg_ctl", "postgres"):
        if not os.access(os.path.join(PG_BIN, program), os.X_OK):
            raise Setup("no PostgreSQL server programs in %s" % PG_BIN)
    if not wait_until(lambda: os.access(args.tuna, os.X_OK), 120, step=1):
        raise Setup("no tuna binary at %s" % args.tuna)


def snapshot_tuna(path, directory):
    """A working copy of the binary, so that a rebuild during the run does not pull it away
    (a copy taken while the linker writes it does not run, and is taken again)."""
    copy = os.path.join(directory, "tuna")
    for _ in range(60):
        try:
            shutil.copy2(path, copy)
            if run([copy, "--version"], check=False, timeout=30).returncode == 0:
                return copy
        except (OSError, Setup):
            pass
        time.sleep(2)
    raise Setup("cannot take a working copy of %s" % path)


# Trials in all per --bench run, split evenly over its processes.
BENCH_TRIALS = 2000


def bench_plans():
    spread = {1: {"h1": 1}, 2: {"h1": 1, "h2": 1}, 4: {"h1": 2, "h2": 1, "h3": 1}, 8: {"h1": 3, "h2": 3, "h3": 2}}
    return [(n, spread[n]) for n in (1, 2, 4, 8)]


def run_scenarios(ctx, args):
    if args.bench:
        results = []
        for processes, plan in bench_plans():
            results.append(scenario_throughput(ctx, plan, trials_each=BENCH_TRIALS // processes, number=1))
        return results
    table = {1: scenario_throughput, 2: scenario_kill, 3: scenario_cut, 4: scenario_skew}
    results = []
    for number in args.scenarios:
        say("== scenario %d ..." % number)
        results.append(table[number](ctx))
    return results


def print_bench(results):
    say("Throughput (%d trials in all, trivial objective, server clock first start to last end):" % BENCH_TRIALS)
    for r in results:
        c = r.counts
        say("  %-44s %7s trials/s   %7s trials/s with process start (%.2f s)"
            % (r.title, c.get("trials_per_s"), c.get("trials_per_s_wall"), c.get("wall_s", 0)))


def interrupt(signum, _frame):
    raise Interrupted(signum)


def main(argv):
    args = parse_args(argv)
    began = time.monotonic()
    cleanup = Cleanup()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
    try:
        check_prerequisites(args)
        directory = tempfile.mkdtemp(prefix="tuna-multihost.")
        cleanup.add("remove " + directory, lambda: shutil.rmtree(directory, ignore_errors=True))
        os.chmod(directory, 0o755)
        tuna = snapshot_tuna(args.tuna, directory)
        script = os.path.join(directory, "worker.lua")
        with open(script, "w") as f:
            f.write(WORKER_SCRIPT)
        lab = Lab(cleanup)
        lab.build()
        server = Server(lab, directory, cleanup)
        server.start()
        for host in lab.hosts:
            server.check_from(host)
        say("lab %s: server on %s (one link per host), workspace %s" % (
            lab.prefix, ", ".join(h.db_addr for h in lab.hosts), directory))
        say("storage URL on host 1: %s" % server.url(lab.hosts[0], "multihost_N"))
        fleet = Fleet(lab, server, tuna, script, directory, cleanup)
        results = run_scenarios(Context(lab, server, fleet), args)
        if args.bench:
            print_bench(results)
        passed = report(results, server, args.json, time.monotonic() - began)
        return 0 if passed else 1
    except Interrupted as e:
        say("interrupted (%s): cleaning up" % e)
        return 128 + e.signum
    except Setup as e:
        say("multihost: %s" % e)
        return 2
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        cleanup.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
