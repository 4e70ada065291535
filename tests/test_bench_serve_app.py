"""benchmarks/serve_app.py, the app bench_serve.py and bench_slow_clients.py serve: both endpoints answer what
the benchmark expects (checked with Flask's test client, no socket), it refuses to start without SECRET_KEY,
and ``flask-preflight inspect`` finds nothing high or critical in it - else ``serve`` would refuse it and both
benchmarks would measure nothing. (tests/test_bench_serve.py and tests/test_bench_runtime.py also serve it
for real over 127.0.0.1.)"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "benchmarks" / "serve_app.py"


def _load(monkeypatch, secret):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    spec = importlib.util.spec_from_file_location("bench_serve_app", APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_endpoints_answer_as_the_benchmark_expects(monkeypatch) -> None:
    app = _load(monkeypatch, secrets.token_hex(32)).app
    client = app.test_client()
    api = client.get("/api/items?page=2", headers={"Host": "127.0.0.1"})
    assert api.status_code == 200 and api.mimetype == "application/json"
    data = api.get_json()
    assert (data["page"], data["page_size"]) == (2, 20)
    assert [item["id"] for item in data["items"]] == list(range(20, 40))
    assert data["items"][0] == {"id": 20, "name": "Item <20>", "price": 1.5 * 20 + 0.99, "tags": ["stock"]}
    assert client.get("/api/items?page=5000", headers={"Host": "127.0.0.1"}).get_json()["page"] == 1000

    page = client.get("/", headers={"Host": "localhost"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "<title>Items - Shop</title>" in html and "Item &lt;0&gt;" in html and "Item <0>" not in html
    assert html.count("<tr><td>") == 20
    for name, value in {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                        "Content-Security-Policy": "default-src 'self'"}.items():
        assert page.headers[name] == value
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400  # TRUSTED_HOSTS


def test_it_refuses_to_start_without_a_secret_key(monkeypatch) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        _load(monkeypatch, None)


def test_inspect_finds_nothing_that_would_stop_serve() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PREFLIGHT_"))}
    env["SECRET_KEY"] = secrets.token_hex(32)
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "inspect", "benchmarks/serve_app.py:app",
                           "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    assert [f["rule_id"] for f in report["findings"] if f["severity"] in ("high", "critical")] == []
