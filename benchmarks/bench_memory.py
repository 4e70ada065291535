"""Memory under stress: a 50 MB source file, and a tree of 100,000 small files.

``check`` must stream: it holds the list of paths and each file's small per-file result, never every
source at once, and a file over ``--max-file-size`` is reported without being read. This script builds
both trees in a temporary directory, runs ``flask-preflight check`` on each (cold, then warm from the cache)
and prints the peak RSS of the whole process tree (parent and pool workers), failing above the 200 MB
target (``--limit-mb``). Run: ``python benchmarks/bench_memory.py [--files 100000] [--megabytes 50]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_check import choose_rss_method, measure  # noqa: E402 - the shared process-tree measurement

LIMIT_MB = 200.0
FLASK_FILE = '''import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]  # {n}


@app.route("/")
def index():
    return "hello {n}"
'''
PLAIN_FILE = '''"""Module {n}."""


def helper_{n}(values):
    return sorted(v * 2 for v in values if v % 3)
'''


def build_big_file(root: Path, megabytes: int) -> None:
    """One Python file of ``megabytes`` MB: a Flask app followed by a long data table."""
    root.mkdir(parents=True)
    with open(root / "big_app.py", "w", encoding="utf-8") as fh:
        fh.write(FLASK_FILE.format(n=0))
        fh.write("TABLE = [\n")
        line = '    ("' + "x" * 60 + '", 12345),\n'
        for _ in range(megabytes * 1024 * 1024 // len(line)):
            fh.write(line)
        fh.write("]\n")


def build_many_files(root: Path, count: int) -> None:
    """``count`` small files in 100-file packages, one in ten a Flask app (parsed and analysed, but clean:
    the point is the engine's own memory, not the size of a report with 10,000 findings)."""
    for n in range(count):
        package = root / f"pkg_{n // 100:04d}"
        if n % 100 == 0:
            package.mkdir(parents=True)
        text = FLASK_FILE if n % 10 == 0 else PLAIN_FILE
        (package / f"m_{n:06d}.py").write_text(text.format(n=n), encoding="utf-8")


def run(label: str, argv: List[str], cwd: Path, method: str, out_dir: Path, limit_mb: float = LIMIT_MB) -> float:
    m = measure(argv, str(cwd), str(out_dir / "out.txt"), str(out_dir / "err.txt"), method)
    peak = max(m.peak_rss_mb or 0.0, m.tree_mb or 0.0)
    status = "PASS" if peak < limit_mb else "MISS"
    print(f"{label:<44} {m.wall_s:7.2f} s   peak {peak:7.1f} MB   exit {m.exit_code}   {status}")
    if m.exit_code not in (0, 1, 3):
        print((out_dir / "err.txt").read_text(encoding="utf-8", errors="replace")[-2000:])
        raise SystemExit(2)
    return peak


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000, help="small files in the second tree")
    parser.add_argument("--megabytes", type=int, default=50, help="size of the big file")
    parser.add_argument("--limit-mb", type=float, default=LIMIT_MB,
                        help="peak above which a run is a MISS and the exit status 1 [200]")
    args = parser.parse_args(argv)
    if args.files < 1 or args.megabytes < 1:
        parser.error("--files and --megabytes must be at least 1")
    method = choose_rss_method("auto")
    tool = [sys.executable, "-m", "flask_preflight", "check", "--format", "json", "-o", os.devnull]
    work = Path(tempfile.mkdtemp(prefix="preflight-memory-"))
    peaks = []

    def step(label: str, command: List[str], cwd: Path) -> float:
        return run(label, command, cwd, method, work, args.limit_mb)

    try:
        big = work / "big"
        build_big_file(big, args.megabytes)
        peaks.append(step(f"{args.megabytes} MB file, default --max-file-size", tool + ["--no-cache", "."], big))
        many = work / "many"
        started = time.time()
        build_many_files(many, args.files)
        print(f"(wrote {args.files:,} files in {time.time() - started:.0f} s)")
        time.sleep(2.5)  # the cache does not trust a file modified within 2 s of the run that recorded it
        peaks.append(step(f"{args.files:,} files, cold (--no-cache)", tool + ["--no-cache", "."], many))
        peaks.append(step(f"{args.files:,} files, filling the cache", tool + ["."], many))
        peaks.append(step(f"{args.files:,} files, warm cache", tool + ["."], many))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if max(peaks) < args.limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
