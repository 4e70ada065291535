"""``flask-preflight probe`` against hostile servers (issue 13): does each run stay inside its time limit?

The attack tests (``tests/attack/test_probe_*.py``) assert what the probe reports; the time each attack
costs is measured here instead, so no test depends on the machine's speed. Each scenario starts a small
server on 127.0.0.1 (a thread in this process; nothing else is contacted), runs the real CLI in a child
process with ``--timeout T`` and reports the wall time next to the per-URL limit (3 x T):

- **gzip-bomb**: ``Content-Encoding: gzip, gzip``, a 3.3 KB body that decodes to 256 MB (the issue's bomb
  took 4.2 GB and 78 s);
- **270-cookies**: 270 Flask-shaped session cookies signed with a key in no wordlist (33 s under
  ``--timeout 5`` before the fix);
- **slow+cookie**: every request after the first takes 0.8 x T and a session cookie waits for its key
  search: the limit runs out and the search must not run past it;
- **silent**: the server accepts the connection and never answers (for 4 x T): each request gives up at T;
- **10mb-body**: every path answers 200 with a 10 MB HTML body (only part of it is read).

The last two are the time half of ``tests/probe/test_servers.py``'s error run and 10 MB body tests (which
assert only what is reported). ``--scenario NAME`` (repeatable) runs only those; ``--bomb-mb`` shrinks the
gzip bomb for a quick run.

Verdict per scenario: PASS when the run took at most 3 x T plus ``--slack`` seconds (interpreter start-up,
default 3 s), MISS otherwise; exit status 1 on any MISS. Peak memory of the child (``ru_maxrss``) is shown.

Run: ``python benchmarks/bench_probe_hostile.py [--timeout 5] [--slack 3] [--scenario NAME] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import resource
import secrets
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

HOST = "127.0.0.1"
Answer = Tuple[int, List[Tuple[str, str]], bytes]


def _signed(key: str, payload: bytes) -> str:
    from itsdangerous import TimestampSigner

    data = b"." + base64.urlsafe_b64encode(zlib.compress(payload, 9)).rstrip(b"=")
    signer = TimestampSigner(key, salt="cookie-session", key_derivation="hmac", digest_method=hashlib.sha1)
    return signer.sign(data).decode("ascii")


BOMB_MB = 256
BIG_BODY = 10 * 1024 * 1024
SCENARIOS = ("gzip-bomb", "270-cookies", "slow+cookie", "silent", "10mb-body")


def _bomb(megabytes: int = BOMB_MB) -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    inner = b"".join([comp.compress(block) for _ in range(megabytes)] + [comp.flush()])
    return gzip.compress(inner, 9)


def scenarios(timeout: float, names: Sequence[str] = SCENARIOS,
              bomb_mb: int = BOMB_MB) -> Dict[str, Callable[[str], Optional[Answer]]]:
    bomb = _bomb(bomb_mb) if "gzip-bomb" in names else b""
    key = secrets.token_urlsafe(32)
    flags = "Path=/; HttpOnly; SameSite=Lax"
    payload = json.dumps({"n": 1}).encode()
    cookies = [("Set-Cookie", f"s{i:03d}={_signed(key, payload)}; {flags}") for i in range(270)]
    session = [("Set-Cookie", f"session={_signed(key, payload)}; {flags}")]
    html = [("Content-Type", "text/html; charset=utf-8")]

    def gzip_bomb(path: str) -> Answer:
        return (200, html + [("Content-Encoding", "gzip, gzip")], bomb) if path == "/" else (404, html, b"no")

    def many_cookies(path: str) -> Answer:
        return (200, html + cookies, b"<p>hi</p>") if path == "/" else (404, html, b"no")

    def slow_cookie(path: str) -> Answer:
        if path != "/":
            time.sleep(0.8 * timeout)
            return 404, html, b"no"
        return 200, html + session, b"<p>hi</p>"

    def silent(path: str) -> Optional[Answer]:
        time.sleep(min(4 * timeout, 60.0))  # never answers while the probe waits; bounded, daemon thread
        return None

    big = b"<!doctype html><p>" + b"x" * (BIG_BODY - 18)

    def big_body(path: str) -> Answer:
        return 200, html, big

    every = {"gzip-bomb": gzip_bomb, "270-cookies": many_cookies, "slow+cookie": slow_cookie, "silent": silent,
             "10mb-body": big_body}
    return {name: every[name] for name in names}


def serve(answer: Callable[[str], Optional[Answer]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            answered = answer(self.path)
            if answered is None:
                self.close_connection = True
                return
            status, headers, body = answered
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(url: str, timeout: float) -> Dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = HOST
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "probe", url, "--timeout", str(timeout),
                           "--format", "json"], capture_output=True, text=True, env=env, timeout=600)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads(proc.stdout) if proc.returncode in (0, 1, 3) else {}
    return {"exit": proc.returncode, "seconds": round(seconds, 2), "max_rss_mb": round(max(before, after) / 1024),
            "errors": [e["reason"] for e in report.get("errors", [])]}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--slack", type=float, default=3.0)
    parser.add_argument("--scenario", action="append", choices=SCENARIOS,
                        help="run only this scenario (repeatable) [all]")
    parser.add_argument("--bomb-mb", type=int, default=BOMB_MB, help="decoded size of the gzip bomb [256]")
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.bomb_mb < 1:
        parser.error("--timeout must be positive and --bomb-mb at least 1")
    limit = 3 * args.timeout
    results: Dict[str, Any] = {}
    misses = 0
    names = [n for n in SCENARIOS if n in (args.scenario or SCENARIOS)]
    for name, answer in scenarios(args.timeout, names, args.bomb_mb).items():
        server = serve(answer)
        try:
            result = run(f"http://{HOST}:{server.server_address[1]}/", args.timeout)
        finally:
            server.shutdown()
            server.server_close()
        result["verdict"] = "PASS" if result["seconds"] <= limit + args.slack else "MISS"
        misses += result["verdict"] == "MISS"
        results[name] = result
        print(f"{name:<12} {result['seconds']:>6.2f} s (limit {limit:g} s + {args.slack:g})  "
              f"max RSS {result['max_rss_mb']} MB  exit {result['exit']}  {result['verdict']}")
        for reason in result["errors"]:
            print(f"    error: {reason[:160]}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"timeout": args.timeout, "results": results}, fh, indent=2)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
