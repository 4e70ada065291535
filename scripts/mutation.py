#!/usr/bin/env python3
"""Mutation testing, one module at a time, with that module's own tests (mutmut 3).

A green suite says the code does not crash; a mutation run says whether the tests notice when the code gives a
*different answer*. mutmut changes one thing at a time in a module (a comparison flipped, a constant changed,
an argument dropped) and runs the tests that cover it; a mutant that no test kills is a behaviour nobody pins.

Running mutmut on the whole package with the whole suite takes hours, so this script runs it on **one module**
with the tests named for it in ``scripts/mutation_targets.toml`` (or ``--tests``), in a throw-away copy of the
repository (mutmut rewrites the sources it mutates under ``mutants/``; the checkout is never touched), and
stores the outcome in ``benchmarks/mutation/<module>.json``:

    pip install -e ".[test,mutation]"
    python scripts/mutation.py flask_preflight/serve/options.py         # one module, its mapped tests
    python scripts/mutation.py flask_preflight/probe/cookies.py --tests tests/probe/test_unit.py
    python scripts/mutation.py --package flask_preflight/static --sample 400 --seed 1   # a whole package, sampled
    python scripts/mutation.py --report [--readme]                       # per-package scores (and the docs' table)

A package too large to mutate exhaustively in one sitting (``static/`` has about 32,000 mutants, ``runtime/``
about 8,000) is measured by a seeded **simple random sample** of its mutants, run against the tests listed for
the package under ``[packages]`` in the same file: mutmut generates every mutant and maps tests to functions
once, then runs only the sampled mutants. The stored record (``benchmarks/mutation/package-<package>.json``)
keeps the population size, the seed, the sampled names' outcomes and a 95% Wilson interval for the package's
score; the package meets the goal only when the interval's lower bound does. Exhaustive per-module runs and
sampled package runs are reported side by side.

Score = killed / (mutants - equivalent). Timeouts count as killed (the mutant changed behaviour enough to hang).
Mutants no test reached count as survivors. Equivalent mutants (no test *can* kill them: the change does not
alter behaviour) are listed with the reason in ``scripts/mutation_equivalent.toml``; they leave the denominator.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "scripts" / "mutation_targets.toml"
EQUIVALENT = ROOT / "scripts" / "mutation_equivalent.toml"
RESULTS = ROOT / "benchmarks" / "mutation"
PACKAGES = ("flask_preflight/static", "flask_preflight/runtime", "flask_preflight/probe", "flask_preflight/serve/options.py")
GOAL = 0.80
_RESULT_LINE = re.compile(r"^\s*(?P<name>\S+): (?P<status>[a-z ]+)$")
KILLED = {"killed", "timeout", "segfault", "suspicious"}


def _load_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def tests_for(module: str) -> List[str]:
    """The tests mapped to ``module`` in mutation_targets.toml."""
    tests = _load_toml(TARGETS).get("modules", {}).get(module)
    if not tests:
        sys.exit(f"mutation.py: no tests mapped to {module} in {TARGETS.relative_to(ROOT)}; pass --tests")
    return list(tests)


def tests_for_package(package: str) -> List[str]:
    """The tests listed for ``package`` under [packages] in mutation_targets.toml, globs expanded."""
    patterns = _load_toml(TARGETS).get("packages", {}).get(package)
    if not patterns:
        sys.exit(f"mutation.py: no tests listed for {package} under [packages] in {TARGETS.relative_to(ROOT)}")
    tests: List[str] = []
    for pattern in patterns:
        matches = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)) if "*" in pattern else [pattern]
        if not matches:
            sys.exit(f"mutation.py: {pattern} (listed for {package}) matches no test file")
        tests.extend(m for m in matches if m not in tests)
    return tests


def equivalent_mutants() -> Dict[str, str]:
    """Mutant name -> why no test can kill it."""
    return {e["mutant"]: e["reason"] for e in _load_toml(EQUIVALENT).get("equivalent", [])}


def _copy_checkout(dest: Path) -> None:
    """The tracked files (plus uncommitted edits to them): what a fresh clone would test."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _configure(work: Path, module: str, tests: List[str]) -> None:
    """mutmut reads [tool.mutmut] from pyproject.toml in its working directory; ``module`` is a file or a
    package directory (then every file under it is mutated)."""
    pattern = module if module.endswith(".py") else module.rstrip("/") + "/*"
    table = (
        "\n[tool.mutmut]\n"
        'source_paths = ["flask_preflight"]\n'
        f"only_mutate = {json.dumps([pattern])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
    )
    with open(work / "pyproject.toml", "a", encoding="utf-8") as fh:
        fh.write(table)


def _mutmut(work: Path, *args: str, log: Optional[Path] = None, timeout: float = 4 * 3600,
            expected_failure: Optional[str] = None) -> str:
    cmd = [sys.executable, "-m", "mutmut", *args]
    env = dict(os.environ, CI="")  # the skip budget judges full runs only; mutmut's runs are narrowed anyway
    if log is None:
        return subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout, env=env).stdout
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.run(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        if expected_failure and expected_failure in tail:
            return ""
        sys.exit(f"mutation.py: mutmut run failed (exit {proc.returncode}); end of {log}:\n{tail}")
    return ""


_DIFFS = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant  # mutmut 3.8's own `show`, for many mutants at once
out = {}
for name in json.load(sys.stdin):
    out[name] = get_diff_for_mutant(name, path=find_mutant(name).path)
json.dump(out, sys.stdout)
"""


def _diffs(work: Path, names: List[str]) -> Dict[str, str]:
    """The diff of each named mutant, in one process (``mutmut show`` costs a start-up per mutant)."""
    if not names:
        return {}
    proc = subprocess.run([sys.executable, "-c", _DIFFS], cwd=work, input=json.dumps(names), capture_output=True,
                          text=True, timeout=1800, check=True)
    return json.loads(proc.stdout)


def parse_results(text: str) -> Dict[str, str]:
    """``mutmut results --all true`` lines -> {mutant name: status}."""
    out = {}
    for line in text.splitlines():
        m = _RESULT_LINE.match(line)
        if m:
            out[m["name"]] = m["status"].strip()
    return out


def summarise(module: str, tests: List[str], statuses: Dict[str, str], equivalent: Dict[str, str],
              diffs: Dict[str, str]) -> dict:
    """The stored record of one run: counts, score, and every surviving mutant's diff."""
    mine = {n: s for n, s in statuses.items() if n not in equivalent}
    killed = sum(1 for s in mine.values() if s in KILLED)
    survivors = sorted(n for n, s in mine.items() if s not in KILLED)
    total = len(mine)
    return {
        "module": module,
        "tests": tests,
        "mutants": len(statuses),
        "equivalent": sorted(n for n in statuses if n in equivalent),
        "killed": killed,
        "survived": len(survivors),
        "score": round(killed / total, 4) if total else None,
        "survivors": [{"mutant": n, "status": mine[n], "diff": diffs.get(n, "")} for n in survivors],
    }


def run_module(module: str, tests: List[str], keep: Optional[Path]) -> dict:
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="preflight-mutation-"))
    try:
        if not (work / "flask_preflight").exists():
            _copy_checkout(work)
            _configure(work, module, tests)
        log = work / "mutmut-run.log"
        print(f"mutation.py: mutating {module} with {' '.join(tests)} in {work} (log: {log})", flush=True)
        _mutmut(work, "run", log=log)
        statuses = parse_results(_mutmut(work, "results", "--all", "true"))
        if not statuses:
            sys.exit(f"mutation.py: mutmut produced no mutants for {module} (see {log})")
        equivalent = equivalent_mutants()
        diffs = _diffs(work, [n for n, s in statuses.items() if s not in KILLED and n not in equivalent])
        return summarise(module, tests, statuses, equivalent, diffs)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def wilson_interval(killed: int, total: int, z: float = 1.96) -> Tuple[float, float]:
    """95% Wilson score interval for a proportion measured on a random sample (sound near 0 and 1, unlike the
    normal approximation)."""
    if total == 0:
        return (0.0, 1.0)
    p = killed / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def draw_sample(names: List[str], size: int, seed: int) -> List[str]:
    """A reproducible simple random sample: the same population and seed give the same mutants."""
    population = sorted(names)
    return sorted(random.Random(seed).sample(population, min(size, len(population))))


_NO_MUTANT = "flask_preflight.__no_such_mutant__*"  # makes `mutmut run` generate and map tests, then run nothing


def run_package_sample(package: str, tests: List[str], size: int, seed: int, keep: Optional[Path]) -> dict:
    """Generate every mutant of ``package``, run a seeded random sample of them, summarise with an interval."""
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="preflight-mutation-"))
    try:
        if not (work / "flask_preflight").exists():
            _copy_checkout(work)
            _configure(work, package, tests)
        print(f"mutation.py: generating the mutants of {package} and mapping {len(tests)} test files in {work}",
              flush=True)
        # mutmut stops with "nothing matches" once the mutants exist and the stats are saved: what we want here.
        _mutmut(work, "run", _NO_MUTANT, log=work / "mutmut-generate.log",
                expected_failure="Filtered for specific mutants, but nothing matches")
        population = parse_results(_mutmut(work, "results", "--all", "true"))
        if not population:
            sys.exit(f"mutation.py: mutmut produced no mutants for {package} (see {work / 'mutmut-generate.log'})")
        sample = draw_sample(list(population), size, seed)
        print(f"mutation.py: running {len(sample)} of {len(population)} mutants (seed {seed})", flush=True)
        _mutmut(work, "run", *sample, log=work / "mutmut-run.log")
        statuses = parse_results(_mutmut(work, "results", "--all", "true"))
        picked = {name: statuses.get(name, "not checked") for name in sample}
        equivalent = equivalent_mutants()
        diffs = _diffs(work, [n for n, s in picked.items() if s not in KILLED and n not in equivalent])
        record = summarise(package, tests, picked, equivalent, diffs)
        total = record["killed"] + record["survived"]
        record.update({"population": len(population), "sample": len(sample), "seed": seed,
                       "interval": list(wilson_interval(record["killed"], total))})
        return record
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def sample_path(package: str) -> Path:
    return RESULTS / ("package-" + package.replace("/", ".").removesuffix(".py") + ".json")


def result_path(module: str) -> Path:
    return RESULTS / (module.replace("/", ".").removesuffix(".py") + ".json")


def package_of(module: str) -> Optional[str]:
    for pkg in PACKAGES:
        if module == pkg or module.startswith(pkg.rstrip("/") + "/"):
            return pkg
    return None


class PackageScore(NamedTuple):
    """One package's row: exhaustive module runs, and a sampled run of the whole package if there is one."""
    package: str
    modules_run: int
    modules: int
    killed: int
    total: int
    sample: Optional[dict]

    def measured(self) -> Tuple[int, int, Tuple[float, float]]:
        """(killed, non-equivalent mutants, 95% interval) of the measurement that speaks for the package: the
        sample when there is one (it covers every module), else the exhaustive runs (exact; no interval)."""
        if self.sample is not None:
            killed, total = self.sample["killed"], self.sample["killed"] + self.sample["survived"]
            return killed, total, tuple(self.sample["interval"])
        score = self.killed / self.total if self.total else 0.0
        return self.killed, self.total, (score, score)

    def meets_goal(self) -> bool:
        killed, total, (low, _high) = self.measured()
        if not total:
            return False
        if self.sample is not None:
            return low >= GOAL
        return self.modules_run == self.modules and killed / total >= GOAL

    def method(self) -> str:
        if self.sample is not None:
            return f"random sample of {self.sample['sample']} of {self.sample['population']} (seed {self.sample['seed']})"
        return f"all mutants of {self.modules_run} of {self.modules} modules"


def package_scores() -> List[PackageScore]:
    """Per package: the exhaustive module runs stored and the sampled package run, if any."""
    stored = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))
              if not p.name.startswith("package-")]
    rows = []
    for pkg in PACKAGES:
        target = ROOT / pkg
        modules = [pkg] if target.is_file() else sorted(
            p.relative_to(ROOT).as_posix() for p in target.rglob("*.py") if p.name != "__init__.py"
        )
        runs = [r for r in stored if package_of(r["module"]) == pkg]
        sampled = sample_path(pkg)
        sample = json.loads(sampled.read_text(encoding="utf-8")) if sampled.exists() else None
        rows.append(PackageScore(pkg, len(runs), len(modules), sum(r["killed"] for r in runs),
                                 sum(r["killed"] + r["survived"] for r in runs), sample))
    return rows


README_START, README_END = "<!-- mutation-report -->", "<!-- /mutation-report -->"


def _score_cell(row: PackageScore) -> Tuple[str, str]:
    killed, total, (low, high) = row.measured()
    if not total:
        return "-", "-"
    interval = f"{low:.2f}–{high:.2f}" if row.sample is not None else "exact"
    return f"{killed / total:.2f}", interval


def readme_table() -> str:
    lines = ["| package | measured on | killed | mutants | score | 95% interval |", "|---|---|---|---|---|---|"]
    for row in package_scores():
        killed, total, _ = row.measured()
        score, interval = _score_cell(row)
        lines.append(f"| `{row.package}` | {row.method()} | {killed if total else '-'} | {total or '-'} | {score} "
                     f"| {interval} |")
    return "\n".join(lines)


#: The page whose table ``--report --readme`` rewrites (it moved from README.md with the rest of the internals).
REPORT_PAGE = ROOT / "docs" / "internals" / "testing.md"


def update_readme(path: Path = REPORT_PAGE) -> None:
    """Rewrite the table between the mutation-report markers of the testing page (docs/internals/testing.md)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    path.write_text(text[:start] + "\n" + readme_table() + "\n" + text[end:], encoding="utf-8")


def report() -> int:
    """Per-package scores from the stored runs; 1 while a package is unmeasured or under the goal (for a
    sample: while the lower bound of its interval is)."""
    print(f"{'package':34} {'killed':>7} {'mutants':>8} {'score':>6} {'interval':>10}  measured on")
    status = 0
    for row in package_scores():
        killed, total, _ = row.measured()
        score, interval = _score_cell(row)
        print(f"{row.package:34} {killed:>7} {total:>8} {score:>6} {interval:>10}  {row.method()}")
        if not row.meets_goal():
            status = 1
    return status


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="?", help="a module path, e.g. flask_preflight/serve/options.py")
    parser.add_argument("--tests", nargs="+", help="test files/node ids to run (default: mutation_targets.toml)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (resumes a run)")
    parser.add_argument("--package", help="sample a whole package instead, e.g. flask_preflight/static")
    parser.add_argument("--sample", type=int, default=400, help="with --package: how many mutants [400]")
    parser.add_argument("--seed", type=int, default=1, help="with --package: the sample's seed [1]")
    parser.add_argument("--report", action="store_true", help="print per-package scores from stored runs")
    parser.add_argument("--readme", action="store_true",
                        help="with --report: also rewrite the table in docs/internals/testing.md")
    args = parser.parse_args(argv)
    if args.report:
        if args.readme:
            update_readme()
        return report()
    if args.package:
        package = Path(args.package).as_posix().rstrip("/")
        if package not in PACKAGES:
            parser.error(f"{package}: not one of {', '.join(PACKAGES)}")
        record = run_package_sample(package, args.tests or tests_for_package(package), args.sample, args.seed,
                                    args.keep)
        RESULTS.mkdir(parents=True, exist_ok=True)
        sample_path(package).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        low, high = record["interval"]
        print(f"{package}: {record['killed']} of {record['killed'] + record['survived']} sampled non-equivalent "
              f"mutants killed ({record['score']:.0%}, 95% interval {low:.0%}-{high:.0%}) of {record['population']};"
              f" survivors in {sample_path(package)}")
        return 0
    if not args.module:
        parser.error("give a module, --package or --report")
    module = Path(args.module).as_posix()
    if not (ROOT / module).is_file():
        parser.error(f"{module}: no such module in {ROOT}")
    record = run_module(module, args.tests or tests_for(module), args.keep)
    RESULTS.mkdir(parents=True, exist_ok=True)
    result_path(module).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{module}: {record['killed']} of {record['killed'] + record['survived']} non-equivalent mutants killed"
          f" ({record['score']:.0%}); {len(record['equivalent'])} equivalent; survivors in {result_path(module)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
