"""Issue 13, item 5: ``.gitignore`` patterns are matched without backtracking, with git's own semantics.

pathspec compiled ``*a*a*a*a*a*a*a*a*b`` into a regular expression that backtracked for 25 s on one
52-character name. static/gitignore.py reads patterns with git's rules and matches them in linear time.
The semantics are checked against the real ``git check-ignore`` on a real tree, pattern by pattern; the
hostile patterns are checked for their exact result on names long enough to have hung the old matcher
(timing: benchmarks/bench_quadratic.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from flask_preflight.static.gitignore import IgnoreSpec

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

PATHS = [  # "/" at the end: a directory
    "app.py", "x.pyc", "x.pyo", "sub/x.pyc", "build/", "build/app.py", "src/build/", "src/build/x.py",
    "dist/", "src/dist/", "docs/a.md", "docs/sub/a.md", "logs/", "a/logs/", "a/b/logs/", "a/b/", "a/x/b/",
    "a/x/y/b/", "ab/", "x/", "x/y.py", "x/y/z.py", "foo/", "foo/keep", "foo/other", "bbc", "abc", "data1.csv",
    "dataX.csv", "t/tmp/", "t/tmp/f.py", "tmp/", "sp ace ", "sp ace", "#hash", "!bang", "old~", "q.txt",
    "qq.txt", "é.txt", "1.log", "z1.log", "lib/m/x", "lib/m/n/x", "aaaab", "aXaYaZab", "ü/", "ü/a.pyc",
    "-dash", "]br", "[lit", "tab\t", "Up.PY", "deep/er/still/file.py", "a.b.c",
]

PATTERNS = [
    "*.pyc", "*.py[co]", "build/", "/dist", "dist/", "docs/*.md", "docs/**/*.md", "**/logs", "**/logs/",
    "a/**/b", "a/**/b/", "x/**", "x/*", "foo", "foo/", "[!a]bc", "[^a]bc", "data[0-9].csv", "**/tmp/**",
    "sp\\ ace\\ ", "sp ace   ", "\\#hash", "\\!bang", "*~", "?.txt", "??.txt", "[[:digit:]]*.log",
    "[[:alpha:][:digit:]]*.log", "lib/*/x", "lib/**/x", "*a*a*a*b", "a*a*a*a*b", "*", "**", "/**", "*/",
    "é.txt", "?.txt", "ü/", "[a-c]bc", "[]br]*", "[-d]ash", "\\[lit", "[lit", "tab\t", "*.PY", "deep/**/file.py",
    "deep/*/file.py", "**/er/**", "a.b*", "*.c", "!*.c", "#comment", "", "/", "**/", "*/*/", "a**b",
    "lib/**x", "x/**/", "[[:bogus:]]bc", "[[:alpha]bc", "ab\\", "foo/**/", "/a/b/",
]

COMBINED = [
    ["*.pyc", "!sub/x.pyc"],
    ["foo/", "!foo/keep"],  # nothing below an ignored directory comes back
    ["foo/*", "!foo/keep"],  # but files of a directory's contents can
    ["build", "!build/"],
    ["*", "!*.py", "!*/"],
    ["**/logs", "!a/logs"],
]


def _tree(root: Path) -> None:
    for rel in PATHS:
        path = root / rel.rstrip("/")
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x\n")


def _git_ignored(root: Path, lines: List[str]) -> Dict[str, bool]:
    (root / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, HOME=str(root))
    proc = subprocess.run(["git", "-c", "core.quotePath=false", "check-ignore", "--no-index", "-v", "-n", "-z",
                           "--stdin"], cwd=root, input="\0".join(p.rstrip("/") for p in PATHS) + "\0",
                          capture_output=True, text=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    fields = proc.stdout.split("\0")
    result = {}
    for i in range(0, len(fields) - 1, 4):
        source, _line, pattern, path = fields[i:i + 4]
        result[path] = bool(source) and not pattern.startswith("!")
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gitignore")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _tree(root)
    return root


def _node_id(lines: List[str]) -> str:
    """repr() of the patterns, with backslashes and non-ASCII spelled out, so that every case can be named on
    pytest's command line (pytest cannot select an id that holds a backslash; mutmut selects tests by id)."""
    return ascii(lines).replace("\\", "<bs>")


@pytest.mark.parametrize("lines", [[p] for p in PATTERNS] + COMBINED, ids=_node_id)
def test_same_decision_as_git_check_ignore(repo: Path, lines: List[str]) -> None:
    expected = _git_ignored(repo, lines)
    spec = IgnoreSpec.from_lines(lines)
    got = {p.rstrip("/"): bool(spec.check_file(p).include) for p in PATHS}
    assert got == expected


def _check(root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "--format", "json",
                           "-j", "1", "."], cwd=root, capture_output=True, text=True)
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_backtracking_patterns_in_a_hostile_gitignore(tmp_path: Path) -> None:
    """Patterns that made pathspec's regular expressions backtrack for minutes, against 60-character names:
    the ignored directory is skipped, the look-alike file beside it (no final ``b``) is still checked."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text(
        "*a*a*a*a*a*a*a*a*a*a*a*a*b\n"
        "**/a*a*a*a*a*a*a*a*a*a*a*a*c/**/x*x*x*x*x*x*x*x*x*x*x*x*q\n"
        "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*!\n")
    app = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    long_a = "a" * 59
    (tmp_path / (long_a + "b")).mkdir()
    (tmp_path / (long_a + "b") / "app.py").write_text(app)  # ignored with its directory
    (tmp_path / (long_a + ".py")).write_text(app)  # no final b: checked
    deep = tmp_path / (long_a + "c") / "m" / "n"
    deep.mkdir(parents=True)
    (deep / ("x" * 59 + "q")).write_text("#!/usr/bin/env python\n" + app)  # ignored
    (deep / ("x" * 59 + ".py")).write_text(app)  # checked
    report = _check(tmp_path)
    found = sorted((f["rule_id"], f["path"], f["line"], f["column"], f["severity"]) for f in report["findings"])
    assert found == [
        ("PF101", f"{long_a}.py", 3, 15, "high"),
        ("PF101", f"{long_a}c/m/n/{'x' * 59}.py", 3, 15, "high"),
        ("PF102", f"{long_a}.py", 3, 1, "high"),
        ("PF102", f"{long_a}c/m/n/{'x' * 59}.py", 3, 1, "high"),
    ]
    assert report["errors"] == []


def test_exclude_setting_and_per_file_ignores_do_not_backtrack(tmp_path: Path) -> None:
    """The same patterns from a hostile pyproject.toml (``exclude``, ``per-file-ignores``)."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flask-preflight]\nexclude = ["*a*a*a*a*a*a*a*a*a*a*a*a*b"]\n'
        'per-file-ignores = { "*a*a*a*a*a*a*a*a*a*a*a*a*z.py" = ["PF101"] }\n')
    app = "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n"
    for name in ("a" * 59 + "b", "a" * 59 + ".py", "a" * 59 + "z.py"):
        (tmp_path / name).write_text(app if name.endswith(".py") else "#!/usr/bin/python\n" + app)
    report = _check(tmp_path)
    found = sorted((f["rule_id"], f["path"], f["line"]) for f in report["findings"])
    assert found == [("PF101", "a" * 59 + ".py", 3), ("PF102", "a" * 59 + ".py", 3), ("PF102", "a" * 59 + "z.py", 3)]


def test_backtracking_pattern_in_a_hostile_dockerignore(tmp_path: Path) -> None:
    """``.dockerignore`` is matched against every ``.env*`` name beside a Dockerfile: same matcher. The
    ``.env`` that the pattern does not cover reaches ``flask run`` in the image (FLASK_DEBUG=1: the
    debugger); with ``.env`` listed the image never gets it (the negative neighbour: plain dev server)."""
    (tmp_path / "Dockerfile").write_text('FROM python:3.12\nCOPY . /app\nCMD ["flask", "run"]\n')
    (tmp_path / ".env").write_text("FLASK_DEBUG=1\n")
    (tmp_path / (".env." + "a" * 59)).write_text("OTHER=1\n")
    (tmp_path / ".dockerignore").write_text("*a*a*a*a*a*a*a*a*a*a*a*a*b\n")
    found = [(f["rule_id"], f["path"], f["line"], f["severity"], f["message"]) for f in _check(tmp_path)["findings"]]
    assert [f[:4] for f in found] == [("PF402", ".env", 1, "high"), ("PF401", "Dockerfile", 3, "high")]
    assert "with debug mode on (FLASK_DEBUG=1 - from .env, which Flask loads" in found[1][4]
    (tmp_path / ".dockerignore").write_text("*a*a*a*a*a*a*a*a*a*a*a*a*b\n.env\n")
    found = [(f["rule_id"], f["path"], f["line"], f["severity"], f["message"]) for f in _check(tmp_path)["findings"]]
    assert [f[:4] for f in found] == [("PF402", ".env", 1, "high"), ("PF401", "Dockerfile", 3, "high")]
    assert found[1][4].startswith("The Dockerfile CMD serves the app with Flask's development server: `flask run`. It")
