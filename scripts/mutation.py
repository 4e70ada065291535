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
    python scripts/mutation.py --report [--readme]                       # per-package scores (and README table)

Score = killed / (mutants - equivalent). Timeouts count as killed (the mutant changed behaviour enough to hang).
Mutants no test reached count as survivors. Equivalent mutants (no test *can* kill them: the change does not
alter behaviour) are listed with the reason in ``scripts/mutation_equivalent.toml``; they leave the denominator.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

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
    """mutmut reads [tool.mutmut] from pyproject.toml in its working directory."""
    table = (
        "\n[tool.mutmut]\n"
        'source_paths = ["flask_preflight"]\n'
        f"only_mutate = {json.dumps([module])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
    )
    with open(work / "pyproject.toml", "a", encoding="utf-8") as fh:
        fh.write(table)


def _mutmut(work: Path, *args: str, log: Optional[Path] = None, timeout: float = 3600) -> str:
    cmd = [sys.executable, "-m", "mutmut", *args]
    env = dict(os.environ, CI="")  # the skip budget judges full runs only; mutmut's runs are narrowed anyway
    if log is None:
        return subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout, env=env).stdout
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.run(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, env=env)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
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


def result_path(module: str) -> Path:
    return RESULTS / (module.replace("/", ".").removesuffix(".py") + ".json")


def package_of(module: str) -> Optional[str]:
    for pkg in PACKAGES:
        if module == pkg or module.startswith(pkg.rstrip("/") + "/"):
            return pkg
    return None


def package_scores() -> List[Tuple[str, int, int, int, int]]:
    """(package, modules run, modules, killed, non-equivalent mutants) from the stored runs."""
    stored = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))]
    rows = []
    for pkg in PACKAGES:
        target = ROOT / pkg
        modules = [pkg] if target.is_file() else sorted(
            p.relative_to(ROOT).as_posix() for p in target.rglob("*.py") if p.name != "__init__.py"
        )
        runs = [r for r in stored if package_of(r["module"]) == pkg]
        rows.append((pkg, len(runs), len(modules), sum(r["killed"] for r in runs),
                     sum(r["killed"] + r["survived"] for r in runs)))
    return rows


README_START, README_END = "<!-- mutation-report -->", "<!-- /mutation-report -->"


def readme_table() -> str:
    lines = ["| package | modules run | killed | mutants | score |", "|---|---|---|---|---|"]
    for pkg, ran, modules, killed, total in package_scores():
        score = f"{killed / total:.2f}" if total else "-"
        lines.append(f"| `{pkg}` | {ran} of {modules} | {killed if total else '-'} | {total or '-'} | {score} |")
    return "\n".join(lines)


def update_readme(path: Path = ROOT / "README.md") -> None:
    """Rewrite the table between the mutation-report markers of the README."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    path.write_text(text[:start] + "\n" + readme_table() + "\n" + text[end:], encoding="utf-8")


def report() -> int:
    """Per-package scores from the stored runs, with the modules not yet measured; 1 while a package is
    under the goal or not fully measured."""
    print(f"{'package':34} {'modules run':>11} {'of':>4} {'killed':>7} {'mutants':>8} {'score':>6}")
    status = 0
    for pkg, ran, modules, killed, total in package_scores():
        score = f"{killed / total:.2f}" if total else "-"
        print(f"{pkg:34} {ran:>11} {modules:>4} {killed:>7} {total:>8} {score:>6}")
        if not total or killed / total < GOAL or ran < modules:
            status = 1
    return status


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="?", help="a module path, e.g. flask_preflight/serve/options.py")
    parser.add_argument("--tests", nargs="+", help="test files/node ids to run (default: mutation_targets.toml)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (resumes a run)")
    parser.add_argument("--report", action="store_true", help="print per-package scores from stored runs")
    parser.add_argument("--readme", action="store_true", help="with --report: also rewrite README.md's table")
    args = parser.parse_args(argv)
    if args.report:
        if args.readme:
            update_readme()
        return report()
    if not args.module:
        parser.error("give a module or --report")
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
