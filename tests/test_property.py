"""Property tests: whatever is on disk, ``run_check`` returns a result (findings and/or Problems) and every
finding is well formed: a registered rule, a line inside the file, a column of at least 1."""

from __future__ import annotations

import ast
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from flask_preflight.config import Settings
from flask_preflight.findings import ProblemKind, ScanResult, Severity
from flask_preflight.rules import REGISTRY
from flask_preflight.static.engine import run_check

RULE_IDS = frozenset(r.id for r in REGISTRY)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SEED = 20261207  # fixed: the same examples on every machine; failures also replay from .hypothesis/
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("property")


def scan_files(root: Path, files: Dict[str, bytes]) -> ScanResult:
    """Write ``files`` into a fresh directory under ``root`` and check it; never leaves state behind."""
    d = Path(tempfile.mkdtemp(dir=root))
    try:
        for name, data in files.items():
            p = d / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        result = run_check([str(d)], Settings(project_root=str(d), respect_gitignore=False))
        _check_result(result, d, files)
        return result
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _line_count(data: bytes) -> int:
    """Lines as Python's tokenizer counts them (\\n, \\r\\n, \\r)."""
    if not data:
        return 0
    parts = _LINE_BREAK.split(data)
    return len(parts) - 1 if parts[-1] == b"" else len(parts)


def _check_result(result: ScanResult, d: Path, files: Dict[str, bytes]) -> None:
    by_path = {os.path.abspath(os.path.join(str(d), name)): data for name, data in files.items()}
    assert result.files_scanned <= len(files)
    for f in result.findings:
        assert f.rule_id in RULE_IDS, f
        assert REGISTRY.get(f.rule_id).name == f.rule_name
        assert isinstance(f.severity, Severity)
        assert f.message.strip()
        data = by_path.get(os.path.abspath(f.path))
        assert data is not None, (f.path, sorted(by_path))
        n = _line_count(data)
        assert 1 <= f.line <= n, (f.rule_id, f.line, n)
        assert f.column >= 1, f
        end_line = f.location.end_line if f.location.end_line is not None else f.line
        assert f.line <= end_line <= n, f
        if end_line == f.line and f.location.end_column is not None:
            assert f.location.end_column >= f.column, f
        for rel in f.related:
            assert rel.line >= 1 and rel.column >= 1, rel
        f.to_dict()  # serialisable
        f.fingerprint()
    for p in result.problems:
        assert isinstance(p.kind, ProblemKind)
        assert p.reason and "\n" not in p.describe()
        assert p.kind is not ProblemKind.INTERNAL_ERROR, p.describe()
        if p.line is not None:
            assert p.line >= 1


# --- (a) random bytes --------------------------------------------------------------------------------------

PY_PREFIX = b"from flask import Flask\napp = Flask(__name__)\n"

random_bytes = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=500).map(lambda b: PY_PREFIX + b),
    st.binary(max_size=500).map(lambda b: PY_PREFIX + b + b"\napp.run(debug=True)\n"),
    st.text(max_size=800).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=400).map(lambda t: PY_PREFIX + t.encode("utf-8", "surrogatepass") + b"\napp.debug = True\n"),
    st.sampled_from([b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n", b"# coding: utf-16\n", b"#!python\n",
                     b"# vim: set fileencoding=bogus :\n", b""]).flatmap(
        lambda head: st.binary(max_size=300).map(lambda b: head + PY_PREFIX + b)),
)


@seed(SEED)
@SETTINGS
@given(data=random_bytes)
def test_random_bytes_never_raise(workdir, data):
    result = scan_files(workdir, {"mod.py": data})
    # Either the file was analysed (counted, no problem for it) or exactly one Problem says why not.
    if result.problems:
        assert len(result.problems) == 1
        assert result.problems[0].path.endswith("mod.py")
    else:
        assert result.files_scanned == 1


# --- (b) generated Flask-ish programs -----------------------------------------------------------------------

IMPORTS = [
    "import os", "import flask", "from flask import Flask", "from flask import Flask as F",
    "from os import environ", "from os import getenv", "from os import environ as env",
    "from werkzeug.serving import run_simple", "from werkzeug.debug import DebuggedApplication",
    "from werkzeug import serving", "import config", "from config import Config, ProductionConfig",
    "from . import settings", "from flask_socketio import SocketIO", "import werkzeug.debug",
]
APP_CREATION = [
    "app = Flask(__name__)", "app = flask.Flask(__name__)", "application = Flask('x')", "app = F(__name__)",
    "app = create_app()", "app = Flask(__name__, instance_relative_config=True)", "socketio = SocketIO(app)",
]
APP_NAMES = ["app", "application", "self.app", "current_app", "flask_app"]
VALUES = [
    "True", "False", "1", "0", "'1'", "'true'", "''", "None", "not False", "DEBUG", "debug",
    "os.environ.get('FLASK_DEBUG')", "os.environ.get('DEBUG', 'true')", "os.environ.get('DEBUG', True)",
    "os.getenv('DEBUG', '1')", "os.getenv('DEBUG', 'False') == 'True'", "os.environ['DEBUG']",
    "bool(os.getenv('X', '1'))", "os.environ.get('DEBUG', 'false').lower() in ('1', 'true')",
    "getenv('D') == '1'", "int(os.getenv('D', 1))", "environ.get('D', 'on')", "env.get('D')",
    "os.environ.get('ENV') != 'production'", "settings.DEBUG", "config.DEBUG", "True or x", "x and True",
    "True if os.environ.get('DEV') else False", "os.environ.get('DEBUG') or True", "[True][0]", "{'a': 1}",
    "lambda: True", "f'{x}'", "*args", "**kw",
]
HOSTS = ["'0.0.0.0'", "'127.0.0.1'", "'::'", "''", "HOST", "os.getenv('HOST', '0.0.0.0')", "'localhost'",
         "os.environ['HOST']", "None"]
CONFIG_NAMES = ["Config", "ProductionConfig", "DevelopmentConfig", "BaseConfig", "TestingConfig",
                "DefaultConfig", "ProdConfig", "LocalConfig", "Settings"]
OBJECTS = CONFIG_NAMES + ["'config.ProductionConfig'", "'config.DevelopmentConfig'", "'config.Config'", "config",
                          "'settings'", "os.environ.get('APP_SETTINGS', 'config.DevelopmentConfig')",
                          "configs[env]", "f'config.{name}'", "__name__", "'missing.Module'", "''"]
GUARDS = ["__name__ == '__main__'", "'__main__' == __name__", "os.environ.get('ENV') == 'dev'", "DEBUG", "True",
          "False", "app.debug", "not os.getenv('PROD')", "x"]
PORTS = ["5000", "80", "PORT", "int(os.getenv('PORT', 8000))"]
PYFILES = ["'settings.py'", "os.environ['CFG']"]
VALUE_KEYS = ["debug", "use_debugger", "use_reloader", "use_evalex", "threaded", "load_dotenv"]

value = st.sampled_from(VALUES)
host = st.sampled_from(HOSTS)
appname = st.sampled_from(APP_NAMES)


@st.composite
def run_call(draw):
    kwargs: List[str] = []
    if draw(st.booleans()):
        kwargs.append(f"host={draw(host)}")
    if draw(st.booleans()):
        port = draw(st.sampled_from(PORTS))
        kwargs.append(f"port={port}")
    for key in draw(st.lists(st.sampled_from(VALUE_KEYS), max_size=3, unique=True)):
        kwargs.append(f"{key}={draw(value)}")
    if draw(st.integers(0, 5)) == 0:
        kwargs.insert(0, draw(host))  # positional host
    target = draw(st.sampled_from(["app.run", "application.run", "socketio.run", "self.run", "run_simple",
                                   "serving.run_simple", "app.run_server", "flask_app.run"]))
    if target == "socketio.run":
        kwargs.insert(0, "app")
    if target.endswith("run_simple"):
        kwargs = [draw(host), "5000", "app"] + [k for k in kwargs if "=" in k]
    return f"{target}({', '.join(kwargs)})"


@st.composite
def simple_statement(draw):
    a = draw(appname)
    v = draw(value)
    choice = draw(st.integers(0, 17))
    return [
        f"DEBUG = {v}",
        f"{a}.debug = {v}",
        f"{a}.config['DEBUG'] = {v}",
        f"{a}.config[\"ENV\"] = 'development'",
        f"{a}.config.update(DEBUG={v}, SECRET_KEY='x')",
        f"{a}.config.update({{'DEBUG': {v}}})",
        f"{a}.config.from_mapping(DEBUG={v})",
        f"{a}.config.from_object({draw(st.sampled_from(OBJECTS))})",
        f"{a}.config.from_pyfile({draw(st.sampled_from(PYFILES))}, silent=True)",
        f"{a}.config.from_envvar('APP_SETTINGS')",
        draw(run_call()),
        f"{a}.wsgi_app = DebuggedApplication({a}.wsgi_app, evalex={v})",
        f"HOST = {draw(host)}",
        f"{draw(st.sampled_from(['x', 'debug', 'DEBUG', 'env', 'PORT']))} = {v}",
        "pass",
        f"{a}.config['DEBUG'] = {a}.config.get('DEBUG', {v})",
        f"{draw(st.sampled_from(APP_CREATION))}",
        f"return {v}",
    ][choice]


def render(block, indent: int = 0) -> List[str]:
    pad = "    " * indent
    out: List[str] = []
    for stmt in block:
        if isinstance(stmt, str):
            out.append(pad + stmt)
            continue
        kind, header, body, extra = stmt
        out.extend(pad + h for h in header.split("\n"))
        out.extend(render(body, indent + 1) or [pad + "    pass"])
        if kind == "if" and extra is not None:
            out.append(pad + "else:")
            out.extend(render(extra, indent + 1) or [pad + "    pass"])
        if kind == "try":
            out.append(pad + f"except {extra or 'Exception'}:")
            out.append(pad + "    pass")
    return out


def compound(children):
    return st.one_of(
        st.tuples(st.just("if"), st.sampled_from(GUARDS).map(lambda g: f"if {g}:"), children,
                  st.none() | children),
        st.tuples(st.just("def"), st.sampled_from(["def main():", "def create_app(config=None):",
                                                   "async def serve():", "def run(self):", "@app.route('/')\ndef x():"]),
                  children, st.none()),
        st.tuples(st.just("class"), st.sampled_from(CONFIG_NAMES).flatmap(
            lambda n: st.sampled_from(["", "(Config)", "(object)", "(BaseConfig)", f"({n})"]).map(
                lambda base: f"class {n}{base}:")), children, st.none()),
        st.tuples(st.just("try"), st.just("try:"), children, st.sampled_from([None, "ImportError", "KeyError"])),
        st.tuples(st.just("with"), st.sampled_from(["with app.app_context():", "with open('x') as fh:"]),
                  children, st.none()),
        st.tuples(st.just("for"), st.just("for name in names:"), children, st.none()),
        st.tuples(st.just("while"), st.just("while False:"), children, st.none()),
    )


blocks = st.recursive(st.lists(simple_statement(), min_size=1, max_size=4),
                      lambda children: st.lists(st.one_of(simple_statement(), compound(children)), min_size=1,
                                                max_size=5),
                      max_leaves=25)


@st.composite
def flask_program(draw) -> str:
    imports = draw(st.lists(st.sampled_from(IMPORTS), max_size=5))
    creation = draw(st.lists(st.sampled_from(APP_CREATION), max_size=2))
    body = draw(blocks)
    tail = draw(st.sampled_from(["", "if __name__ == '__main__':\n    app.run(debug=True)",
                                 "if __name__ == '__main__':\n    app.run(host='0.0.0.0')", "app.run()"]))
    lines = imports + creation + render(body) + ([tail] if tail else [])
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


def _clean_bytes(src: str) -> bytes:
    return src.encode("utf-8")


@seed(SEED)
@SETTINGS
@given(src=flask_program())
def test_generated_flask_programs(workdir, src):
    try:
        ast.parse(src)
        valid = True
    except SyntaxError:  # e.g. `return` at module level, `*args` outside a call: still must not raise
        valid = False
    result = scan_files(workdir, {"app.py": _clean_bytes(src)})
    if valid:
        assert result.problems == [], [p.describe() for p in result.problems]
    else:
        assert [p.kind for p in result.problems] in ([], [ProblemKind.SYNTAX_ERROR])


@seed(SEED)
@SETTINGS
@given(app_src=flask_program(), config_src=flask_program(),
       package=st.booleans(), app_name=st.sampled_from(["app.py", "wsgi.py", "__init__.py", "__main__.py",
                                                        "tests/test_app.py", "manage.py"]))
def test_generated_projects_across_modules(workdir, app_src, config_src, package, app_name):
    """Two modules (app + config) so from_object / imports resolve across files."""
    files = {app_name: _clean_bytes(app_src), "config.py": _clean_bytes(config_src)}
    if package:
        files = {f"blog/{k}": v for k, v in files.items()}
        files.setdefault("blog/__init__.py", b"")
    result = scan_files(workdir, files)
    assert all(p.kind is ProblemKind.SYNTAX_ERROR for p in result.problems)


# --- (c) mutations of valid programs ---------------------------------------------------------------------------

SEEDS = [
    '''\
"""A deliberately unsafe Flask app."""
import os

from flask import Flask
from werkzeug.debug import DebuggedApplication

from config import Config


class LocalConfig(Config):
    DEBUG = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev")


app = Flask(__name__)
app.config.from_object(Config)
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG", True)
app.config.update(
    DEBUG=True,
    TESTING=False,
)
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)


@app.route("/")
def index():
    return "hello"


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    try:
        os.makedirs(app.instance_path)
    except OSError:
        pass
    return app


app.run(host="0.0.0.0", port=5000, debug=True)

if __name__ == "__main__":
    app.run(host=os.getenv("HOST", "0.0.0.0"), debug=os.environ.get("DEBUG", "1") == "1")
''',
    '''\
import os
from flask import Flask
from werkzeug.serving import run_simple


class Config(object):
    DEBUG = False


class ProductionConfig(Config):
    DEBUG = os.getenv("DEBUG", "true").lower() in ("1", "true")


class DevelopmentConfig(Config):
    DEBUG = True


def make():
    application = Flask(__name__)
    application.config.from_object("config.ProductionConfig")
    application.debug = bool(os.environ.get("APP_DEBUG", 1))
    return application


app = make()
if __name__ == "__main__":
    run_simple("0.0.0.0", 5000, app, use_debugger=True, use_reloader=True)
''',
]


@st.composite
def mutated(draw):
    lines = draw(st.sampled_from(SEEDS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 8))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "dedent", "indent", "truncate", "move"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip(" ")
        elif op == "indent":
            lines[i] = "    " + lines[i]
        elif op == "truncate":
            cut = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:cut] + "\n"
        elif op == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(i))
    return "".join(lines)


@seed(SEED)
@SETTINGS
@given(src=mutated())
def test_mutated_programs(workdir, src):
    result = scan_files(workdir, {"app.py": _clean_bytes(src)})
    try:
        ast.parse(src)
    except SyntaxError:
        assume(True)
        assert all(p.kind in (ProblemKind.SYNTAX_ERROR, ProblemKind.TOO_COMPLEX) for p in result.problems)
    else:
        assert result.problems == [], [p.describe() for p in result.problems]


@seed(SEED)
@SETTINGS
@given(src=mutated(), other=mutated())
def test_mutated_programs_as_a_project(workdir, src, other):
    result = scan_files(workdir, {"app.py": _clean_bytes(src), "config.py": _clean_bytes(other),
                                  "__init__.py": b""})
    assert all(p.kind in (ProblemKind.SYNTAX_ERROR, ProblemKind.TOO_COMPLEX) for p in result.problems)


def test_unmutated_seeds_have_findings(workdir):
    """Sanity: the seeds are real positives, so the mutations start from code the analyser reports."""
    for seed in SEEDS:
        result = scan_files(workdir, {"app.py": seed.encode()})
        assert result.problems == []
        assert {"PF101", "PF102"} & {f.rule_id for f in result.findings} or \
            {"PF104", "PF105"} & {f.rule_id for f in result.findings}
