"""The result cache and the process pool must never change what a check reports.

Cold, warm, parallel and single-process runs give the same findings; cross-file conclusions follow a change
in any one file; a corrupt, truncated, foreign or tampered cache entry is ignored and rewritten; concurrent
runs agree; ``--no-cache`` writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from flask_preflight.config import Settings
from flask_preflight.static import engine
from flask_preflight.static.cache import CACHE_DIR_NAME
from flask_preflight.static.engine import run_check

PROJECT = {
    "app/__init__.py": """\
        from flask import Flask
        from app.config import ProductionConfig

        def create_app():
            app = Flask(__name__)
            app.config.from_object(ProductionConfig)
            return app
        """,
    "app/config.py": """\
        class BaseConfig:
            SECRET_KEY = "fixed-but-only-in-base"

        class ProductionConfig(BaseConfig):
            DEBUG = False
        """,
    "run.py": """\
        from app import create_app

        app = create_app()

        if __name__ == "__main__":
            app.run(host="0.0.0.0", debug=True)
        """,
    "Dockerfile": """\
        FROM python:3.12-slim
        WORKDIR /app
        COPY . .
        CMD ["gunicorn", "-w", "4", "run:app"]
        """,
}


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        # A fresh mtime that is safely in the past, so the manifest may trust it on the next run.
        past = time.time() - 60
        os.utime(path, (past, past))


def findings(root: Path, **kwargs) -> List[Tuple[str, str, int, str]]:
    result = run_check([str(root)], Settings(project_root=str(root), respect_gitignore=False), **kwargs)
    assert result.problems == []
    return sorted((f.rule_id, Path(f.path).relative_to(root).as_posix(), f.line, f.severity.value)
                  for f in result.findings)


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the signing key lives here
    root = tmp_path / "proj"
    write(root, PROJECT)
    return root


def entries(root: Path) -> List[Path]:
    return sorted(p for p in (root / CACHE_DIR_NAME).rglob("*.json") if not p.name.startswith("manifest-"))


def test_warm_run_reports_what_the_cold_run_reports(project):
    cold = findings(project, use_cache=False)
    assert not (project / CACHE_DIR_NAME).exists()  # --no-cache writes nothing
    first = findings(project, use_cache=True)
    warm = findings(project, use_cache=True)
    assert cold == first == warm
    assert ("PF201", "app/config.py", 2, "critical") in cold or any(f[0] == "PF201" for f in cold)
    assert (project / CACHE_DIR_NAME / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    assert entries(project)


def test_warm_run_answers_from_the_cache(project, monkeypatch):
    findings(project, use_cache=True)
    calls = []
    real = engine._analyze_bytes
    monkeypatch.setattr(engine, "_analyze_bytes", lambda *a, **k: calls.append(a[0].path) or real(*a, **k))
    findings(project, use_cache=True)
    assert calls == []  # nothing re-analysed: unchanged files come from the manifest and the entries


def test_cross_module_fact_follows_a_change_in_the_other_file(project):
    before = findings(project, use_cache=True)
    assert not any(f[0] == "PF101" and f[1] == "app/config.py" for f in before)
    # Only config.py changes; app/__init__.py (which loads ProductionConfig) is served from the cache.
    write(project, {"app/config.py": PROJECT["app/config.py"].replace("DEBUG = False", "DEBUG = True")})
    after = findings(project, use_cache=True)
    assert after == findings(project, use_cache=False)
    assert any(f[0] == "PF101" and f[1] == "app/config.py" for f in after)


def test_deploy_correlation_follows_a_change_in_the_dockerfile_only(project):
    before = findings(project, use_cache=True)
    assert not any(f[0] == "PF401" for f in before)
    assert ("PF101", "run.py", 6, "low") in before  # __main__-guarded debug=True, gunicorn serves run:app
    write(project, {"Dockerfile": PROJECT["Dockerfile"].replace('["gunicorn", "-w", "4", "run:app"]',
                                                               '["python", "run.py"]')})
    after = findings(project, use_cache=True)
    assert after == findings(project, use_cache=False)
    assert ("PF401", "Dockerfile", 4, "critical") in after
    assert not any(f[1] == "run.py" and f[0] == "PF101" for f in after)  # folded into PF401


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign-signature", "tampered-body"])
def test_damaged_entries_are_ignored_and_rewritten(project, damage):
    expected = findings(project, use_cache=True)
    manifest = next((project / CACHE_DIR_NAME).rglob("manifest-*"))
    manifest.unlink()  # force the entries themselves to be consulted
    for entry in entries(project):
        raw = entry.read_bytes()
        mac, _, body = raw.partition(b"\n")
        if damage == "truncate":
            entry.write_bytes(raw[: len(raw) // 2])
        elif damage == "garbage":
            entry.write_bytes(os.urandom(64))
        elif damage == "foreign-signature":
            entry.write_bytes(b"0" * len(mac) + b"\n" + body)
        else:  # a crafted entry that claims the file has no findings
            doc = json.loads(body)
            doc["f"]["analysis"] = None
            entry.write_bytes(mac + b"\n" + json.dumps(doc).encode())
    assert findings(project, use_cache=True) == expected
    for entry in entries(project):  # rewritten with a valid signature
        assert entry.read_bytes().partition(b"\n")[0] != b"0" * 64


def test_a_committed_cache_from_another_machine_is_not_trusted(project, tmp_path, monkeypatch):
    findings(project, use_cache=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))  # another signing key
    calls = []
    real = engine._analyze_bytes
    monkeypatch.setattr(engine, "_analyze_bytes", lambda *a, **k: calls.append(a[0].path) or real(*a, **k))
    findings(project, use_cache=True)
    assert len(calls) == len(PROJECT)


def test_pool_and_single_process_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "big"
    files = dict(PROJECT)
    for i in range(engine.PARALLEL_MIN_FILES + 40):
        files[f"pkg/mod_{i:03d}.py"] = f"VALUE_{i} = {i}\n" if i % 7 else (
            f"from flask import Flask\napp_{i} = Flask(__name__)\napp_{i}.run(debug=True)\n")
    write(root, files)
    single = findings(root, jobs=1)
    parallel = findings(root, jobs=2)
    assert single == parallel
    assert sum(1 for f in single if f[0] == "PF102") == len([i for i in range(engine.PARALLEL_MIN_FILES + 40) if i % 7 == 0])


def test_concurrent_runs_agree(project):
    script = ("import json, sys\nfrom flask_preflight.cli import main\n"
              "sys.argv = ['flask-preflight', 'check', '--format', 'json', sys.argv[1]]\nmain()\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(project)], cwd=project, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dict(os.environ)) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    reports = [sorted((f["rule_id"], f["line"]) for f in json.loads(out)["findings"]) for out, _ in outputs]
    assert all(r == reports[0] for r in reports) and reports[0]
    assert all(b"Traceback" not in err for _, err in outputs)
    assert findings(project, use_cache=True) == findings(project, use_cache=False)


def _many_files(root: Path, n: int) -> None:
    write(root, {f"pkg/m{i:04d}.py": f"X_{i} = {i}\n" for i in range(n)})


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_only_on_a_terminal_and_never_for_json(tmp_path, monkeypatch):
    import pty

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "many"
    _many_files(root, 600)
    script = "import sys\nfrom flask_preflight.cli import main\nsys.argv = ['flask-preflight', 'check', '--no-cache'] + sys.argv[1:]\nmain()\n"

    def on_tty(*args: str) -> str:
        """stderr (and stdout) of the CLI attached to a pseudo-terminal."""
        pid, fd = pty.fork()
        if pid == 0:  # pragma: no cover - child
            os.chdir(root)
            os.execv(sys.executable, [sys.executable, "-c", script, *args])
        chunks = []
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.waitpid(pid, 0)
        return b"".join(chunks).decode("utf-8", "replace")

    assert "Checking" in on_tty(".")
    assert "Checking" not in on_tty(".", "--format", "json")
    piped = subprocess.run([sys.executable, "-c", script, "."], cwd=root, capture_output=True, text=True, timeout=120)
    assert "Checking" not in piped.stderr and "No findings" in piped.stdout


def test_whole_result_reuse_notices_files_the_scan_does_not_read(tmp_path, monkeypatch):
    """A fully unchanged tree reuses the last result - unless a file the checks read besides the scanned
    ones changed: here `.dockerignore` starts keeping `.env` (and its FLASK_DEBUG=1) out of the image."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "proj"
    write(root, {
        "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
        "app.py": 'from flask import Flask\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run(host="0.0.0.0")\n',
        ".env": "FLASK_DEBUG=1\n",
    })
    assert ("PF401", "Dockerfile", 4, "critical") in findings(root, use_cache=True)
    assert ("PF401", "Dockerfile", 4, "critical") in findings(root, use_cache=True)  # reused whole
    (root / ".dockerignore").write_text(".env\n", encoding="utf-8")
    after = findings(root, use_cache=True)
    assert ("PF401", "Dockerfile", 4, "high") in after
    assert after == findings(root, use_cache=False)


def test_results_written_by_other_analyser_code_are_not_reused(project, monkeypatch):
    """An edited analyser (same version, e.g. an editable install) must not be answered from the cache."""
    from flask_preflight.static import cache

    findings(project, use_cache=True)
    monkeypatch.setattr(cache, "code_identity", lambda: "0" * 64)
    calls = []
    real = engine._analyze_bytes
    monkeypatch.setattr(engine, "_analyze_bytes", lambda *a, **k: calls.append(a[0].path) or real(*a, **k))
    findings(project, use_cache=True)
    assert len(calls) == len(PROJECT)  # every file analysed again, none answered from the manifest
    calls.clear()
    findings(project, use_cache=True)
    assert calls == []  # and the new code's results are cached in turn


def test_code_identity_is_a_hash_of_the_package_source():
    from flask_preflight.static import cache

    ident = cache.code_identity()
    assert len(ident) == 64 and int(ident, 16) >= 0
    assert cache.code_identity() == ident  # computed once per process


def test_a_template_the_view_check_read_is_part_of_the_cached_result(project):
    # PF301 reads the Jinja template a view renders the exception text into; editing only that template must
    # not let a warm run replay the old answer
    write(project, {"app/views.py": """\
        from flask import render_template
        from app import create_app
        from app.store import load

        app = create_app()

        @app.route("/")
        def index():
            try:
                return load()
            except Exception as e:
                return render_template("error.html", error_message=str(e)), 500
        """, "app/templates/error.html": "<p>Sorry.</p>\n"})
    before = findings(project, use_cache=True)
    assert not any(f[0] == "PF301" for f in before)
    write(project, {"app/templates/error.html": "<p>{{ error_message }}</p>\n"})
    after = findings(project, use_cache=True)
    assert after == findings(project, use_cache=False)
    assert ("PF301", "app/views.py", 12, "medium") in after
