"""What issue 13's guards cost ``flask-preflight inspect``: the subreaper, the socket scan, the output tail.

Times whole ``flask-preflight inspect`` runs (median of ``--runs``, default 5) on apps from
tests/attack/apps/ (the regression tests assert results there, never times):

- **plain**: ``tidy_import`` - the supervisor's fork, the before/after socket scans, the gc walk;
- **thread**: ``metrics_port`` - an import-time thread (the scan waits up to 0.5 s for threads the import
  started when no new socket shows up yet; this app's socket is already there, so it shows the probe-free
  in-process path);
- **flood 50 MiB**: ``flood`` printing 50 MiB at import, all through the 64 KiB tail reader;
- **escape**: ``escape_popen`` - a new-session process serving on a port, probed over HTTP and killed.

Run: ``python benchmarks/bench_inspect.py [--runs 5] [--flood-mb 50] [--json OUT]``. Exit status 1 when a run does not
give the expected exit code (the measurement would be of something else).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

APPS = Path(__file__).resolve().parent.parent / "tests" / "attack" / "apps"
FLOOD_MB = 50


def cases(flood_mb: int = FLOOD_MB) -> List[Tuple[str, str, Dict[str, str]]]:
    return [
        ("plain", "tidy_import:app", {}),
        ("thread", "metrics_port:app", {}),
        (f"flood {flood_mb} MiB", "flood:app", {"FLOOD_MB": str(flood_mb)}),
        ("escape", "escape_popen:app", {}),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(target: str, extra: Dict[str, str], tmp: str) -> Tuple[float, int]:
    env = dict(os.environ, SECRET_KEY=secrets.token_hex(32), ATTACK_PORT=str(_free_port()),
               ATTACK_PIDFILE=os.path.join(tmp, "pid"), **extra)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "inspect", target, "--format", "json"],
                          cwd=str(APPS), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=300)
    return time.perf_counter() - start, proc.returncode


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--flood-mb", type=int, default=FLOOD_MB, help="MiB the flood app prints [50]")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.flood_mb < 1:
        parser.error("--runs and --flood-mb must be at least 1")
    results = {}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, target, extra in cases(args.flood_mb):
            times = []
            for _ in range(args.runs):
                elapsed, code = one_run(target, extra, tmp)
                if code != 1:
                    print(f"{name}: exit {code}, expected 1", file=sys.stderr)
                    ok = False
                times.append(elapsed)
            results[name] = {"median_s": statistics.median(times), "runs": times}
            print(f"{name:14s} median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f})")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
