"""Benchmark ``flask-preflight check`` against Bandit and Ruff on the same corpora, in one run.

Why one run, side by side: absolute seconds mean little across machines, so the targets are ratios
(flask-preflight vs Ruff, vs Bandit, warm vs cold) measured on the same machine, the same corpus and the
same OS page cache, in rounds that alternate the tools' order so neither side always runs first.

What is measured, per tool and corpus: wall time of the whole process (start-up included: that is what a
user or CI waits for) and peak memory. Each run is a subprocess whose output goes to a file or /dev/null.
Peak RSS comes from the kernel for that one run: ``/usr/bin/time -v`` when it exists, else the rusage of
``os.wait4`` on the child pid (``getrusage(RUSAGE_CHILDREN)`` would be a max over every child this script
ever had, so it cannot attribute memory to one run). Both report the largest single process; a tool that
runs a process pool (``--jobs``) can hold more in total, so the whole process tree is also sampled from
/proc (or psutil) and the larger of the two is checked against the memory target.

Corpora: (a) this interpreter's site-packages: thousands of real files nobody here wrote; (b) a generated
tree of Flask-like projects (``corpus.py``) with seeded findings. On (b) every flask-preflight report is
also compared with the generator's manifest: the benchmark fails if a seeded finding is missing, if
anything else is reported, or if the warm (cached) report differs from the cold one.

Standard library only (psutil is used if installed and asked for). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus as corpus_mod  # noqa: E402 - the generator lives next to this script

COLD = "flask-preflight cold"
WARM = "flask-preflight warm"
BANDIT_FLASK = "bandit (Flask tests)"
BANDIT_FULL = "bandit (full)"
RUFF = "ruff (S104,S105,S106,S201)"
BANDIT_TESTS = "B104,B105,B106,B201"  # bind all interfaces, hard-coded passwords (3), flask debug=True
RUFF_RULES = "S104,S105,S106,S201"  # Ruff's ports of the same four Bandit checks

RSS_TARGET_MB = 200.0
SAMPLE_INTERVAL_S = 0.05


# ---- tools ------------------------------------------------------------------------------------------
@dataclass
class Features:
    """What the installed flask-preflight supports: the benchmark adapts instead of failing on old builds."""

    no_cache: bool
    jobs: bool


@dataclass
class Tool:
    """One benchmarked command line. ``argv(path, out)`` builds it for a corpus path and a report file."""

    name: str
    argv: Callable[[str, str], List[str]]
    ok_codes: Tuple[int, ...]
    warm_up: bool = False  # run once untimed before each timed run (fills flask-preflight's cache)
    report: bool = False   # writes a flask-preflight JSON report to ``out``


def find_executable(name: str, module: Optional[str] = None) -> Optional[List[str]]:
    """The command for a console script, preferring this interpreter's own scripts directory.

    Why not just PATH: version managers put shims there (pyenv's is a shell script that execs
    ``pyenv exec``), which would add tens of milliseconds of someone else's start-up to every run."""
    scripts = sysconfig.get_path("scripts")
    for candidate in (os.path.join(scripts, name), os.path.join(os.path.dirname(sys.executable), name)):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
    found = shutil.which(name)
    if found:
        return [found]
    if module is not None:
        import importlib.util

        if importlib.util.find_spec(module) is not None:
            return [sys.executable, "-m", module]
    return None


def detect_features(fp: Sequence[str]) -> Features:
    """Read ``check --help`` for the engine flags that may not exist yet (``--no-cache``, ``--jobs``)."""
    proc = subprocess.run([*fp, "check", "--help"], capture_output=True, text=True, check=False)
    text = proc.stdout + proc.stderr
    return Features(no_cache="--no-cache" in text, jobs=re.search(r"(^|\s)--jobs\b", text) is not None)


def tool_version(argv: Sequence[str]) -> str:
    try:
        proc = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return first[0].strip() if first else "unknown"


def build_tools(fp: List[str], bandit: Optional[List[str]], ruff: Optional[List[str]], features: Features,
                jobs: Optional[int]) -> List[Tool]:
    """The command lines, in the order of round 1."""
    extra = ["--jobs", str(jobs)] if jobs is not None and features.jobs else []
    cold_flags = ["--no-cache"] if features.no_cache else []
    tools = [Tool(COLD, lambda p, o: [*fp, "check", *cold_flags, *extra, "--format", "json", "-o", o, p],
                  (0, 1, 3), report=True)]
    if features.no_cache:  # without a cache a "warm" run is just another cold run
        tools.append(Tool(WARM, lambda p, o: [*fp, "check", *extra, "--format", "json", "-o", o, p],
                          (0, 1, 3), warm_up=True, report=True))
    if bandit is not None:
        tools.append(Tool(BANDIT_FLASK, lambda p, o: [*bandit, "-r", "-q", "-t", BANDIT_TESTS, p], (0, 1)))
        tools.append(Tool(BANDIT_FULL, lambda p, o: [*bandit, "-r", "-q", p], (0, 1)))
    if ruff is not None:
        tools.append(Tool(RUFF, lambda p, o: [*ruff, "check", "--no-cache", "--isolated", "--exit-zero", "-q",
                                               "--select", RUFF_RULES, p], (0, 1)))
    return tools


# ---- measuring one run ------------------------------------------------------------------------------
@dataclass
class Measurement:
    wall_s: float
    exit_code: int
    peak_rss_mb: Optional[float]  # largest single process, from the kernel (or sampled, with psutil)
    tree_mb: Optional[float]      # sampled peak of the whole process tree (PSS where readable, else RSS)
    method: str


def _children(pid: int) -> List[int]:
    """Direct children of ``pid`` from /proc (every thread's children file), or [] where unavailable."""
    kids: List[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                kids.extend(int(x) for x in fh.read().split())
        except OSError:
            continue
    return kids


def _memory_kb(pid: int) -> int:
    """Proportional set size where the kernel offers it (forked workers share pages; RSS would count them
    once per worker), else resident set size."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree until stopped; keeps the peak of the sum.

    ``include_root`` is False under /usr/bin/time, whose own few hundred KB are not the tool's."""

    def __init__(self, root: int, include_root: bool) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.include_root = include_root
        self.peak_kb = 0
        self.samples = 0
        self._stop_event = threading.Event()
        self.available = os.path.isdir(f"/proc/{root}/task")

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = [self.root] if self.include_root else []
            frontier = [self.root]
            while frontier:
                kids = _children(frontier.pop())
                pids.extend(kids)
                frontier.extend(kids)
            total = sum(_memory_kb(p) for p in pids)
            if total:
                self.samples += 1
                self.peak_kb = max(self.peak_kb, total)
            self._stop_event.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> Optional[float]:
        """The peak in MB, or None when /proc is missing or the run was too short to sample fairly."""
        self._stop_event.set()
        self.join()
        return self.peak_kb / 1024 if self.available and self.samples >= 3 else None


def gnu_time() -> Optional[str]:
    """/usr/bin/time if it is one that reports 'Maximum resident set size' with -v (GNU or BusyBox)."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run([path, "-v", "-o", out.name, "true"], capture_output=True, text=True, check=False)
        text = out.read() + proc.stderr
    return path if "Maximum resident set size" in text else None


def have_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def choose_rss_method(requested: str) -> str:
    """time -v, else psutil, else wait4 (see the module docstring for why not RUSAGE_CHILDREN)."""
    if requested != "auto":
        if requested == "time" and gnu_time() is None:
            raise SystemExit("--rss-method time: /usr/bin/time -v is not available")
        if requested == "psutil" and not have_psutil():
            raise SystemExit("--rss-method psutil: psutil is not installed")
        return requested
    if gnu_time() is not None:
        return "time"
    if have_psutil():
        return "psutil"
    return "wait4"


def _maxrss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024  # bytes on macOS


def measure(argv: Sequence[str], cwd: str, stdout_path: str, stderr_path: str, method: str) -> Measurement:
    """Run ``argv`` once; wall time around the whole process, peak memory by ``method``."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        if method == "time":
            time_out = stderr_path + ".time"
            cmd = ["/usr/bin/time", "-v", "-o", time_out, *argv]
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            sampler = TreeSampler(proc.pid, include_root=False)
            sampler.start()
            code = proc.wait()
            wall = time.perf_counter() - start
            tree = sampler.stop()
            peak = None
            with open(time_out, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if "Maximum resident set size" in line:
                        peak = int(line.rsplit(":", 1)[1]) / 1024
            return Measurement(wall, code, peak, tree, "/usr/bin/time -v")
        if method == "psutil":
            import psutil

            start = time.perf_counter()
            proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            ps = psutil.Process(proc.pid)
            single = tree_kb = 0
            while proc.poll() is None:
                try:
                    members = [ps] + ps.children(recursive=True)
                    sizes = []
                    for m in members:
                        try:
                            sizes.append(m.memory_info().rss)
                        except psutil.Error:
                            pass
                    single = max([single] + sizes)
                    tree_kb = max(tree_kb, sum(sizes))
                except psutil.Error:
                    pass
                time.sleep(SAMPLE_INTERVAL_S / 5)
            wall = time.perf_counter() - start
            return Measurement(wall, proc.returncode, single / 2**20 or None, tree_kb / 2**20 or None,
                               "psutil sampling")
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid, include_root=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
        tree = sampler.stop()
        return Measurement(wall, proc.returncode, _maxrss_mb(usage.ru_maxrss), tree, "os.wait4 rusage")


# ---- corpora ----------------------------------------------------------------------------------------
@dataclass
class Corpus:
    name: str
    path: str          # what is passed to the tools
    cwd: str           # where they run
    files: int
    py_files: int
    manifest: Optional[corpus_mod.Manifest] = None
    root: str = ""     # absolute root, for mapping report paths onto the manifest


def count_files(path: str) -> Tuple[int, int]:
    files = py = 0
    for _, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        files += len(names)
        py += sum(1 for n in names if n.endswith(".py"))
    return files, py


def warm_page_cache(path: str) -> None:
    """Read every file once so the first timed run does not pay for the disk and later ones do not."""
    for dirpath, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for n in names:
            try:
                with open(os.path.join(dirpath, n), "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                continue


# ---- running ----------------------------------------------------------------------------------------
@dataclass
class RunRecord:
    corpus: str
    tool: str
    round: int
    wall_s: float
    peak_rss_mb: Optional[float]
    tree_mb: Optional[float]
    exit_code: int
    method: str
    findings: Optional[int] = None
    problems: Optional[int] = None


@dataclass
class Outcome:
    """Everything a run of the benchmark found besides timings: errors, notes, correctness diffs."""

    errors: List[str] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    diffs: Dict[str, List[str]] = field(default_factory=dict)  # "corpus / tool" -> differences


def run_corpus(c: Corpus, tools: List[Tool], rounds: int, method: str, scratch: str, outcome: Outcome,
               log: Callable[[str], None]) -> List[RunRecord]:
    """All rounds for one corpus; the tool order is reversed every other round."""
    records: List[RunRecord] = []
    report = os.path.join(scratch, "report.json")
    stdout_path = os.path.join(scratch, "stdout")
    stderr_path = os.path.join(scratch, "stderr")
    problems_noted = False
    for r in range(1, rounds + 1):
        order = tools if r % 2 else list(reversed(tools))
        for tool in order:
            argv = tool.argv(c.path, report)
            if tool.warm_up:
                warm = subprocess.run(argv, cwd=c.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      stdin=subprocess.DEVNULL, check=False)
                if warm.returncode not in tool.ok_codes:
                    outcome.errors.append(f"{c.name}: {tool.name} warm-up exited {warm.returncode}")
            if tool.report and os.path.exists(report):
                os.unlink(report)
            m = measure(argv, c.cwd, stdout_path, stderr_path, method)
            rec = RunRecord(c.name, tool.name, r, m.wall_s, m.peak_rss_mb, m.tree_mb, m.exit_code, m.method)
            if m.exit_code not in tool.ok_codes:
                tail = Path(stderr_path).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
                outcome.errors.append(f"{c.name}: {tool.name} exited {m.exit_code} (round {r}): "
                                      f"{' '.join(argv)}\n    " + "\n    ".join(tail))
            elif tool.report:
                data = _read_report(report)
                if data is None:
                    outcome.errors.append(f"{c.name}: {tool.name} wrote no readable JSON report (round {r})")
                else:
                    rec.findings = len(data.get("findings", []))
                    rec.problems = len(data.get("errors", []))
                    if m.exit_code == 3 and not problems_noted:
                        examples = "; ".join(f"{e.get('path')}: {e.get('reason') or e.get('message')}"
                                             for e in data.get("errors", [])[:3])
                        outcome.notes.append(f"{c.name}: flask-preflight exit 3 (incomplete scan, accepted): "
                                             f"{rec.problems} file(s) could not be analysed, e.g. {examples}")
                        problems_noted = True
                    if c.manifest is not None:
                        diff = corpus_mod.compare_report(data, c.manifest, c.root)
                        key = f"{c.name} / {tool.name}"
                        if diff and key not in outcome.diffs:
                            outcome.diffs[key] = diff
            records.append(rec)
            rss = f"{m.peak_rss_mb:.0f} MB" if m.peak_rss_mb is not None else "? MB"
            tree = f", tree {m.tree_mb:.0f} MB" if m.tree_mb is not None else ""
            log(f"  [{c.name} round {r}/{rounds}] {tool.name:<28} {m.wall_s:8.2f} s  {rss}{tree}  exit {m.exit_code}")
    return records


def _read_report(path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# ---- summarising ------------------------------------------------------------------------------------
@dataclass
class Stat:
    corpus: str
    tool: str
    runs: int
    median_s: float
    min_s: float
    peak_rss_mb: Optional[float]
    tree_mb: Optional[float]

    @property
    def memory_mb(self) -> Optional[float]:
        """What the memory target is checked against: the larger of single-process peak and tree peak."""
        values = [v for v in (self.peak_rss_mb, self.tree_mb) if v is not None]
        return max(values) if values else None


def summarise(records: List[RunRecord]) -> Dict[Tuple[str, str], Stat]:
    groups: Dict[Tuple[str, str], List[RunRecord]] = {}
    for rec in records:
        groups.setdefault((rec.corpus, rec.tool), []).append(rec)
    out = {}
    for key, recs in groups.items():
        walls = [r.wall_s for r in recs]
        peaks = [r.peak_rss_mb for r in recs if r.peak_rss_mb is not None]
        trees = [r.tree_mb for r in recs if r.tree_mb is not None]
        out[key] = Stat(key[0], key[1], len(recs), statistics.median(walls), min(walls),
                        max(peaks) if peaks else None, max(trees) if trees else None)
    return out


@dataclass
class Target:
    corpus: str
    name: str
    value: Optional[float]
    goal: str
    status: str  # PASS | MISS | n/a
    detail: str


def check_targets(stats: Dict[Tuple[str, str], Stat], corpora: Sequence[str], features: Features) -> List[Target]:
    """The issue's targets, as ratios measured in this run."""
    out: List[Target] = []

    def get(c: str, t: str) -> Optional[Stat]:
        return stats.get((c, t))

    for c in corpora:
        cold, warm, ruff, bandit = get(c, COLD), get(c, WARM), get(c, RUFF), get(c, BANDIT_FLASK)
        if cold is None:
            continue
        if ruff is not None:
            ratio = cold.median_s / ruff.median_s
            out.append(Target(c, "cold <= 1.0x ruff's time", ratio, "<= 1.0x", "PASS" if ratio <= 1.0 else "MISS",
                              f"cold {cold.median_s:.2f} s vs ruff {ruff.median_s:.2f} s = {ratio:.2f}x"))
        else:
            out.append(Target(c, "cold <= 1.0x ruff's time", None, "<= 1.0x", "n/a", "ruff not run"))
        if bandit is not None:
            speedup = bandit.median_s / cold.median_s
            out.append(Target(c, ">= 10x faster than bandit (Flask tests)", speedup, ">= 10x",
                              "PASS" if speedup >= 10 else "MISS",
                              f"bandit {bandit.median_s:.2f} s / cold {cold.median_s:.2f} s = {speedup:.1f}x"))
        else:
            out.append(Target(c, ">= 10x faster than bandit (Flask tests)", None, ">= 10x", "n/a", "bandit not run"))
        if warm is not None:
            speedup = cold.median_s / warm.median_s
            out.append(Target(c, "warm >= 5x faster than cold", speedup, ">= 5x", "PASS" if speedup >= 5 else "MISS",
                              f"cold {cold.median_s:.2f} s / warm {warm.median_s:.2f} s = {speedup:.1f}x"))
        else:
            why = "flask-preflight has no result cache yet" if not features.no_cache else "warm not run"
            out.append(Target(c, "warm >= 5x faster than cold", None, ">= 5x", "n/a", why))
        for s in (cold, warm):
            if s is None:
                continue
            mem = s.memory_mb
            status = "n/a" if mem is None else ("PASS" if mem < RSS_TARGET_MB else "MISS")
            detail = "no memory measurement" if mem is None else (
                f"peak {_mb(s.peak_rss_mb)} MB (largest process), tree {_mb(s.tree_mb)} MB (all processes)")
            goal = f"< {RSS_TARGET_MB:.0f} MB"
            out.append(Target(c, f"{s.tool.split()[-1]} peak RSS {goal}", mem, goal, status, detail))
    return out


def _mb(v: Optional[float]) -> str:
    return "?" if v is None else f"{v:.0f}"


def format_table(stats: Dict[Tuple[str, str], Stat], corpora: Sequence[Corpus], tools: Sequence[Tool]) -> str:
    header = ("corpus", "files", "py", "tool", "median s", "min s", "peak RSS MB", "tree MB", "vs ruff",
              "vs bandit-flask")
    rows: List[Tuple[str, ...]] = []
    for c in corpora:
        ruff, bandit = stats.get((c.name, RUFF)), stats.get((c.name, BANDIT_FLASK))
        for t in tools:
            s = stats.get((c.name, t.name))
            if s is None:
                continue
            rows.append((c.name, str(c.files), str(c.py_files), t.name, f"{s.median_s:.2f}", f"{s.min_s:.2f}",
                         _mb(s.peak_rss_mb), _mb(s.tree_mb),
                         f"{s.median_s / ruff.median_s:.2f}x" if ruff else "n/a",
                         f"{s.median_s / bandit.median_s:.3f}x" if bandit else "n/a"))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    right = {1, 2, 4, 5, 6, 7, 8, 9}

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    lines = [fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]
    return "\n".join(lines)


# ---- machine ----------------------------------------------------------------------------------------
def machine_info(tool_versions: Dict[str, str]) -> Dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram_gib: Optional[float] = None
    try:
        ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": round(ram_gib, 1) if ram_gib else None,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "tools": tool_versions,
    }


# ---- main -------------------------------------------------------------------------------------------
def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark flask-preflight check against bandit and ruff.")
    p.add_argument("--corpus", choices=("site-packages", "generated", "both"), default="both")
    p.add_argument("--files", type=int, default=5000, help="files in the generated corpus (default 5000)")
    p.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    p.add_argument("--rounds", type=int, default=3, help="timed runs per tool and corpus (default 3)")
    p.add_argument("--jobs", type=int, default=None, help="passed to flask-preflight as --jobs N if it has it")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="also write every run and the summary here")
    p.add_argument("--keep", action="store_true", help="keep the generated tree (its path is printed)")
    p.add_argument("--out", metavar="DIR", help="generate the corpus into DIR (implies --keep)")
    p.add_argument("--skip-missing", action="store_true", help="skip bandit/ruff if they are not installed")
    p.add_argument("--no-compare", action="store_true",
                   help="run flask-preflight only, not bandit or ruff even if installed (their ratios are n/a; "
                        "the seeded-findings check still runs): the test suite's smoke run")
    p.add_argument("--rss-method", choices=("auto", "time", "psutil", "wait4"), default="auto",
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.files < 1:
        p.error("--files must be positive")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)

    def log(msg: str) -> None:
        print(msg, flush=True)

    fp = find_executable("flask-preflight", "flask_preflight")
    if fp is None:
        print("flask-preflight is not installed: pip install -e .", file=sys.stderr)
        return 2
    outcome = Outcome()
    if args.no_compare:
        bandit = ruff = None
        outcome.notes.append("--no-compare: bandit and ruff were not run, their ratios and targets are n/a")
    else:
        bandit = find_executable("bandit", "bandit")
        ruff = find_executable("ruff", "ruff")
    for name, found in (("bandit", bandit), ("ruff", ruff)):
        if found is None and not args.no_compare:
            if not args.skip_missing:
                print(f"{name} is not installed: pip install -e '.[bench]' (or pass --skip-missing)", file=sys.stderr)
                return 2
            outcome.notes.append(f"{name} is not installed: skipped, its ratios and targets are n/a")

    features = detect_features(fp)
    if not features.no_cache:
        outcome.notes.append("flask-preflight check has no --no-cache (no result cache yet): cold runs use plain "
                             "`check`, warm runs are not measured")
    if args.jobs is not None and not features.jobs:
        outcome.notes.append(f"flask-preflight check has no --jobs: --jobs {args.jobs} ignored")
    method = choose_rss_method(args.rss_method)
    versions = {"flask-preflight": tool_version(fp)}
    if bandit:
        versions["bandit"] = tool_version(bandit)
    if ruff:
        versions["ruff"] = tool_version(ruff)
    machine = machine_info(versions)
    tools = build_tools(fp, bandit, ruff, features, args.jobs)

    log("Machine")
    for key in ("cpu", "cores", "usable_cores", "ram_gib", "os", "python"):
        log(f"  {key:<16} {machine[key]}")
    commands = {"flask-preflight": fp, "bandit": bandit, "ruff": ruff}
    for name, version in versions.items():
        log(f"  {name:<16} {version}  ({' '.join(commands[name] or [])})")
    log(f"  {'memory':<16} {method}" + (" + /proc tree sampling" if method != "psutil" else ""))
    log(f"  flask-preflight features: --no-cache {'yes' if features.no_cache else 'NO'}, "
        f"--jobs {'yes' if features.jobs else 'NO'}")

    scratch = tempfile.mkdtemp(prefix="fp-bench-")
    gen_root: Optional[str] = None
    keep = args.keep or args.out is not None
    corpora: List[Corpus] = []
    try:
        if args.corpus in ("site-packages", "both"):
            sp = sysconfig.get_paths()["purelib"]
            files, py = count_files(sp)
            # Run from an empty directory: no pyproject.toml of ours is found, any cache lands in scratch.
            work = os.path.join(scratch, "site-packages-cwd")
            os.mkdir(work)
            corpora.append(Corpus("site-packages", sp, work, files, py, root=sp))
        if args.corpus in ("generated", "both"):
            gen_root = os.path.abspath(args.out) if args.out else tempfile.mkdtemp(prefix="fp-bench-corpus-")
            t0 = time.perf_counter()
            manifest = corpus_mod.generate(gen_root, args.files, args.seed)
            log(f"\nGenerated {manifest.files} files ({manifest.python_files} Python, {len(manifest.projects)} "
                f"projects, {len(manifest.findings)} seeded findings) in {time.perf_counter() - t0:.1f} s: {gen_root}")
            corpora.append(Corpus("generated", ".", gen_root, manifest.files, manifest.python_files,
                                  manifest=manifest, root=gen_root))

        records: List[RunRecord] = []
        for c in corpora:
            log(f"\nCorpus {c.name}: {c.root} ({c.files} files, {c.py_files} Python); warming the page cache")
            warm_page_cache(c.root)
            records += run_corpus(c, tools, args.rounds, method, scratch, outcome, log)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if gen_root is not None and not keep:
            shutil.rmtree(gen_root, ignore_errors=True)

    stats = summarise(records)
    targets = check_targets(stats, [c.name for c in corpora], features)
    plural = "s" if args.rounds > 1 else ""
    log(f"\nResults (median of {args.rounds} round{plural}; 'vs X' = this tool's median time / X's)")
    log(format_table(stats, corpora, tools))
    log("\nTargets (ratios from this run)")
    for t in targets:
        log(f"  {t.status:<4}  {t.corpus:<13} {t.name:<42} {t.detail}")
    for c in corpora:
        if c.manifest is not None:
            bad = {k: v for k, v in outcome.diffs.items() if k.startswith(c.name + " /")}
            checked = [t.name for t in tools if t.report]
            if bad:
                log(f"\nSeeded findings on {c.name}: MISMATCH")
                for key, diff in bad.items():
                    log(f"  {key}: {len(diff)} difference(s)")
                    for line in diff[:50]:
                        log(f"    {line}")
            else:
                log(f"\nSeeded findings on {c.name}: all {len(c.manifest.findings)} found, nothing else reported "
                    f"({', '.join(checked)}; every round)")
    if keep and gen_root:
        log(f"\nGenerated corpus kept at {gen_root}")
    for note in outcome.notes:
        log(f"note: {note}")
    for err in outcome.errors:
        log(f"ERROR: {err}")

    if args.json_out:
        data = {
            "machine": machine,
            "options": {k: v for k, v in vars(args).items()},
            "features": asdict(features),
            "memory_method": method,
            "corpora": [{"name": c.name, "path": c.root, "files": c.files, "python_files": c.py_files,
                         "seeded_findings": len(c.manifest.findings) if c.manifest else None} for c in corpora],
            "runs": [asdict(r) for r in records],
            "summary": [asdict(s) for s in stats.values()],
            "targets": [asdict(t) for t in targets],
            "seeded_diffs": outcome.diffs,
            "notes": outcome.notes,
            "errors": outcome.errors,
        }
        Path(args.json_out).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        log(f"JSON written to {args.json_out}")
    return 1 if outcome.errors or outcome.diffs else 0


if __name__ == "__main__":
    sys.exit(main())
