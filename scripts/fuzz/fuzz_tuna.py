#!/usr/bin/env python3
"""Program fuzzer for `tuna run`: random Lua programs (lua_programs.py), many per process,
checking that the host never dies and never runs past the limits the README promises.

    scripts/fuzz/fuzz_tuna.py --tuna .build/release/tuna --programs 300 --seed 1   # short run
    scripts/fuzz/fuzz_tuna.py --programs 100000 --seed 7 --jobs 1                  # long run
    scripts/fuzz/fuzz_tuna.py --programs 50000 --first 50000 --seed 7              # resume it
    scripts/fuzz/fuzz_tuna.py --self-test                                          # catches failures?
    scripts/fuzz/fuzz_tuna.py --seed 7 --print 1234                                # one program

A batch of programs is one Lua file (HARNESS) run by `tuna run --trial-timeout S --memory-limit M
--timeout T --quiet`, with `--sandbox --allow-read DIR --allow-write DIR` for the programs that
keep to the sandbox. Some processes also get `--storage`, `--report`, `--seed` or `--resume`, a
short `--timeout` that stops the script part-way, or a SIGINT/SIGTERM. The harness prints a
marker when each program begins and ends and around each statement that has a bound; the driver
timestamps the markers. Failures:

  crash   the process died by a signal, exited with a status the README does not list (0, 1,
          2, 130, 143; and 3 with "no trial completed"), or wrote a Swift fatal error, a crash
          report or a Lua panic to stderr;
  hang    a "trial" program outlived the trial limit, a bounded statement its bound, the
          process its --timeout plus the grace, the script's end by more than the finalizer
          watchdog (5 s), or a signal by more than the interrupt bound -- each plus --slack;
  escape  a sandboxed process wrote outside the directory it was granted (next to it, or in
          /tmp under the name probes write to by an absolute path, lua_programs.ESCAPE_TMP), or a
          program's probe found the sandbox allowing what it must refuse
          (lua_programs.SANDBOX_PROBES: CSV reads, storages, copy_study, model save and load).

Processes run with --storage are followed by the read-side subcommands (studies, trials, best,
export, importance, report) on the database the programs left, which must not crash or hang.

A process stopped by its --timeout (exit 1, "exceeded its time limit") is a documented outcome:
the programs that did not get their turn run again in a new process. So do those after a
failure. An exit before the end of the batch for another reason is counted as an abort, not a
failure, and the first few are kept for reading.

Each failure gets a signature (crash: the message and the crashing function; hang: the kind of
statement that hangs alone; escape: what was written or allowed). The first --max-repros of a
signature are reduced -- the program that was running, alone if it fails alone, else with the
fewest earlier programs; then its statements; then the lines of those -- and saved in --out with
repro.lua (the reduced batch), plain.lua (the reduced program without the harness, when it
fails the same way on its own), run.sh, the fixtures it needs and info.txt (command, exit
status, stderr); the others are saved whole. Exit status: 0 when nothing failed, 1 when
something did, 2 on bad usage.
"""

import argparse
import collections
import glob
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lua_programs  # noqa: E402

DOCUMENTED_EXITS = {0, 1, 2, 130, 143}
# README: `tuna run` exits 3 when the script ran to its end but no trial completed (a batch whose
# every "trial" program failed, such as a batch of one during reduction).
NO_TRIAL_COMPLETED = (3, "tuna: no trial completed")
CRASH_TEXT = re.compile(
    r"Fatal error|Program crashed|\*\*\* Signal \d+|PANIC|unprotected error|Assertion failed|"
    r"precondition failure|Segmentation fault|Illegal instruction|stack smashing|double free|"
    r"free\(\): invalid|malloc\(\)|corrupted size|AddressSanitizer|terminate called")
CUT_TEXT = "exceeded its time limit"
FINALIZER_WATCHDOG = 5.0  # README: the process ends if finalizers run longer after the script
REPORT_TIME = 60.0        # extra time after the script's end when --report writes the report of
                          # every study (a program may make 100,000 studies in its second)
STARTUP = 3.0             # a process prints its first marker within this
INSPECT_BOUND = 30.0      # seconds a read-side subcommand may take on a fuzzed database
INTERRUPT_BOUND = 2.0     # a process exits this soon after its first SIGINT/SIGTERM
DEFAULT_BATCH = 25
CLI_DB = "cli.db"
OUTSIDE_CSV = "a,target\n1,0\n2,1\n"   # a valid CSV file next to the granted directory
# What a sandboxed process may change next to its granted directory: the directory itself, the
# driver's files, and the --storage and --report files of the command line (which need no grant).
OWN_FILES = {"work", "batch.lua", "stderr.txt", "report.html"} | {CLI_DB + s for s in ("", "-wal", "-shm", "-journal")}

HARNESS = r"""-- tuna fuzz batch: runs each program of PROGRAMS in turn.
-- Usage: tuna run [--sandbox --allow-read DIR --allow-write DIR] --trial-timeout S --quiet
--        THIS_FILE -- DIR TOKEN       (DIR: a scratch directory with the fixtures)
local DIR, TOKEN = ...
local say, load, pcall, pairs, ipairs, type, tostring, select, next, rawset, setmetatable =
  print, load, pcall, pairs, ipairs, type, tostring, select, next, rawset, setmetatable
local collectgarbage, create_study, random_sampler = collectgarbage, tuna.create_study, tuna.samplers.random
-- Called as functions: a program may take the string metatable's __index away.
local gsub, sub, find = string.gsub, string.sub, string.find
local debug_, os_ = debug, os

-- Shared tables a program may change, copied now and put back after every program.
local saved = {}
local function save(t, depth)
  if type(t) ~= "table" or saved[t] then return end
  local copy = {}
  for k, v in pairs(t) do copy[k] = v end
  saved[t] = copy
  if depth > 0 then for _, v in pairs(copy) do save(v, depth - 1) end end
end
save(tuna, 2)
for _, t in ipairs({ _G, string, math, table, coroutine, utf8, getmetatable("") }) do save(t, 0) end
for _, t in pairs({ io, os, debug, package, package and package.loaded }) do save(t, 0) end
local function restore()
  for t, copy in pairs(saved) do
    for k in next, t do if copy[k] == nil then rawset(t, k, nil) end end
    for k, v in pairs(copy) do rawset(t, k, v) end
  end
end

-- What the sandbox probes call: a probe that succeeds with one of these replaced proves nothing.
local function probed_now()
  local data, ml, nn = tuna.data or {}, tuna.ml or {}, tuna.nn or {}
  return { tuna.create_study, data.csv, tuna.report, setmetatable, require, load, pcall, string.dump,
           tuna.copy_study, ml.load, nn.load, ml.linear_regression, ml.decision_tree, nn.mlp, nn.fit,
           data.make_regression, data.make_moons, string.find, string.match, string.gsub, tostring }
end
local probed, N_PROBED = probed_now(), 21
local function untouched(env)
  for _, k in ipairs({ "io", "os", "debug", "package", "dofile", "loadfile", "require", "load", "setmetatable",
                       "pcall", "string", "tuna", "tostring" }) do
    if rawget(env, k) ~= nil then return false end
  end
  local now = probed_now()
  for i = 1, N_PROBED do if now[i] ~= probed[i] then return false end end
  return true
end

local function quiet_print(...)
  for i = 1, select("#", ...) do tostring((select(i, ...))) end
end

local function run(id, mode, src)
  local mark = function(k, starting) say(TOKEN .. " r " .. id .. " " .. k .. (starting and " 1" or " 0")) end
  local env = setmetatable({ print = quiet_print }, { __index = _G, __metatable = false })
  local probe = function(what)
    if untouched(env) then say(TOKEN .. " x " .. id .. " " .. (gsub(tostring(what), "%s", "_"))) end
  end
  env._G = env
  local f, err = load(src, "=fuzz" .. id, "t", env)
  if not f then
    -- Out of memory (the studies of earlier programs fill the limit): run again in a new process.
    if find(tostring(err), "not enough memory", 1, true) then return "none" end
    return "syntax " .. gsub(tostring(err), "%s+", " ")
  end
  if mode == "top" then return pcall(f, nil, DIR, mark, probe) and "ok" or "error" end
  local ok, state = pcall(function()
    local s = create_study{ name = "fuzz" .. id, sampler = random_sampler{ seed = 0 } }
    -- The harness trial's state from a callback: a program may add any number of trials to this
    -- study (T.study), and listing them all is work of the harness's, outside the trial's limit.
    local state = "none"
    s:optimize(function(trial) f(trial, DIR, mark, probe) return 0 end, { n_trials = 1, callbacks = {
      function(_, t) if t.number == 0 then state = t.state end end } })
    return state
  end)
  if not ok and find(tostring(state), "not enough memory", 1, true) then return "none" end
  return ok and tostring(state) or ("harness-error " .. sub((gsub(tostring(state), "%s+", " ")), 1, 200))
end

-- Markers made before any program runs: studies kept in memory count against --memory-limit for
-- the rest of the process, so a program may leave too little to build a string.
local BEGIN, END, DONE = {}, {}, TOKEN .. " done"
for i, p in ipairs(PROGRAMS) do BEGIN[i], END[i] = TOKEN .. " b " .. p[1], TOKEN .. " e " .. p[1] end
for i, p in ipairs(PROGRAMS) do
  -- Out of memory for good: the programs left run in a new process (they have not begun here).
  if not pcall(load, "return") then break end
  say(BEGIN[i])
  local ok, status = pcall(run, p[1], p[2], p[3])
  if not ok then status = "none" end
  pcall(restore)
  if debug_ then pcall(debug_.sethook) end
  if os_ then pcall(os_.setlocale, "C") end
  collectgarbage("restart")
  collectgarbage("incremental")
  collectgarbage()
  collectgarbage()
  say(END[i], status)
end
say(DONE)
"""

# The reduced program on its own, without markers or the restoring of shared tables.
PLAIN = r"""-- %TITLE%
-- Usage: see run.sh (the same options as repro.lua; DIR is the first script argument).
local DIR = ...
local quiet = function(...) for i = 1, select("#", ...) do tostring((select(i, ...))) end end
local env = setmetatable({ print = quiet }, { __index = _G })
env._G = env
local program = assert(load(%SOURCE%, "=program", "t", env))
local mark = function() end
local probe = function(what) print("sandbox probe succeeded: " .. what) end
%RUN%
print("plain repro: the program returned")
"""
PLAIN_RUN = {
    "trial": 'local study = tuna.create_study{ sampler = tuna.samplers.random{ seed = 0 } }\n'
             'study:optimize(function(trial) program(trial, DIR, mark, probe) return 0 end, { n_trials = 1 })',
    "top": 'pcall(program, nil, DIR, mark, probe)',
}

INTROSPECT = r"""
local seen, names = {}, {}
local function walk(t, prefix, depth)
  if seen[t] or depth > 4 then return end
  seen[t] = true
  for k, v in pairs(t) do
    if type(k) == "string" then
      if type(v) == "function" then names[#names + 1] = prefix .. "." .. k
      elseif type(v) == "table" then walk(v, prefix .. "." .. k, depth + 1) end
    end
  end
end
walk(tuna, "tuna", 0)
table.sort(names)
for _, n in ipairs(names) do print(n) end
"""


# ---- batch files ---------------------------------------------------------------------------------
def lua_long_string(text):
    """`text` as a Lua long string that no `]=*]` inside it can end."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[\n{text}]{eq}]"


def harness_file(programs):
    """The Lua file that runs `programs`: the harness's opening comment, the programs, then
    the harness itself."""
    rows = [f'{{ {p.index}, "{p.mode}", {lua_long_string(p.source())} }},' for p in programs]
    lines = HARNESS.split("\n", 3)
    return "\n".join(lines[:3]) + "\nlocal PROGRAMS = {\n" + "\n".join(rows) + "\n}\n" + lines[3]


def plain_source(program, title):
    """A standalone script running one program the way the harness does."""
    return (PLAIN.replace("%TITLE%", title).replace("%RUN%", PLAIN_RUN[program.mode])
            .replace("%SOURCE%", lua_long_string(program.source())))


# ---- what a process is run with --------------------------------------------------------------------
class Variant:
    """The command-line choices of one process besides the batch itself."""

    def __init__(self, sandbox, storage=False, report=False, seed=None, resume=False, cut=None,
                 sig=None, sig_delay=0.0):
        self.sandbox, self.storage, self.report, self.seed = sandbox, storage, report, seed
        self.resume, self.cut, self.sig, self.sig_delay = resume, cut, sig, sig_delay

    @staticmethod
    def draw(rng, sandbox, args):
        """Mostly plain; now and then the other options the command line has."""
        v = Variant(sandbox)
        if args.plain:
            return v
        v.storage = rng.random() < 0.1
        v.resume = v.storage and rng.random() < 0.5
        v.report = rng.random() < 0.05
        v.seed = rng.choice([0, 1, 2 ** 31, 2 ** 63 - 1]) if rng.random() < 0.1 else None
        r = rng.random()
        if r < 0.05:
            v.cut = rng.choice([0.5, 1, 2, 3])
        elif r < 0.08:
            v.sig = rng.choice([signal.SIGINT, signal.SIGTERM])
            v.sig_delay = round(rng.uniform(0.1, 3.0), 2)
        return v

    def describe(self):
        parts = ["sandbox" if self.sandbox else "no sandbox"]
        parts += ["--storage"] * self.storage + ["--resume"] * self.resume + ["--report"] * self.report
        if self.seed is not None:
            parts.append(f"--seed {self.seed}")
        if self.cut:
            parts.append(f"--timeout {self.cut:g} (cuts the batch)")
        if self.sig:
            parts.append(f"{signal.Signals(self.sig).name} after {self.sig_delay:g} s")
        return ", ".join(parts)


class Outcome:
    """What one process did, and the verdict on it."""

    def __init__(self):
        self.cmd = []
        self.cwd = None            # the scratch directory the process runs in
        self.rc = None
        self.killed = None         # why the driver killed the process, if it did
        self.stderr = ""
        self.started = self.finished = 0.0
        self.begun = {}            # program id -> time of its begin marker
        self.ended = {}            # program id -> (time, status)
        self.regions = {}          # (program id, statement number) -> [begin, end or None]
        self.done_at = None        # time of the batch's last marker
        self.sig_at = None         # when the driver signalled the process
        self.timeout = 0.0         # its --timeout
        self.failures = []         # (kind, what, program id or None)
        self.probes = []           # (program id, name): things the sandbox allowed but must not
        self.escaped_in = None     # the program whose end the driver read when it first saw a file
                                   # outside the grant changed (that or an earlier one wrote it)
        self.inspect_cmd = None    # the read-side subcommand that failed, if one did
        self.inspect_db = None     # ... and the database it read
        self.cut = False           # stopped by its --timeout: a documented outcome
        self.cut_planned = False   # ... a short one given on purpose
        self.abort = None          # ended before the end of the batch for another reason

    @property
    def current(self):
        """The program that had begun and not ended, if any."""
        open_ = [i for i in self.begun if i not in self.ended]
        return open_[-1] if open_ else None

    def kind(self):
        """The most serious failure kind, or None."""
        kinds = [f[0] for f in self.failures]
        for k in ("crash", "escape", "hang"):
            if k in kinds:
                return k
        return None


# ---- running one process ----------------------------------------------------------------------------
class Runner:
    """Runs batches and judges them; safe to use from several threads at once."""

    def __init__(self, args, env=None):
        self.args = args
        self.env = env   # the processes' environment (None: this one's)

    def program_bound(self, p):
        """Seconds a program must end within, or None (the README bounds "trial" programs)."""
        return self.args.trial_timeout if p.mode == "trial" else None

    def program_budget(self, p):
        """Seconds a program is expected to need, for the process's --timeout."""
        a = self.args
        if p.mode == "trial":
            return a.trial_timeout + 0.5
        regions = sum(p.bound_of(k, a.trial_timeout) or 0 for k in range(len(p.statements)))
        return a.top_base + regions

    def process_timeout(self, programs, variant):
        if variant.cut:
            return variant.cut
        return 5 + sum(self.program_budget(p) for p in programs)

    @staticmethod
    def grace(timeout):
        """README: the script is stopped a tenth of --timeout (at least 1 s) after it."""
        return max(1.0, timeout / 10)

    def command(self, root, work, script, variant, timeout, token):
        a = self.args
        cmd = [a.tuna, "run"]
        if variant.sandbox:
            cmd += ["--sandbox", "--allow-read", work, "--allow-write", work]
        cmd += ["--trial-timeout", f"{a.trial_timeout:g}", "--memory-limit", a.memory_limit,
                "--timeout", f"{timeout:g}", "--quiet"]
        if variant.storage:
            cmd += ["--storage", "sqlite:" + os.path.join(root, CLI_DB)]
        if variant.resume:
            cmd.append("--resume")
        if variant.report:
            cmd += ["--report", os.path.join(root, "report.html")]
        if variant.seed is not None:
            cmd += ["--seed", str(variant.seed)]
        return cmd + [script, "--", work, token]

    @staticmethod
    def make_fixtures(work):
        """Fills a scratch directory with the files and links programs expect."""
        os.makedirs(os.path.join(work, "sub"))
        for name, text in lua_programs.FIXTURES.items():
            with open(os.path.join(work, name), "w", encoding="latin-1", newline="") as f:
                f.write(text)
        for name, target in lua_programs.LINKS.items():
            os.symlink(target, os.path.join(work, name))

    def run(self, programs, variant, kill_extra=None, sig_after_program=None, check_escape=None):
        """Runs `programs` in one process in a fresh scratch directory and judges it."""
        a = self.args
        kill_extra = a.kill_extra if kill_extra is None else kill_extra
        root = tempfile.mkdtemp(prefix="tuna-fuzz-", dir=a.tmp)
        o = Outcome()
        try:
            work = os.path.join(root, "work")
            self.make_fixtures(work)
            with open(os.path.join(root, "outside.csv"), "w") as f:
                f.write(OUTSIDE_CSV)
            before = self.listing(root)
            checking = variant.sandbox if check_escape is None else check_escape
            fs = (root, before) if checking else None
            script = os.path.join(root, "batch.lua")
            with open(script, "w") as f:
                f.write(harness_file(programs))
            token = "@@" + os.urandom(4).hex()
            o.timeout = self.process_timeout(programs, variant)
            o.cmd = self.command(root, work, script, variant, o.timeout, token)
            o.cwd = work  # files a trusted program writes by relative path stay in the scratch
            err_path = os.path.join(root, "stderr.txt")
            with open(err_path, "wb") as err:
                self.watch(o, programs, variant, err, token, kill_extra, sig_after_program, fs)
            with open(err_path, "rb") as f:
                o.stderr = f.read().decode("utf-8", "replace")
            self.judge(o, programs, variant)
            if checking:
                self.check_escape(o, root, before)
            if variant.storage and not o.failures and os.path.exists(os.path.join(root, CLI_DB)):
                self.inspect(o, root, programs)
        finally:
            shutil.rmtree(root, ignore_errors=True)
            self.remove_strays(root)
        return o

    def inspect(self, o, root, programs):
        """Reads the studies the batch stored with the other subcommands, which must not
        crash or hang on whatever the programs wrote (a missing study is exit 1)."""
        url = "sqlite:" + os.path.join(root, CLI_DB)
        names = self.stored_names(os.path.join(root, CLI_DB)) or [f"fuzz{programs[0].index}"]
        commands = [["studies"]]
        for name in names:
            commands += [["trials", name, "--format", "json"], ["best", name],
                         ["export", name, "--format", "csv", "-o", os.path.join(root, "export.csv")],
                         ["importance", name, "--evaluator", "fanova", "--pairs"],
                         ["report", name, "-o", os.path.join(root, "report.html")]]
        for sub in commands:
            cmd = [self.args.tuna] + sub[:1] + sub[1:] + ["--storage", url]
            try:
                r = subprocess.run(cmd, capture_output=True, timeout=INSPECT_BOUND, stdin=subprocess.DEVNULL,
                                   env=self.env, cwd=root)
            except subprocess.TimeoutExpired:
                o.failures.append(("hang", f"`tuna {sub[0]}` on the stored studies ran over {INSPECT_BOUND:g} s", None))
                o.inspect_cmd = cmd
                return
            c = Outcome()
            c.rc, c.stderr = r.returncode, r.stderr.decode("utf-8", "replace")
            crash = self.crash_of(c)
            if crash:
                o.failures.append(("crash", f"`tuna {sub[0]}` on the stored studies: {crash}", None))
                o.inspect_cmd, o.stderr = cmd, o.stderr + "\n--- tuna " + sub[0] + ":\n" + c.stderr
                with open(os.path.join(root, CLI_DB), "rb") as f:
                    o.inspect_db = f.read()
                return

    @staticmethod
    def stored_names(path):
        """The names of the three studies with the most trials in a database (the schema is
        read only to choose what to ask about; nothing depends on it when it changes)."""
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = con.execute("SELECT s.name FROM studies s LEFT JOIN trials t ON t.study_id = s.id "
                                   "GROUP BY s.id ORDER BY count(t.id) DESC LIMIT 3").fetchall()
            finally:
                con.close()
            return [r[0] for r in rows if isinstance(r[0], str) and "\0" not in r[0] and not r[0].startswith("-")]
        except sqlite3.Error:
            return []

    @staticmethod
    def listing(root):
        """Names directly in `root` with their size and modification time."""
        out = {}
        for name in os.listdir(root):
            try:
                st = os.lstat(os.path.join(root, name))
            except FileNotFoundError:  # removed between the listing and the look (a -wal file)
                continue
            out[name] = (st.st_size, st.st_mtime_ns)
        return out

    @staticmethod
    def strays(root):
        """Files a program wrote by an absolute path outside its scratch directory: probes name
        them /tmp/<the scratch directory's name>-* (lua_programs.ESCAPE_TMP)."""
        prefix = os.path.join(lua_programs.ESCAPE_TMP, os.path.basename(root.rstrip(os.sep)) + "-")
        return sorted(glob.glob(glob.escape(prefix) + "*"))

    @staticmethod
    def remove_strays(root):
        for path in Runner.strays(root):
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.remove(path)
            except OSError:
                pass

    def outside_changes(self, root, before):
        """Names next to the granted directory that appeared, changed or went away, and files
        written by an absolute path in /tmp (which are named in full)."""
        after = self.listing(root)
        name = os.path.basename(root.rstrip(os.sep))
        # The scratch directory's name is random: "<scratch>" keeps one signature per place.
        strays = [os.path.join(os.path.dirname(p), "<scratch>" + os.path.basename(p)[len(name):])
                  for p in self.strays(root)]
        return sorted(n for n in set(before) | set(after) if n not in OWN_FILES and before.get(n) != after.get(n)) \
            + strays

    def check_escape(self, o, root, before):
        """A sandboxed process may write into its granted directory only (and its own
        --storage and --report files); what it must not do, it must not be allowed to."""
        changed = self.outside_changes(root, before)
        if changed:
            where = o.escaped_in if o.escaped_in is not None else o.current
            o.failures.append(("escape", "wrote outside the granted directory: " + ", ".join(changed), where))
        for pid, name in o.probes:
            o.failures.append(("escape", f"the sandbox allowed {name}", pid))

    def watch(self, o, programs, variant, err, token, kill_extra, sig_after_program, fs=None):
        """Starts the process, timestamps its markers, and kills it when it runs past a bound."""
        a = self.args
        bounds = {p.index: p for p in programs}
        lines = collections.deque()
        marker = re.compile(re.escape(token) + r" (b|e|r|x|done)(?: (\d+))?(?:[ \t](.*))?")
        o.started = time.monotonic()
        proc = subprocess.Popen(o.cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=self.env, cwd=o.cwd)

        def reader():
            for raw in proc.stdout:
                lines.append((time.monotonic(), raw.decode("utf-8", "replace")))
            lines.append((time.monotonic(), None))

        threading.Thread(target=reader, daemon=True).start()
        sig_time = o.started + variant.sig_delay if variant.sig and sig_after_program is None else None
        eof = False
        while not eof:
            while lines:
                t, line = lines.popleft()
                if line is None:
                    eof = True
                    break
                m = marker.search(line)
                if m:
                    self.note(o, m, t)
                    if fs and m.group(1) == "e" and o.escaped_in is None and self.outside_changes(*fs):
                        o.escaped_in = int(m.group(2))
                    if sig_after_program and m.group(1) == "b" and int(m.group(2)) == sig_after_program[0]:
                        sig_time = t + sig_after_program[1]
            if eof:
                break
            now = time.monotonic()
            if sig_time and o.sig_at is None and not o.done_at and now >= sig_time and proc.poll() is None:
                o.sig_at = now
                try:
                    os.kill(proc.pid, variant.sig)
                except ProcessLookupError:
                    pass
            reason = self.overdue(o, bounds, variant, now, kill_extra)
            if reason:
                o.killed = reason
                self.kill(proc)
                break
            time.sleep(0.02)
        try:
            o.rc = proc.wait(timeout=FINALIZER_WATCHDOG + a.slack + kill_extra)
        except subprocess.TimeoutExpired:
            o.killed = o.killed or "closed its output but did not exit"
            self.kill(proc)
            o.rc = proc.wait()
        o.finished = time.monotonic()

    @staticmethod
    def note(o, m, t):
        """Records one marker."""
        what, ident, arg = m.groups()
        arg = (arg or "").rstrip("\r\n")
        if what == "done":
            o.done_at = t
        elif what == "b":
            o.begun[int(ident)] = t
        elif what == "e":
            o.ended[int(ident)] = (t, arg)
        elif what == "x":
            o.probes.append((int(ident), arg))
        elif what == "r":
            k, _, flag = arg.partition(" ")
            key = (int(ident), int(k))
            if flag == "1":
                o.regions[key] = [t, None]
            elif key in o.regions:
                o.regions[key][1] = t

    def overdue(self, o, programs, variant, now, extra):
        """Why the process should be killed now, or None."""
        a = self.args
        late = a.slack + extra
        cur = o.current
        if cur is not None:
            bound = self.program_bound(programs[cur])
            if bound is not None and now - o.begun[cur] > bound + late:
                return f"program {cur} still running {now - o.begun[cur]:.1f} s after it began (limit {bound:g} s)"
            for (pid, k), (t0, t1) in o.regions.items():
                b = programs[pid].bound_of(k - 1, a.trial_timeout) if pid == cur else None
                if b is not None and t1 is None and now - t0 > b + late:
                    return f"program {pid} statement {k} still running {now - t0:.1f} s after it began (bound {b:g} s)"
        if not o.done_at and now - o.started > o.timeout + self.grace(o.timeout) + STARTUP + late:
            return (f"process still running {now - o.started:.1f} s after it started "
                    f"(--timeout {o.timeout:g} s + grace {self.grace(o.timeout):g} s)")
        if o.done_at and now - o.done_at > FINALIZER_WATCHDOG + REPORT_TIME * variant.report + late:
            return f"process still running {now - o.done_at:.1f} s after the script ended"
        if not o.begun and now - o.started > STARTUP + late:
            return f"no output {now - o.started:.1f} s after start"
        if o.sig_at and now - o.sig_at > INTERRUPT_BOUND + late:
            return f"process still running {now - o.sig_at:.1f} s after {signal.Signals(variant.sig).name}"
        return None

    @staticmethod
    def kill(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def judge(self, o, programs, variant):
        """Turns what the process did into failures (crash, hang) or a documented outcome."""
        a = self.args
        index = {p.index: p for p in programs}
        crash = self.crash_of(o)
        if crash:
            o.failures.append(("crash", crash, o.current))
        if o.killed and not crash:
            o.failures.append(("hang", "killed: " + o.killed, o.current))
        for i, t0 in o.begun.items():
            bound = self.program_bound(index[i])
            if i in o.ended and bound is not None and o.ended[i][0] - t0 > bound + a.slack:
                o.failures.append(("hang", f"program {i} took {o.ended[i][0] - t0:.2f} s "
                                           f"(limit {bound:g} s + slack {a.slack:g} s)", i))
        for (i, k), (t0, t1) in o.regions.items():
            b = index[i].bound_of(k - 1, a.trial_timeout)
            if t1 is not None and b is not None and t1 - t0 > b + a.slack:
                o.failures.append(("hang", f"program {i} statement {k} took {t1 - t0:.2f} s "
                                           f"(bound {b:g} s + slack {a.slack:g} s)", i))
        if o.killed or crash:
            return
        extra = REPORT_TIME * variant.report
        if o.done_at and o.finished - o.done_at > FINALIZER_WATCHDOG + extra + a.slack:
            o.failures.append(("hang", f"exit took {o.finished - o.done_at:.2f} s after the script ended", None))
        if o.sig_at and o.finished - o.sig_at > INTERRUPT_BOUND + a.slack:
            o.failures.append(("hang", f"exit took {o.finished - o.sig_at:.2f} s after "
                                       f"{signal.Signals(variant.sig).name}", o.current))
        if o.done_at is None and not o.sig_at:
            if o.rc == 1 and CUT_TEXT in o.stderr:
                o.cut, o.cut_planned = True, bool(variant.cut)
            else:
                o.abort = f"exit status {o.rc} before the end of the batch"
        elif o.done_at is not None and o.rc != 0 and not o.sig_at and not Runner.no_trial_completed(o):
            o.abort = f"exit status {o.rc} after the end of the batch"
        elif o.sig_at and o.done_at is None and o.rc not in (130, 143):
            o.abort = f"exit status {o.rc} after {signal.Signals(variant.sig).name} (130 or 143 expected)"

    @staticmethod
    def no_trial_completed(o):
        """Whether the process exited with the status and message of a run without a complete trial."""
        return o.rc == NO_TRIAL_COMPLETED[0] and NO_TRIAL_COMPLETED[1] in o.stderr

    @staticmethod
    def crash_of(o):
        """The crash this process shows, or None."""
        if o.rc is not None and o.rc < 0:
            status = f"killed by signal {-o.rc} ({signal.Signals(-o.rc).name})"
        else:
            status = f"exit status {o.rc}"
        m = CRASH_TEXT.search(o.stderr)
        if m:
            why = re.search(r"(Swift runtime failure: [^\n]*?)(?: in \S+ at |\n| \*\*\*)", o.stderr) or \
                re.search(r"(Fatal error[^\n]*)", o.stderr)
            line = why.group(1) if why else \
                o.stderr[max(0, o.stderr.rfind("\n", 0, m.start()) + 1):].split("\n", 1)[0]
            return f"{status}, stderr: {line.strip()[:200]}"
        if o.rc is not None and o.rc < 0 and not o.killed:
            return status
        if o.rc is not None and o.rc >= 0 and o.rc not in DOCUMENTED_EXITS and not Runner.no_trial_completed(o):
            return f"{status}, which the README does not list"
        return None


# ---- signatures and reduction ---------------------------------------------------------------------------
ISOLATED = 10 ** 9   # numbers of the one-statement programs made to isolate a hang


def crash_class(what):
    """What a crash must keep while it is reduced: its signal, exit status or message."""
    return re.sub(r"0x[0-9a-f]+|\d+(\.\d+)?", "N", what.split(", stderr: ")[-1])


def crash_site(stderr):
    """Where a crash happened: the first frame in tuna itself of the thread Swift's crash
    report says crashed, else the fatal-error message, else that thread's first frame; with
    numbers and addresses dropped."""
    frames = []
    m = re.search(r'^Thread \d+(?: "[^"\n]*")? crashed:', stderr, re.M)
    if m:
        for line in stderr[m.end():].split("\n")[1:]:
            if not line.strip():
                if frames:
                    break
                continue
            m = re.search(r"0x[0-9a-f]+ (.+?) \+ \d+ in (\S+)", line)
            if m:
                frames.append((m.group(1), m.group(2)))
    fatal = re.search(r"Fatal error: ([^\n]*)", stderr)
    site = next((f for f, image in frames if image == "tuna"), None) or (fatal and fatal.group(1)) or \
        (frames[0][0] if frames else "?")
    return re.sub(r"0x[0-9a-f]+|\d+", "N", site)[:160]


HANG_CLASSES = [(r"program \d+ statement", "statement bound"), (r"program \d+ (still running|took)", "trial limit"),
                (r"--timeout", "process timeout"), (r"after the script ended", "after the end"),
                (r"no output", "startup"), (r"after SIG", "signal"), (r"stored studies", "subcommand")]


def hang_class(what):
    """What a hang must keep while it is reduced: which bound it broke."""
    return next((name for pattern, name in HANG_CLASSES if re.search(pattern, what)), what)


def escape_class(what):
    """What an escape must keep while it is reduced: the probe that succeeded, or the files
    written outside the grant without SQLite's -wal/-shm/-journal companions."""
    if ": " not in what or not what.startswith("wrote outside"):
        return what
    files = {re.sub(r"-(wal|shm|journal)$", "", f) for f in what.split(": ", 1)[1].split(", ")}
    return "wrote outside the granted directory: " + ", ".join(sorted(files))


def signature(kind, what, stderr, detail=""):
    """Failures with the same signature are taken for one bug: only the first few are reduced."""
    if kind == "crash":
        return ("crash", crash_class(what), crash_site(stderr))
    if kind == "escape":
        return ("escape", escape_class(what), detail)
    return (kind, hang_class(what), detail)


class Reducer:
    """Finds a small batch that still fails the same way: the culprit program (with the fewest
    earlier programs it needs), then its fewest statements, then their fewest lines."""

    def __init__(self, runner, kind, what, variant, budget, sig_offset=None, deadline=None):
        self.runner, self.kind, self.variant, self.budget = runner, kind, variant, budget
        self.deadline = deadline   # time.monotonic() after which no more runs start
        self.klass = crash_class(what) if kind == "crash" else None
        self.what = what
        self.sig_offset = sig_offset
        self.last = None     # (programs, outcome) of the last failing run: the smallest so far
        self.runs = 0
        self.confirmed = 0   # how many of 3 runs of the final batch failed

    def same(self, o):
        if o.kind() != self.kind:
            return False
        if self.kind == "crash":
            return any(f[0] == "crash" and crash_class(f[1]) == self.klass for f in o.failures)
        if self.kind == "escape":
            return any(f[0] == "escape" and escape_class(f[1]) == escape_class(self.what) for f in o.failures)
        return any(f[0] == "hang" and hang_class(f[1]) == hang_class(self.what) for f in o.failures)

    def fails(self, programs, tries=2):
        for _ in range(tries):
            if self.budget <= 0 or (self.deadline and time.monotonic() > self.deadline):
                return False
            self.budget -= 1
            self.runs += 1
            sig = (programs[-1].index, self.sig_offset) if self.sig_offset is not None else None
            o = self.runner.run(programs, self.variant, kill_extra=0.5, sig_after_program=sig)
            if self.same(o):
                self.last = (programs, o)
                return True
        return False

    @staticmethod
    def ddmin(items, test):
        """Delta debugging: a smaller list of `items` for which `test` still holds."""
        n = 2
        while len(items) >= 2:
            size = max(1, len(items) // n)
            for start in range(0, len(items), size):
                rest = items[:start] + items[start + size:]
                if rest and test(rest):
                    items, n = rest, max(n - 1, 2)
                    break
            else:
                if n >= len(items):
                    break
                n = min(len(items), n * 2)
        return items

    def isolate(self, programs, suspect):
        """The kind of the first statement of the suspect that fails on its own, for the
        signature of a hang: one process runs each statement as a program of its own."""
        target = next((p for p in programs if p.index == suspect), None)
        if target is None:
            return ""
        alone = []
        for k, st in enumerate(target.statements):
            q = target.with_statements([st])
            q.index = ISOLATED + k
            alone.append(q)
        v = self.variant
        o = self.runner.run(alone, Variant(v.sandbox, v.storage, v.report, v.seed, v.resume), kill_extra=0.5)
        self.runs += 1
        hung = [f[2] for f in o.failures if f[0] == self.kind and f[2] is not None and f[2] >= ISOLATED]
        return target.statements[hung[0] - ISOLATED].kind if hung else "several statements"

    def culprit_batch(self, programs, suspect):
        """The fewest programs that fail, ending with the suspect when there is one."""
        if suspect is not None:
            upto = [p for p in programs if p.index <= suspect] if suspect in [p.index for p in programs] else programs
            target = upto[-1]
            if self.fails([target], tries=3):
                return [target]
            if len(upto) > 1 and self.fails(upto):
                return self.ddmin(upto[:-1], lambda r: self.fails(r + [target])) + [target]
            return None
        if self.fails(programs):
            return self.ddmin(programs, self.fails)
        return None

    def reduce(self, programs, suspect):
        """(programs, outcome) of the smallest failing batch found, or None."""
        batch = self.culprit_batch(programs, suspect)
        if batch is None:
            return None
        head, target = batch[:-1], batch[-1]

        def with_statements(stmts):
            return head + [target.with_statements(stmts)]

        stmts = target.statements
        if len(stmts) > 1:
            stmts = self.ddmin(list(stmts), lambda s: self.fails(with_statements(s)))
        # Then the lines of each statement that is left.
        for i in range(len(stmts)):
            st = stmts[i]
            lines = st.text.split("\n")
            if len(lines) <= 2:
                continue

            def test(kept, i=i, st=st):
                trial = list(stmts)
                trial[i] = lua_programs.Statement("\n".join(kept), st.kind, st.bound)
                return self.fails(with_statements(trial))

            kept = self.ddmin(lines, test)
            stmts = list(stmts)
            stmts[i] = lua_programs.Statement("\n".join(kept), st.kind, st.bound)
        final = with_statements(stmts)
        self.budget, self.deadline = max(self.budget, 0) + 3, None
        last = self.last
        self.confirmed = sum(self.fails(final, tries=1) for _ in range(3))
        return self.last if self.confirmed else last


# ---- the fuzzing run -------------------------------------------------------------------------------------
class Fuzzer:
    """Generates batches, runs them on --jobs threads, reduces and saves failures."""

    def __init__(self, args, api):
        self.args, self.api = args, api
        self.runner = Runner(args)
        self.lock = threading.Lock()
        self.stats = collections.Counter()
        self.statuses = collections.Counter()
        self.findings = []                  # (kind, what, directory)
        self.signatures = collections.Counter(self.load_seen())
        self.slowest = []                   # (seconds, program id, mode)
        self.pending = self.batches()
        self.t0 = time.monotonic()
        budget = args.reduce_time if args.reduce_time is not None else (30 if args.programs < 5000 else None)
        self.reduce_deadline = self.t0 + budget if budget is not None else None
        self.last_progress = self.t0

    def batches(self):
        """(programs, variant) for the whole run, a batch at a time."""
        a = self.args
        queues = {True: [], False: []}
        rng = random.Random(f"tuna-fuzz-variants/{a.seed}/{a.first}")
        for i in range(a.first, a.first + a.programs):
            p = lua_programs.generate(a.seed, i, self.api)
            q = queues[p.sandbox]
            q.append(p)
            if len(q) == a.batch:
                yield list(q), Variant.draw(rng, p.sandbox, a)
                q.clear()
        for sandbox, q in queues.items():
            if q:
                yield list(q), Variant.draw(rng, sandbox, a)

    def load_seen(self):
        """Signatures counted by earlier parts of a long run (--seen), so they are not reduced again."""
        path = self.args.seen
        if not path or not os.path.exists(path):
            return {}
        with open(path) as f:
            return {tuple(k): n for k, n in json.load(f)}

    def save_seen(self):
        if self.args.seen:
            with self.lock:
                rows = [[list(k), n] for k, n in self.signatures.items()]
            with open(self.args.seen + ".new", "w") as f:
                json.dump(rows, f)
            os.replace(self.args.seen + ".new", self.args.seen)

    def next_batch(self):
        with self.lock:
            return next(self.pending, None)

    def worker(self):
        while True:
            job = self.next_batch()
            if job is None:
                return
            self.run_batch(*job)
            self.progress()

    def run_batch(self, programs, variant):
        """Runs a batch until every program has had its turn (new processes after failures)."""
        while programs:
            o = self.runner.run(programs, variant)
            self.count(o, programs)
            kind = o.kind()
            if kind:
                self.report(o, programs, variant)
            if o.abort:
                self.keep_abort(o, programs, variant)
            done = set(o.begun) - skipped(o)
            if not done:
                with self.lock:
                    self.stats["not run"] += len(programs)
                return
            programs = [p for p in programs if p.index not in done]
            # A new process for the rest, without a signal or a cut (they have been tried).
            variant = Variant(variant.sandbox, variant.storage, variant.report, variant.seed, variant.resume)

    def count(self, o, programs):
        with self.lock:
            self.stats["processes"] += 1
            self.stats["programs"] += len(set(o.begun) - skipped(o))
            self.stats["run again"] += len(skipped(o))
            self.stats["cut"] += o.cut and bool(o.cut_planned)
            self.stats["over budget"] += o.cut and not o.cut_planned
            self.stats["signalled"] += o.sig_at is not None
            self.stats["aborts"] += o.abort is not None
            for i, (t, status) in o.ended.items():
                word = status.split(" ")[0]
                self.statuses[word] += 1
                if word == "syntax":
                    self.stats["generator errors"] += 1
                    print(f"fuzz: generator bug: program {i}: {status}", file=sys.stderr, flush=True)
                self.slowest.append((round(t - o.begun[i], 2), i, next(p.mode for p in programs if p.index == i)))
            self.slowest = sorted(self.slowest, reverse=True)[:10]

    def progress(self, final=False):
        now = time.monotonic()
        if not final and (self.args.programs < 5000 or now - self.last_progress < 60):
            return
        with self.lock:
            self.last_progress = now
            s, el = self.stats, now - self.t0
            print(f"fuzz: {s['programs']} programs, {s['processes']} processes, {el:.0f} s, "
                  f"{s['programs'] / max(el, 1e-9):.1f} programs/s, crashes {s['crashes']}, hangs {s['hangs']}, "
                  f"escapes {s['escapes']}, aborts {s['aborts']}", flush=True)

    def report(self, o, programs, variant):
        """Counts a failure, reduces it (unless its signature has been seen often) and saves it."""
        a = self.args
        kind, what, suspect = next(f for f in o.failures if f[0] == o.kind())
        with self.lock:
            self.stats[{"crash": "crashes", "hang": "hangs", "escape": "escapes"}[kind]] += 1
        print(f"fuzz: {kind}: {what} (seed {a.seed}, program {suspect}, batch of {len(programs)}, "
              f"{variant.describe()})", file=sys.stderr, flush=True)
        offset = (o.sig_at - o.begun[suspect]) if o.sig_at and suspect in o.begun else None
        red = Reducer(self.runner, kind, what, variant, a.reduce_runs, offset, self.reduce_deadline)
        detail = ""
        if kind == "hang" and suspect is not None and not a.no_reduce and self.reducing_allowed():
            detail = red.isolate(programs, suspect)
        sig = signature(kind, what, o.stderr, detail)
        with self.lock:
            seen = self.signatures[sig]
            self.signatures[sig] += 1
        self.save_seen()
        reduced = None
        if a.no_reduce:
            note = "not reduced: --no-reduce"
        elif seen >= a.max_repros:
            note = f"not reduced: its signature was seen {seen} times before"
        elif not self.reducing_allowed():
            note = "not reduced: the run's reduction time (--reduce-time) is spent"
        else:
            # A file outside the grant is noticed when the driver next looks, which may be a
            # few programs late: any program of the batch may have written it.
            written = kind == "escape" and what.startswith("wrote outside")
            reduced = red.reduce(programs, None if written else suspect)
            note = (f"reduced in {red.runs} runs; the reduced batch failed {red.confirmed} of 3 more runs" if reduced
                    else f"did not fail again in {red.runs} runs: batch.lua is the whole batch")
        note += "\nsignature: " + " | ".join(x for x in sig if x)
        self.save(kind, what, suspect, o, programs, variant, reduced, note)

    def reducing_allowed(self):
        return self.reduce_deadline is None or time.monotonic() < self.reduce_deadline

    def save(self, kind, what, suspect, o, programs, variant, reduced, note):
        """Writes the failure's directory: info.txt, batch.lua, and the repro when reduced."""
        a = self.args
        key = reduced[0][-1].index if reduced else suspect if suspect is not None else programs[0].index
        d = unique_dir(a.out, f"{kind}-seed{a.seed}-program{key}")
        with open(os.path.join(d, "batch.lua"), "w") as f:
            f.write(harness_file(programs))
        if o.inspect_db:
            with open(os.path.join(d, CLI_DB), "wb") as f:
                f.write(o.inspect_db)
        info = [f"kind: {kind}", f"what: {what}", f"seed: {a.seed}",
                f"programs in the batch: {[p.index for p in programs]}", f"program running: {o.current}",
                f"process: {variant.describe()}", f"exit status: {o.rc}", f"killed by the driver: {o.killed}",
                f"regenerate a program: fuzz_tuna.py --seed {a.seed} --print ID",
                f"failing subcommand on the stored studies: {' '.join(o.inspect_cmd)}" if o.inspect_cmd else "",
                "command (batch.lua): " + " ".join(o.cmd)]
        stderr = o.stderr
        info.append(note)
        if reduced:
            progs, ro = reduced
            save_repro(d, progs, ro, variant, a, self.runner, kind, what)
            info += [f"reduced to programs {[p.index for p in progs]} "
                     f"({sum(len(s.text.splitlines()) for s in progs[-1].statements)} lines in the last)",
                     f"reduced run: exit status {ro.rc}; " + "; ".join(f[1] for f in ro.failures),
                     "command (repro.lua): see run.sh"]
            stderr = ro.stderr
        with open(os.path.join(d, "info.txt"), "w") as f:
            f.write("\n".join(info) + "\n\nstderr (last 4000 characters):\n" + stderr[-4000:])
        with self.lock:
            self.findings.append((kind, what, d))
        print(f"fuzz:   saved {d}", file=sys.stderr, flush=True)

    def keep_abort(self, o, programs, variant):
        """Keeps the first few batches that ended early for another reason, to be read."""
        with self.lock:
            n = self.stats["aborts"]
        if n > 3:
            return
        d = unique_dir(os.path.join(self.args.out, "aborts"), f"seed{self.args.seed}-program{o.current}")
        with open(os.path.join(d, "batch.lua"), "w") as f:
            f.write(harness_file(programs))
        with open(os.path.join(d, "info.txt"), "w") as f:
            f.write(f"{o.abort}\nprogram running: {o.current}\nprocess: {variant.describe()}\n"
                    f"command: {' '.join(o.cmd)}\n\nstderr (last 4000 characters):\n{o.stderr[-4000:]}")

    def run(self):
        threads = [threading.Thread(target=self.worker) for _ in range(self.args.jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - self.t0


def skipped(o):
    """Programs that could not run in this process: a "trial" program whose trial never started
    (the process's --timeout was spent: no new trial starts then), or any program that found the
    memory limit already filled by the studies of earlier ones (kept in memory, they count for
    the rest of the process). They run again in a new process."""
    return {i for i, (_, status) in o.ended.items() if status == "none"}


def unique_dir(parent, name):
    """A new directory `parent/name`, with a number added when that exists."""
    os.makedirs(parent, exist_ok=True)
    d, n = os.path.join(parent, name), 1
    while True:
        try:
            os.makedirs(d)
            return d
        except FileExistsError:
            n += 1
            d = os.path.join(parent, f"{name}-{n}")


def save_repro(d, programs, outcome, variant, args, runner, kind, what):
    """repro.lua, fixtures/, run.sh, and plain.lua when the program fails on its own too."""
    with open(os.path.join(d, "repro.lua"), "w") as f:
        f.write(harness_file(programs))
    runner.make_fixtures(os.path.join(d, "fixtures"))
    flags = outcome.cmd[2:outcome.cmd.index("--") - 1]
    shown = []
    for x in flags:
        if x.endswith("/work"):
            x = '"$work"'
        elif x.startswith("sqlite:"):
            x = 'sqlite:"$work"/../cli.db'
        elif x.endswith("report.html"):
            x = '"$work"/../report.html'
        shown.append(x)
    script = "\n".join([
        "#!/bin/sh",
        "# Runs SCRIPT (default repro.lua) as the fuzzer did: usage run.sh [TUNA] [SCRIPT]",
        'here=$(cd "$(dirname "$0")" && pwd)',
        'tuna=${1:-tuna}',
        'case $tuna in */*) tuna=$(cd "$(dirname "$tuna")" && pwd)/$(basename "$tuna") ;; esac',
        'script=${2:-repro.lua}',
        'work=$(mktemp -d)/work',
        'cp -R "$here/fixtures" "$work"',
        'printf "a,target\\n1,0\\n2,1\\n" > "$work/../outside.csv"',
        '# In the granted directory, as the fuzzer ran it (a relative path lands there).',
        'cd "$work" || exit 1',
        f'"$tuna" run {" ".join(shown)} "$here/$script" -- "$work" @@0000',
        'echo "exit status $?"',
        f'echo "outside the granted directory:"; ls -la "$work/.."; ls -la {lua_programs.ESCAPE_TMP}/"$(basename "$(dirname "$work")")"-* 2>/dev/null',
        ""])
    with open(os.path.join(d, "run.sh"), "w") as f:
        f.write(script)
    os.chmod(os.path.join(d, "run.sh"), 0o755)
    target = programs[-1]
    if len(programs) == 1 and not variant.cut and not variant.sig:
        text = plain_source(target, f"Reduced from program {target.index} (a {target.mode} program): {kind}: {what}")
        if plain_fails(d, text, target, variant, args, kind, what):
            with open(os.path.join(d, "plain.lua"), "w") as f:
                f.write(text)


def plain_fails(d, text, program, variant, args, kind, what):
    """Whether the standalone form of a one-program repro fails the same way: a crash of the
    same class, a run longer than the program's bound plus the slack, or a sandbox probe or
    write outside the granted directory."""
    limit = args.trial_timeout if program.mode == "trial" else \
        sum(program.bound_of(k, args.trial_timeout) or 0 for k in range(len(program.statements)))
    if kind == "hang" and not limit:
        return False
    limit += args.slack
    root = tempfile.mkdtemp(prefix="tuna-fuzz-plain-", dir=args.tmp)
    try:
        work = os.path.join(root, "work")
        Runner.make_fixtures(work)
        with open(os.path.join(root, "outside.csv"), "w") as f:
            f.write(OUTSIDE_CSV)
        path = os.path.join(root, "plain.lua")
        with open(path, "w") as f:
            f.write(text)
        before = Runner.listing(root)
        Runner.remove_strays(root)
        cmd = [args.tuna, "run"]
        if variant.sandbox:
            cmd += ["--sandbox", "--allow-read", work, "--allow-write", work]
        cmd += ["--trial-timeout", f"{args.trial_timeout:g}", "--memory-limit", args.memory_limit, "--quiet",
                path, "--", work]
        for _ in range(3):
            t0 = time.monotonic()
            # In the granted directory, as the batch ran: relative paths stay in the scratch.
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, start_new_session=True, cwd=work)
            try:
                out, err = proc.communicate(timeout=limit + 3)
            except subprocess.TimeoutExpired:
                Runner.kill(proc)
                proc.communicate()
                if kind == "hang":
                    return True
                continue
            o = Outcome()
            o.rc, o.stderr = proc.returncode, err.decode("utf-8", "replace")
            c = Runner.crash_of(o)
            if kind == "crash" and c and crash_class(c) == crash_class(what):
                return True
            if kind == "hang" and time.monotonic() - t0 > limit:
                return True
            if kind == "escape" and (b"sandbox probe succeeded" in out or Runner.strays(root) or
                                     set(Runner.listing(root)) - set(before) - {"plain.lua"}):
                return True
        return False
    finally:
        shutil.rmtree(root, ignore_errors=True)
        Runner.remove_strays(root)


def introspect(args):
    """Function names found by walking the binary's `tuna` table."""
    d = tempfile.mkdtemp(prefix="tuna-fuzz-", dir=args.tmp)
    try:
        path = os.path.join(d, "walk.lua")
        with open(path, "w") as f:
            f.write(INTROSPECT)
        r = subprocess.run([args.tuna, "run", "--sandbox", "--quiet", path], capture_output=True,
                           text=True, timeout=30)
        return [line for line in r.stdout.split() if line.startswith("tuna.")]
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---- self-test -----------------------------------------------------------------------------------------------
FAKE_TUNA = r'''#!%PYTHON%
"""A stand-in for tuna that fails on purpose (FAKE_MODE): segv, silent, linger, fatal."""
import os, re, signal, sys, time
mode = os.environ.get("FAKE_MODE", "segv")
argv = sys.argv
script, token = argv[argv.index("--") - 1], argv[argv.index("--") + 2]
ids = re.findall(r'^\{ (\d+), "', open(script).read(), re.M)
say = lambda s: (sys.stdout.write(s + "\n"), sys.stdout.flush())
if mode == "silent":
    time.sleep(60)
say(f"{token} b {ids[0]}")
if mode == "segv":
    os.kill(os.getpid(), signal.SIGSEGV)
for i in ids:
    say(f"{token} b {i}")
    say(f"{token} e {i} complete")
say(f"{token} done")
if mode == "fatal":
    sys.stderr.write("Fatal error: Index out of range\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(60)
'''


def self_test(args):
    """Shows that the fuzzer catches what it must: crashes (a signal, an undocumented exit
    status, a fatal-error message), hangs (a program past the trial limit, a bounded statement
    past its bound, a process past --timeout, no output, no exit after the end), a sandbox
    escape (next to the granted directory, in /tmp, a probe), and a clean batch that passes; and
    that the reducer finds the one bad statement."""
    P, St = lua_programs.Program, lua_programs.Statement

    def prog(i, mode, sandbox, texts):
        return P(i, mode, sandbox, [St(t, "test") for t in texts])

    benign = ["pcall(function() S[1] = tuna.create_study{} end)", "local _ = 1",
              "pcall(function() S[1]:optimize(function(t) return t:suggest_float('x', 0, 1) end, { n_trials = 2 }) end)"]
    self_kill = ("local f = io.open('/proc/self/stat') local pid = f:read('n') f:close() "
                 "os.execute('kill -KILL ' .. pid)")
    sleep = "os.execute('sleep 20')"
    bounded_sleep = P(5, "top", False, [St(benign[0], "test"), St(sleep, "test", (0.5, 0))])
    cases = []   # (name, expected kind, programs, variant, fake mode, reduce?)
    real = os.access(args.tuna, os.X_OK)
    if real:
        cases += [
            ("undocumented exit status", "crash",
             [prog(0, "top", False, benign), prog(1, "top", False, benign[:2] + ["os.exit(77)"] + benign),
              prog(2, "top", False, benign)], Variant(False), None, True),
            ("killed by a signal", "crash", [prog(3, "top", False, benign[:1] + [self_kill])], Variant(False), None, False),
            ("trial program past the trial limit", "hang", [prog(4, "trial", False, benign[:1] + [sleep])],
             Variant(False), None, False),
            ("bounded statement past its bound", "hang", [bounded_sleep], Variant(False), None, False),
            ("process past --timeout and its grace", "hang", [prog(6, "top", False, [sleep])],
             Variant(False, cut=1), None, False),
            ("write outside the granted directory", "escape",
             [prog(7, "top", False, ["io.open(DIR .. '/../escaped.txt', 'w'):close()"])], Variant(False), None, False),
            ("sandbox probe", "escape", [prog(11, "top", True, ["PROBE('self-test')"])], Variant(True), None, False),
            ("write by an absolute path in /tmp", "escape",
             [prog(12, "top", False, [f"io.open({lua_programs.TMP_ESCAPE}.txt\", 'w'):close()"])], Variant(False), None, False),
            ("clean batch", None, [prog(8, "trial", True, benign), prog(9, "top", True, benign),
                                   prog(10, "trial", True, ["while true do end"])], Variant(True), None, False),
        ]
    cases += [
        ("fake tuna: SIGSEGV", "crash", [prog(20, "top", True, benign)], Variant(True), "segv", False),
        ("fake tuna: fatal error on stderr", "crash", [prog(21, "top", True, benign)], Variant(True), "fatal", False),
        ("fake tuna: no output", "hang", [prog(22, "top", True, benign)], Variant(True), "silent", False),
        ("fake tuna: no exit after the end", "hang", [prog(23, "top", True, benign)], Variant(True), "linger", False),
    ]
    fake_dir = tempfile.mkdtemp(prefix="tuna-fuzz-fake-", dir=args.tmp)
    fake = os.path.join(fake_dir, "tuna")
    with open(fake, "w") as f:
        f.write(FAKE_TUNA.replace("%PYTHON%", sys.executable))
    os.chmod(fake, 0o755)
    results = {}

    def one(case):
        name, want, progs, variant, fake_mode, reduce = case
        a = argparse.Namespace(**vars(args))
        env_mode = None
        if fake_mode:
            a.tuna = fake
            env_mode = fake_mode
        runner = Runner(a, dict(os.environ, FAKE_MODE=env_mode) if env_mode else None)
        o = runner.run(progs, variant, kill_extra=0.5, check_escape=(want == "escape") or None)
        got = o.kind()
        detail = "; ".join(f[1] for f in o.failures) or f"exit status {o.rc}"
        good = got == want
        if good and reduce:
            red = Reducer(runner, want, o.failures[0][1], variant, 40).reduce(progs, o.current)
            stmts = red[0][-1].statements if red else []
            good = bool(red) and [p.index for p in red[0]] == [1] and len(stmts) == 1 and "os.exit" in stmts[0].text
            detail += "; reduced to " + (f"program {red[0][-1].index}: {' '.join(s.text for s in stmts)}" if red else "nothing")
        results[name] = (good, want, got, detail)

    threads = [threading.Thread(target=one, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shutil.rmtree(fake_dir, ignore_errors=True)
    if not real:
        print(f"self-test: no binary at {args.tuna}: only the fake one was tried")
    ok = True
    for name, *_ in cases:
        good, want, got, detail = results[name]
        print(f"self-test {'PASS' if good else 'FAIL'}: {name}: expected {want}, got {got}: {detail}")
        ok = ok and good
    return 0 if ok and real else 1


# ---- command line --------------------------------------------------------------------------------------------------
def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tuna", default=".build/release/tuna", help="the binary under test")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--programs", type=int, default=300, help="how many programs to run")
    ap.add_argument("--first", type=int, default=0, help="number of the first program (to resume a long run)")
    ap.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="programs per process")
    ap.add_argument("--jobs", type=int, default=2, help="processes at once")
    ap.add_argument("--out", default=".build/fuzz-failures", help="where failures are saved")
    ap.add_argument("--trial-timeout", type=float, default=1.0)
    ap.add_argument("--memory-limit", default="64MB")
    ap.add_argument("--slack", type=float, default=1.0, help="seconds a bound may be overrun")
    ap.add_argument("--top-base", type=float, default=3.0,
                    help="seconds a 'top' program is expected to need besides its bounded statements")
    ap.add_argument("--kill-extra", type=float, default=1.0,
                    help="seconds past bound + slack before a running process is killed")
    ap.add_argument("--reduce-runs", type=int, default=60, help="runs the reducer may spend on one failure")
    ap.add_argument("--max-repros", type=int, default=2, help="failures of one signature that are reduced")
    ap.add_argument("--reduce-time", type=float, default=None,
                    help="seconds after the start after which no reduction starts (default: 30 under 5000 programs, else none)")
    ap.add_argument("--seen", metavar="FILE", help="signatures seen by earlier parts of a long run (read and updated)")
    ap.add_argument("--no-reduce", action="store_true")
    ap.add_argument("--plain", action="store_true", help="no --storage/--report/--seed/cuts/signals")
    ap.add_argument("--tmp", default=None, help="where scratch directories go")
    ap.add_argument("--print", type=int, metavar="ID", help="print program ID of --seed in its harness and exit")
    ap.add_argument("--self-test", action="store_true")
    return ap.parse_args(argv)


def main():
    args = parse_args()
    if os.sep in args.tuna:  # processes run in their scratch directories
        args.tuna = os.path.abspath(args.tuna)
    if args.print is not None:
        api = introspect(args) if os.access(args.tuna, os.X_OK) else None
        p = lua_programs.generate(args.seed, args.print, api)
        print(f"-- seed {args.seed}, program {args.print}: mode {p.mode}, sandbox {p.sandbox}")
        print(harness_file([p]))
        return 0
    if args.self_test:
        return self_test(args)
    if not os.access(args.tuna, os.X_OK):
        print(f"fuzz: no executable at {args.tuna} (--tuna PATH)", file=sys.stderr)
        return 2
    args.out = os.path.abspath(args.out)
    api = introspect(args)
    if not api:
        print(f"fuzz: {args.tuna} did not list its tuna table", file=sys.stderr)
        return 1
    missing = sorted(set(lua_programs.API_FUNCTIONS) - set(api))
    extra = sorted(set(api) - set(lua_programs.API_FUNCTIONS))
    print(f"fuzz: {len(api)} functions in the binary's tuna table; documented but absent: "
          f"{', '.join(missing) or 'none'}; present but not in the generator's list: {', '.join(extra) or 'none'}")
    fz = Fuzzer(args, api)
    took = fz.run()
    s = fz.stats
    fz.progress(final=True)
    print("fuzz: program outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(fz.statuses.items())))
    print("fuzz: slowest programs: " + ", ".join(f"{i} ({m}) {t:g} s" for t, i, m in fz.slowest[:5]))
    for kind, what, d in fz.findings:
        print(f"fuzz: {kind}: {what} -> {d}")
    print(f"fuzz: seed {args.seed}, programs {args.first}..{args.first + args.programs - 1}: "
          f"{s['programs']} run in {s['processes']} processes, {took:.1f} s; {s['crashes']} crashes, "
          f"{s['hangs']} hangs, {s['escapes']} escapes; {s['cut']} processes cut by a short --timeout, "
          f"{s['over budget']} by the budget's --timeout, "
          f"{s['signalled']} signalled, {s['aborts']} aborts, {s['generator errors']} generator errors; "
          f"{s['run again']} programs run again in a new process (a spent --timeout or a full memory left them no room)")
    failed = s["crashes"] or s["hangs"] or s["escapes"] or s["generator errors"] or s["not run"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
