"""Helpers for tests of the runtime (``inspect``) checks: write a real Flask app to a temporary directory,
import it like a WSGI server would, run the checks on the live object and compare exact (rule, file, line).
"""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from flask_preflight.findings import Finding
from flask_preflight.runtime.checks import run_checks
from flask_preflight.runtime.context import AppContext

HEAD = """\
from flask import Flask
app = Flask(__name__)
"""  # the app object is defined on line 2


class Inspector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.findings: List[Finding] = []
        self.notes: List[str] = []
        self.loaded: List[str] = []
        self.app = None

    def load(self, source: str, files: Optional[Dict[str, str]] = None, attr: str = "app"):
        """Write ``files`` and the main module, import it under a unique name, return (app, module path)."""
        name = f"pf_app_{uuid.uuid4().hex[:10]}"
        pkg = self.root / name
        pkg.mkdir()
        (pkg / "__init__.py").write_text("", encoding="utf-8")
        for rel, text in (files or {}).items():
            path = pkg / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n").replace("{pkg}", name), encoding="utf-8")
        main = pkg / "main.py"
        main.write_text(textwrap.dedent(source).lstrip("\n").replace("{pkg}", name), encoding="utf-8")
        sys.path.insert(0, str(self.root))
        try:
            module = importlib.import_module(f"{name}.main")
        finally:
            sys.path.remove(str(self.root))
        self.loaded.append(name)
        self.app = getattr(module, attr)
        return self.app, main

    def __call__(self, source: str, *, files: Optional[Dict[str, str]] = None, deploy_proxy: Optional[bool] = None,
                 env: Tuple[Tuple[str, str], ...] = (), attr: str = "app") -> List[Tuple[str, str, int]]:
        app, main = self.load(source, files, attr)
        text = main.read_text(encoding="utf-8").splitlines()
        line = next((i for i, t in enumerate(text, 1) if "Flask(" in t and "=" in t), 1)
        ctx = AppContext(target=f"{main.parent.name}.main:{attr}", target_path=str(main), target_line=line,
                         env=env, deploy_proxy=deploy_proxy)
        self.findings, self.notes = run_checks(app, ctx)
        return sorted((f.rule_id, self.rel(f.path), f.line, f.column, f.severity.value) for f in self.findings)

    def rel(self, path: str) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                return p.relative_to(self.root).as_posix().split("/", 1)[1]
            except ValueError:
                return p.as_posix()
        return p.as_posix()

    def only(self, rule_id: str) -> Finding:
        matches = [f for f in self.findings if f.rule_id == rule_id]
        assert len(matches) == 1, (rule_id, [(f.rule_id, f.message) for f in self.findings])
        return matches[0]

    def ids(self) -> List[str]:
        return sorted(f.rule_id for f in self.findings)

    def cleanup(self) -> None:
        for name in self.loaded:
            for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                del sys.modules[mod]


@pytest.fixture
def inspect_app(tmp_path: Path):
    inspector = Inspector(tmp_path)
    yield inspector
    inspector.cleanup()


# Settings that silence every config check, so a test sees only the behaviour it is about.
HARDENED_CONFIG = """\
app.config.update(
    SECRET_KEY="9f2c4e1a7b3d8f6e0a5c2b9d4e7f1a3c6b8d0e2f4a6c8e1b3d5f7a9c2e4b6d8f",
    SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
    MAX_CONTENT_LENGTH=1024 * 1024, TRUSTED_HOSTS=["example.com"], PREFERRED_URL_SCHEME="https",
    SERVER_NAME="example.com",  # what validates hosts before Flask 3.1
)
"""

# An after_request hook that sends every security header PF506 looks for.
HEADERS_HOOK = """\
@app.after_request
def security_headers(resp):
    resp.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    resp.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return resp
"""

QUIET = HEAD + HARDENED_CONFIG + HEADERS_HOOK  # 15 lines; an app with no findings at all
QUIET_LINES = len(QUIET.splitlines())
