"""The default fail policy (``--fail-on medium``): what Flask's own docs recommend passes CI, what reaches
production fails it.

Each positive (exit 0 by default, the finding still shown as low, exit 1 with ``--fail-on low``) sits beside
a tricky negative that differs only in whether production runs it (exit 1 by default). Real processes
(``python -m flask_preflight``), exact findings and exact summary lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

# Flask's quickstart: the development server with the debugger, started only by `python app.py`.
GUARDED_APP = '''\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    app.run(debug=True)
'''

# The same call at import time: gunicorn importing app:app starts the debugger.
IMPORT_TIME_APP = '''\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


app.run(debug=True)
'''

PRODUCTION_APP = '''\
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
'''

# Flask's testing docs: a fixture that configures the app for tests with a literal key.
CONFTEST = '''\
import pytest

from app import app as flask_app


@pytest.fixture
def app():
    flask_app.config.update(TESTING=True, SECRET_KEY="test-secret-key-123456")
    yield flask_app
'''

LITERAL_KEY_APP = '''\
from flask import Flask

app = Flask(__name__)
app.config.update(TESTING=False, SECRET_KEY="test-secret-key-123456")
'''

FLASKENV = "FLASK_APP=app\nFLASK_DEBUG=1\n"
GUNICORN_IMAGE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"]\n'
SOURCING_IMAGE = ('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n'
                  'CMD ["sh", "-c", "set -a && . ./.flaskenv && exec gunicorn -w 4 -b 0.0.0.0:8000 app:app"]\n')
ENV_IMAGE = ('FROM python:3.12-slim\nWORKDIR /app\nENV FLASK_DEBUG=1\nCOPY . .\n'
             'CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"]\n')

KEY_IMAGE = ('FROM python:3.12-slim\nWORKDIR /app\nENV SECRET_KEY=4f9c2a7e1b8d6035c9e1f7a2b4d8e6c0\nCOPY . .\n'
             'CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"]\n')

Found = List[Tuple[str, str, int, int, str]]


TUTORIAL_FACTORY = """import os
from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    return app
"""


def write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def check(root: Path, *args: str) -> Tuple[int, Found, str]:
    """Exit code, (rule, path, line, column, severity) of each finding, and the text report's last line."""
    def run(*extra: str) -> "subprocess.CompletedProcess[str]":
        return subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", *extra, *args],
                              cwd=root, capture_output=True, text=True, timeout=120)

    report = run("--format", "json")
    assert report.stderr == "", report.stderr
    found = [(f["rule_id"], f["path"], f["line"], f["column"], f["severity"])
             for f in json.loads(report.stdout)["findings"]]
    text = run()
    assert text.returncode == report.returncode, (text.stdout, report.stdout)
    return report.returncode, found, text.stdout.rstrip("\n").splitlines()[-1]


CASES = {
    # positives: exit 0 by default
    "guarded-debug-run": ({"app.py": GUARDED_APP}, 0,
                          [("PF101", "app.py", 12, 19, "low")], "Found 1 finding (1 low) in 1 file."),
    "flaskenv-no-production-launch-reads": (
        {"app.py": GUARDED_APP, ".flaskenv": FLASKENV, "Dockerfile": GUNICORN_IMAGE}, 0,
        [("PF402", ".flaskenv", 2, 1, "low"), ("PF101", "app.py", 12, 19, "low")],
        "Found 2 findings (2 low) in 3 files."),
    "secret-in-test-fixture": ({"app.py": PRODUCTION_APP, "tests/conftest.py": CONFTEST}, 0,
                               [("PF201", "tests/conftest.py", 8, 54, "low")], "Found 1 finding (1 low) in 2 files."),
    # Flask's tutorial factory: SECRET_KEY="dev" replaced by the instance config in production
    "tutorial-dev-key-replaced-by-the-instance-config": (
        {"flaskr/__init__.py": TUTORIAL_FACTORY}, 0,
        [("PF202", "flaskr/__init__.py", 8, 20, "low")], "Found 1 finding (1 low) in 1 file."),
    "secret-in-test-fixture-dockerfile": (
        {"app.py": PRODUCTION_APP, "tests/fixtures/Dockerfile": KEY_IMAGE}, 0,
        [("PF406", "tests/fixtures/Dockerfile", 3, 5, "low")], "Found 1 finding (1 low) in 2 files."),
    # tricky negatives: the same code where production runs it, exit 1
    "same-key-in-the-deployed-dockerfile": (
        {"app.py": PRODUCTION_APP, "Dockerfile": KEY_IMAGE}, 1,
        [("PF406", "Dockerfile", 3, 5, "high")], "Found 1 finding (1 high) in 2 files."),
    "import-time-debug-run": ({"app.py": IMPORT_TIME_APP}, 1,
                              [("PF102", "app.py", 11, 1, "high"), ("PF101", "app.py", 11, 15, "high")],
                              "Found 2 findings (2 high) in 1 file."),
    "dockerfile-sources-flaskenv": (
        {"app.py": GUARDED_APP, ".flaskenv": FLASKENV, "Dockerfile": SOURCING_IMAGE}, 1,
        [("PF402", ".flaskenv", 2, 1, "medium"), ("PF101", "app.py", 12, 19, "low")],
        "Found 2 findings (1 medium, 1 low) in 3 files."),
    "dockerfile-sets-flask-debug": (
        {"app.py": GUARDED_APP, "Dockerfile": ENV_IMAGE}, 1,
        [("PF402", "Dockerfile", 3, 5, "medium"), ("PF101", "app.py", 12, 19, "low")],
        "Found 2 findings (1 medium, 1 low) in 2 files."),
    "tutorial-key-without-the-instance-config": (
        {"flaskr/__init__.py": TUTORIAL_FACTORY.replace('        app.config.from_pyfile("config.py", silent=True)\n',
                                                        "        pass\n")}, 1,
        [("PF201", "flaskr/__init__.py", 8, 20, "critical")], "Found 1 finding (1 critical) in 1 file."),
    "same-key-in-app-code": ({"app.py": LITERAL_KEY_APP}, 1,
                             [("PF201", "app.py", 4, 45, "high")], "Found 1 finding (1 high) in 1 file."),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_fail_policy(tmp_path: Path, name: str) -> None:
    files, code, expected, summary = CASES[name]
    write(tmp_path, files)
    assert check(tmp_path) == (code, expected, summary)
    # --fail-on low keeps the strict policy: every shown finding fails
    assert check(tmp_path, "--fail-on", "low")[0] == 1


def test_fail_on_from_pyproject_restores_the_strict_policy(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": GUARDED_APP, "pyproject.toml": '[tool.flask-preflight]\nfail-on = "low"\n'})
    assert check(tmp_path) == (1, [("PF101", "app.py", 12, 19, "low")], "Found 1 finding (1 low) in 1 file.")
