"""Growth of the paths a hostile repository once made quadratic (issue 13, item 5): each must stay linear.

Cases, each timed at growing sizes (default 1k, 2k, 4k, 8k):

* ``dockerfile-heredoc``: a Dockerfile of N lines ending in a heredoc that is never closed (the error line
  used to be found by re-parsing every prefix);
* ``segments-many-findings``: a Python file with N fail-open debug defaults, one per line (each finding's
  source text used to re-split the whole file);
* ``segments-long-line``: the same N findings on one line (each used to re-encode the line);
* ``gitignore-backtracking``: the pattern ``*a*a*a*a*a*a*a*a*b`` against a name of N ``a`` characters
  (a backtracking regular expression is exponential in the number of stars);
* ``gitignore-many-paths``: N paths against an ordinary ``.gitignore`` (the common case stays fast).

Every size's result is checked too (the error line, the number of findings, the match decision): a wrong
answer exits 2. The script prints each time, the ratio between consecutive sizes (about 2 when linear,
4 when quadratic, for doubling sizes) and their geometric mean over the whole range ("growth"), and exits
1 when a case's growth exceeds ``--max-ratio`` (default 3.0). Timings are
in-process (no start-up), best of ``--repeat`` runs after one untimed run.

Run: ``python benchmarks/bench_quadratic.py [--sizes 1000,2000,4000,8000] [--case NAME] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_preflight.static.deploy import dockerfile  # noqa: E402
from flask_preflight.static.deploy.model import DeployParseError  # noqa: E402
from flask_preflight.static.engine import analyze_python_source  # noqa: E402
from flask_preflight.static.gitignore import IgnoreSpec  # noqa: E402
from flask_preflight.static.source import SourceFile  # noqa: E402

Case = Callable[[int], Tuple[Callable[[], object], Callable[[object], bool]]]  # size -> (work, is it right)


def _heredoc(size: int):
    lines = ["FROM python:3.12"] + [f"RUN echo {i}" for i in range(size // 2)] + ["RUN <<EOF"]
    lines += [f"echo {i} <<X" for i in range(size - len(lines))]
    text = "\n".join(lines) + "\n"
    bad_line = size // 2 + 2

    def work() -> object:
        try:
            dockerfile.parse(text, "Dockerfile", "/nonexistent/Dockerfile")
        except DeployParseError as error:
            return error.line
        return None

    return work, lambda line: line == bad_line


def _findings(text: str, size: int):
    src = SourceFile("app.py", text, "utf-8", len(text.encode()))

    def work() -> object:
        analysis, problem = analyze_python_source(src, "/nonexistent/app.py")
        return [] if analysis is None else [f.rule_id for f in analysis.findings]

    return work, lambda rules: rules == ["PF105"] * size


def _many_findings(size: int):
    head = "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
    body = "".join(f"app.config['DEBUG'] = os.environ.get('D{i}', 'ü1')  # é\n" for i in range(size))
    return _findings(head + body, size)


def _long_line(size: int):
    head = "import os; from flask import Flask; app = Flask('é'); "
    body = "; ".join(f"app.config['DEBUG'] = os.environ.get('D{i}', 'ü1')" for i in range(size))
    return _findings(head + body + "\n", size)


def _backtracking(size: int):
    spec = IgnoreSpec.from_lines(["*a*a*a*a*a*a*a*a*b"])
    names = ["a" * size + tail for tail in "acdefghijklmnopqrstu"]  # 20 names, none ending in b

    def work() -> object:
        return [spec.check_file(name).include for name in names]

    return work, lambda decisions: decisions == [None] * 20


def _many_paths(size: int):
    spec = IgnoreSpec.from_lines(["*.pyc", "__pycache__/", "/build/", "docs/**/*.md", "!keep.pyc", "*.egg-info/",
                                  "node_modules/", ".env", "*_test*.py"])
    paths = [f"src/pkg{i % 50}/mod{i}.py" if i % 3 else f"src/pkg{i % 50}/mod{i}.pyc" for i in range(size)]

    def work() -> object:
        return sum(1 for p in paths if spec.check_file(p).include)

    return work, lambda ignored: ignored == sum(1 for i in range(size) if not i % 3)


CASES: Dict[str, Case] = {
    "dockerfile-heredoc": _heredoc,
    "segments-many-findings": _many_findings,
    "segments-long-line": _long_line,
    "gitignore-backtracking": _backtracking,
    "gitignore-many-paths": _many_paths,
}


def growth_of(times: List[float], max_ratio: float) -> Tuple[List[float], float, bool]:
    """Ratios between consecutive times, their geometric mean over the whole range (one noisy step cannot
    decide it) and whether that exceeds ``max_ratio``."""
    ratios = [later / max(earlier, 1e-6) for earlier, later in zip(times, times[1:])]
    growth = (times[-1] / max(times[0], 1e-6)) ** (1 / (len(times) - 1)) if len(times) > 1 else 0.0
    return ratios, growth, growth > max_ratio


def measure(case: Case, size: int, repeat: int) -> Tuple[float, bool]:
    work, right = case(size)
    work()  # untimed: lazily built tables and caches are not part of the growth
    best = float("inf")
    ok = True
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
        ok = ok and right(result)
    return best, ok


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000", help="comma-separated, increasing")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only these (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per size")
    parser.add_argument("--max-ratio", type=float, default=3.0,
                        help="fail when time grows by more than this per size step (geometric mean)")
    parser.add_argument("--json", help="write the measurements here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    report: Dict[str, Dict[str, object]] = {}
    slow, wrong = [], []
    for name in args.case or list(CASES):
        times: List[float] = []
        for size in sizes:
            seconds, ok = measure(CASES[name], size, args.repeat)
            times.append(seconds)
            if not ok:
                wrong.append(f"{name} at {size}")
        ratios, growth, superlinear = growth_of(times, args.max_ratio)
        if superlinear:
            slow.append(name)
        cells = "  ".join(f"{size}: {seconds * 1000:8.1f} ms" for size, seconds in zip(sizes, times))
        print(f"{name:24} {cells}  ratios {' '.join(f'{r:.2f}' for r in ratios)}  growth {growth:.2f}  "
              f"{'SUPERLINEAR' if superlinear else 'linear'}")
        report[name] = {"sizes": sizes, "seconds": times, "ratios": ratios, "growth": growth,
                        "superlinear": superlinear}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    if wrong:
        print("wrong result: " + ", ".join(wrong), file=sys.stderr)
        return 2
    if slow:
        print(f"grows faster than x{args.max_ratio} per step: " + ", ".join(slow), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
