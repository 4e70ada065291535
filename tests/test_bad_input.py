"""Files that cannot be analysed: each one becomes exactly one clear Problem, the run goes on, exit 3.

Checked through ``run_check`` and through the real CLI in a subprocess (text, JSON and SARIF), and never
with a Python traceback in the output.
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional

import pytest

from flask_preflight.config import Settings
from flask_preflight.findings import ProblemKind, ScanResult
from flask_preflight.static import source as source_module
from flask_preflight.static.engine import run_check

FLASK = "from flask import Flask\napp = Flask(__name__)\n"
# A neighbour with a known finding: the run must continue past the bad file and still report it.
GOOD_NAME = "zz_good.py"
GOOD = FLASK + "app.debug = True\n"  # PF101 at 3:13

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                                    reason="needs POSIX symlinks")


def scan(root: Path, paths: Optional[List[str]] = None, **settings) -> ScanResult:
    """run_check from inside ``root`` so display paths are relative, as on the command line."""
    old = os.getcwd()
    os.chdir(root)
    try:
        opts = {"project_root": str(root), "respect_gitignore": False, **settings}
        return run_check(paths or ["."], Settings(**opts))
    finally:
        os.chdir(old)


def good_finding_reported(result: ScanResult) -> bool:
    return ("PF101", GOOD_NAME, 3, 13) in [(f.rule_id, f.path, f.line, f.column) for f in result.findings]


# --- the catalogue of bad inputs -------------------------------------------------------------------------


class Case(NamedTuple):
    make: Callable[[Path], None]
    path: str  # display path of the Problem
    kind: ProblemKind
    line: Optional[int]  # expected Problem line (None: no line)
    reason: str  # a substring of the reason
    patch_open: bool = False  # simulate EACCES (tests may run as root, where chmod 000 does not stop reads)


def _bytes(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda root: (root / name).write_bytes(data)


def _dangling(root: Path) -> None:
    (root / "dangling.py").symlink_to("missing-target.py")


def _loop_dir(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "pkg" / "mod.py").write_text("x = 1\n", encoding="utf-8")
    (root / "pkg" / "up").symlink_to("..", target_is_directory=True)


def _self_loop(root: Path) -> None:
    (root / "self.py").symlink_to("self.py")


def _unreadable(root: Path) -> None:
    (root / "secret.py").write_text(FLASK + "app.debug = True\n", encoding="utf-8")


CASES: Dict[str, Case] = {
    "syntax-error": Case(_bytes("broken.py", (FLASK + "def f(:\n    pass\n").encode()), "broken.py",
                         ProblemKind.SYNTAX_ERROR, 3, "cannot parse"),
    "unterminated-string": Case(_bytes("quote.py", (FLASK + "x = 'abc\n").encode()), "quote.py",
                                ProblemKind.SYNTAX_ERROR, 3, "cannot parse"),
    "binary": Case(_bytes("x.py", b"\x7fELF\x02\x01\x01\x00\x00\x00flask" + bytes(range(256)) * 4), "x.py",
                   ProblemKind.BINARY, None, "binary"),
    "utf16": Case(_bytes("wide.py", (FLASK + "app.debug = True\n").encode("utf-16")), "wide.py",
                  ProblemKind.BINARY, None, "binary"),
    "not-utf8": Case(_bytes("latin.py", (FLASK + "# caf\xe9\n").encode("latin-1")), "latin.py",
                     ProblemKind.DECODE_ERROR, 3, "not valid utf-8"),
    "unknown-cookie": Case(_bytes("klingon.py", b"# -*- coding: klingon -*-\n" + FLASK.encode()), "klingon.py",
                           ProblemKind.DECODE_ERROR, 1, "unknown encoding 'klingon'"),
    "bom-and-cookie": Case(_bytes("bomcookie.py", b"\xef\xbb\xbf# coding: latin-1\n" + FLASK.encode()),
                           "bomcookie.py", ProblemKind.DECODE_ERROR, 1, "byte order mark"),
    "too-large": Case(_bytes("huge.py", (FLASK + "#" * 2000 + "\n").encode()), "huge.py",
                      ProblemKind.TOO_LARGE, None, "exceeds the"),
    "paren-nesting": Case(_bytes("parens.py", (FLASK + "app.config['DEBUG'] = " + "(" * 200000 + "1" + ")" * 200000
                                               + "\n").encode()),
                          "parens.py", ProblemKind.SYNTAX_ERROR, 3, "too many nested parentheses"),
    "long-binop": Case(_bytes("binop.py", (FLASK + "app.config['DEBUG'] = 1" + "+1" * 100000 + "\n").encode()),
                       "binop.py", ProblemKind.TOO_COMPLEX, None, "too deep"),
    "long-attribute-chain": Case(_bytes("attrs.py", (FLASK + "app.debug = a" + ".b" * 50000 + "\n").encode()),
                                 "attrs.py", ProblemKind.TOO_COMPLEX, None, "too deep"),
    "unreadable": Case(_unreadable, "secret.py", ProblemKind.UNREADABLE, None, "Permission denied", patch_open=True),
}
SYMLINK_CASES: Dict[str, Case] = {
    "dangling-symlink": Case(_dangling, "dangling.py", ProblemKind.BROKEN_SYMLINK, None, "missing-target.py"),
    "symlink-loop-to-parent": Case(_loop_dir, "pkg/up", ProblemKind.SYMLINK_LOOP, None, "symlink loop"),
    "symlink-to-itself": Case(_self_loop, "self.py", ProblemKind.SYMLINK_LOOP, None, "symlink loop"),
}
ALL_CASES = {**CASES, **{k: v for k, v in SYMLINK_CASES.items()}}
LIMITS = {"too-large": 1024}


def case_params():
    for name, case in ALL_CASES.items():
        marks = [needs_symlinks] if name in SYMLINK_CASES else []
        yield pytest.param(name, id=name, marks=marks)


def _deny_open(target: str):
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if os.path.basename(os.fspath(file)) == target:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    return fake_open


def setup_case(name: str, root: Path, monkeypatch=None) -> Case:
    case = ALL_CASES[name]
    case.make(root)
    (root / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    if case.patch_open and monkeypatch is not None:
        monkeypatch.setattr(source_module, "open", _deny_open(os.path.basename(case.path)), raising=False)
    return case


# --- through run_check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(case_params()))
def test_run_check_reports_one_problem_and_continues(tmp_path, monkeypatch, name):
    case = setup_case(name, tmp_path, monkeypatch)
    kw = {"max_file_size": LIMITS[name]} if name in LIMITS else {}
    result = scan(tmp_path, **kw)
    assert [(p.path, p.kind) for p in result.problems] == [(case.path, case.kind)], \
        [p.describe() for p in result.problems]
    problem = result.problems[0]
    assert problem.line == case.line, problem.describe()
    assert case.reason in problem.reason, problem.describe()
    assert "\n" not in problem.describe()
    assert "Traceback" not in problem.reason
    assert good_finding_reported(result)  # the run went on
    assert result.files_scanned >= 1


@pytest.mark.parametrize("name", list(case_params()))
def test_explicit_bad_path_argument(tmp_path, monkeypatch, name):
    """Naming the bad file on the command line gives the same single Problem (loops: the link itself)."""
    case = setup_case(name, tmp_path, monkeypatch)
    kw = {"max_file_size": LIMITS[name]} if name in LIMITS else {}
    result = scan(tmp_path, [case.path, GOOD_NAME], **kw)
    if name == "symlink-loop-to-parent":
        # pkg/up named explicitly is a directory (the root); the loop is found one level further down.
        # The good file was reached first through the link (pkg/up/zz_good.py) and is checked once.
        assert [p.kind for p in result.problems] == [case.kind], [p.describe() for p in result.problems]
        assert [(f.rule_id, f.path) for f in result.findings] == [("PF101", "pkg/up/" + GOOD_NAME)]
    else:
        assert [(p.path, p.kind) for p in result.problems] == [(case.path, case.kind)], \
            [p.describe() for p in result.problems]
        assert good_finding_reported(result)


def test_syntax_error_has_line_and_column(tmp_path):
    (tmp_path / "app.py").write_text(FLASK + "if True\n    pass\n", encoding="utf-8")
    [problem] = scan(tmp_path).problems
    assert (problem.kind, problem.line) == (ProblemKind.SYNTAX_ERROR, 3)
    assert problem.column is not None and problem.column >= 1
    assert problem.describe().startswith(f"app.py:3:{problem.column}: syntax-error: cannot parse: ")


def test_nul_byte_after_the_binary_sniff_window(tmp_path):
    data = (FLASK + "#" * 9000 + "\n\x00\napp.debug = True\n").encode()
    (tmp_path / "late_nul.py").write_bytes(data)
    result = scan(tmp_path)
    assert [(p.path, p.kind) for p in result.problems] == [("late_nul.py", ProblemKind.SYNTAX_ERROR)]
    assert result.findings == []


def test_latin1_cookie_is_decoded_and_analysed(tmp_path):
    src = "# -*- coding: latin-1 -*-\n" + FLASK + "GREETING = 'caf\xe9 \xfc'\napp.debug = True\n"
    (tmp_path / "legacy.py").write_bytes(src.encode("latin-1"))
    result = scan(tmp_path)
    assert result.problems == []
    assert [(f.rule_id, f.path, f.line, f.column) for f in result.findings] == [("PF101", "legacy.py", 5, 13)]
    assert result.files_scanned == 1


def test_utf8_bom_crlf_and_lone_cr_files_are_analysed(tmp_path):
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + (FLASK + "app.debug = True\n").encode())
    (tmp_path / "crlf.py").write_bytes((FLASK + "app.debug = True\n").replace("\n", "\r\n").encode())
    (tmp_path / "cr.py").write_bytes((FLASK + "app.debug = True\n").replace("\n", "\r").encode())
    result = scan(tmp_path)
    assert result.problems == []
    assert [(f.rule_id, f.path, f.line, f.column) for f in result.findings] == [
        ("PF101", "bom.py", 3, 13), ("PF101", "cr.py", 3, 13), ("PF101", "crlf.py", 3, 13)]


@pytest.mark.parametrize("content", [b"", b"\n", b"\xef\xbb\xbf", b"# just a comment\n", b"   \n\t\n"],
                         ids=["empty", "newline", "bom-only", "comment", "whitespace"])
def test_empty_and_trivial_files(tmp_path, content):
    (tmp_path / "__init__.py").write_bytes(content)
    result = scan(tmp_path)
    assert result.problems == [] and result.findings == []
    assert result.files_scanned == 1


def _big_file(path: Path, size: int) -> None:
    """~size bytes of cheap-to-parse Python (long comment lines) with one finding at the end."""
    line = "# " + "x" * 1021 + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(FLASK)
        fh.write(line * (size // len(line) + 1))
        fh.write("app.debug = True\n")


def test_ten_megabyte_file_is_too_large_by_default_and_analysed_when_allowed(tmp_path):
    big = tmp_path / "big.py"
    _big_file(big, 10 * 1024 * 1024)
    assert big.stat().st_size > 10 * 1024 * 1024
    result = scan(tmp_path)
    [problem] = result.problems
    assert (problem.path, problem.kind) == ("big.py", ProblemKind.TOO_LARGE)
    assert problem.reason == "10.0 MB exceeds the 5.0 MB limit (raise it with --max-file-size)"
    assert result.files_scanned == 0

    from flask_preflight.config import parse_size
    result = scan(tmp_path, max_file_size=parse_size("20MB"))
    assert result.problems == []
    assert [(f.rule_id, f.line) for f in result.findings] == [("PF101", 3 + 10 * 1024 + 1)]


def test_ten_megabyte_file_via_cli(tmp_path):
    _big_file(tmp_path / "big.py", 10 * 1024 * 1024)
    run = cli(tmp_path, ["check", "--format", "json"])
    assert run.code == 3
    assert [e["kind"] for e in json.loads(run.stdout)["errors"]] == ["file-too-large"]
    run = cli(tmp_path, ["check", "--format", "json", "--max-file-size", "20MB"])
    assert run.code == 1, run.output
    data = json.loads(run.stdout)
    assert data["errors"] == [] and data["summary"]["by_rule"] == {"PF101": 1}


def test_fifo_is_not_read(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    walked = scan(tmp_path)  # a FIFO in a walked tree is not a source file
    assert walked.problems == [] and good_finding_reported(walked)
    explicit = scan(tmp_path, ["pipe.py", GOOD_NAME])  # named explicitly: reported, never opened (would block)
    assert [(p.path, p.kind, p.reason) for p in explicit.problems] == [("pipe.py", ProblemKind.UNREADABLE,
                                                                        "not a regular file")]


def test_directory_named_like_a_module_is_walked(tmp_path):
    (tmp_path / "odd.py").mkdir()
    (tmp_path / "odd.py" / "inner.py").write_text(GOOD, encoding="utf-8")
    result = scan(tmp_path)
    assert result.problems == []
    assert [(f.rule_id, f.path) for f in result.findings] == [("PF101", "odd.py/inner.py")]


@needs_symlinks
def test_symlink_loop_does_not_duplicate_files(tmp_path):
    _loop_dir(tmp_path)
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    result = scan(tmp_path)
    assert len(result.problems) == 1
    assert result.files_scanned == 2  # pkg/mod.py and the good file, each once
    assert len(result.findings) == 1


@needs_symlinks
def test_two_dangling_symlinks_and_a_loop_are_each_one_problem(tmp_path):
    (tmp_path / "a.py").symlink_to("nowhere/a.py")
    (tmp_path / "b.py").symlink_to("nowhere/b.py")
    _loop_dir(tmp_path)
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    result = scan(tmp_path)
    assert [(p.path, p.kind) for p in result.problems] == [
        ("a.py", ProblemKind.BROKEN_SYMLINK), ("b.py", ProblemKind.BROKEN_SYMLINK), ("pkg/up", ProblemKind.SYMLINK_LOOP)]
    assert good_finding_reported(result)


# --- parser and analyser recursion ----------------------------------------------------------------------------------

# Expressions deep enough to threaten either the parser (C) or the analyser (Python, recursion limit ~1000).
# Each is placed where the analyser evaluates it (a DEBUG value, an app.run argument, a from_object target).
DEEP_TEMPLATES = {
    "not-chain": lambda n: "app.config['DEBUG'] = " + "not " * n + "True",
    "unary-minus": lambda n: "DEBUG = " + "-" * n + "1\napp.config['DEBUG'] = DEBUG",
    "binop": lambda n: "app.config['DEBUG'] = 1" + "+1" * n,
    "string-concat": lambda n: "app.config['DEBUG'] = " + "+".join(["'1'"] * n),
    "compare-chain": lambda n: "app.config['DEBUG'] = os.environ.get('D') == " + "'1' + " * n + "'1'",
    "attribute-chain": lambda n: "app.debug = cfg" + ".x" * n,
    "subscript-chain": lambda n: "app.config['DEBUG'] = os.environ" + "['A']" * n,
    "method-chain": lambda n: "app.config['DEBUG'] = os.environ.get('X')" + ".lower()" * n,
    "call-kwarg": lambda n: "app.run(debug=" + "not " * n + "True)",
    "host-concat": lambda n: "app.run(host='0.0.0.0'" + "+''" * n + ")",
    "from-object": lambda n: "app.config.from_object(config" + ".sub" * n + ")",
    "getenv-default": lambda n: "app.config['DEBUG'] = os.getenv('D', " + "not " * n + "'1')",
    "update-kwarg": lambda n: "app.config.update(DEBUG=" + "not " * n + "True)",
    "lambda-chain": lambda n: "f = " + "lambda: " * n + "True\napp.debug = f",
    "ifexp-chain": lambda n: "app.config['DEBUG'] = " + "True if x else " * n + "False",
    "flat-boolop": lambda n: "app.config['DEBUG'] = " + " or ".join(["os.environ.get('X')"] * (n * 10)),
    "flat-boolop-and": lambda n: "DEBUG = " + " and ".join(["True"] * (n * 10)) + "\napp.config['DEBUG'] = DEBUG",
    "name-chain": lambda n: "v0 = True\n" + "".join(f"v{i} = v{i - 1}\n" for i in range(1, n)) + f"app.debug = v{n - 1}",
    "nested-tuple": lambda n: "app.config['DEBUG'] = " + "(" * min(n, 190) + "True," + ")" * min(n, 190),
    "nested-blocks": lambda n: "".join("    " * i + "if x:\n" for i in range(95)) + "    " * 95 + "app.run(debug=True)",
    "nested-defs": lambda n: "".join("    " * i + f"def f{i}():\n" for i in range(95)) + "    " * 95 + "app.debug = True",
}
ALLOWED_DEEP_PROBLEMS = {ProblemKind.TOO_COMPLEX, ProblemKind.SYNTAX_ERROR}


# Flat shapes are not deeper at 100,000 than at 3,000, only quadratic to generate: they stop at 3,000.
_FLAT_SHAPES = ("name-chain", "flat-boolop", "flat-boolop-and", "ifexp-chain")
DEEP_CASES = [(shape, depth) for shape in sorted(DEEP_TEMPLATES) for depth in (300, 950, 1500, 3000, 100000)
              if depth <= 3000 or shape not in _FLAT_SHAPES]


@pytest.mark.parametrize("shape, depth", DEEP_CASES)
def test_deep_code_gives_a_problem_or_an_analysis_never_an_exception(tmp_path, shape, depth):
    src = "import os\n" + FLASK + DEEP_TEMPLATES[shape](depth) + "\n"
    (tmp_path / "deep.py").write_text(src, encoding="utf-8")
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    result = scan(tmp_path)  # must not raise
    assert good_finding_reported(result)
    deep_problems = [p for p in result.problems if p.path == "deep.py"]
    assert [p for p in result.problems if p.path != "deep.py"] == []
    assert len(deep_problems) <= 1
    for p in deep_problems:
        assert p.kind in ALLOWED_DEEP_PROBLEMS, p.describe()  # never internal-error
    if not deep_problems:
        n_lines = src.count("\n")
        for f in result.findings:
            assert 1 <= f.line <= n_lines and f.column >= 1


def test_parser_recursion_limit_is_too_complex_not_a_crash(tmp_path):
    (tmp_path / "plus.py").write_text(FLASK + "x = 1" + "+1" * 100000 + "\n", encoding="utf-8")
    [problem] = scan(tmp_path).problems
    assert problem.kind == ProblemKind.TOO_COMPLEX
    assert problem.describe() == "plus.py: too-complex: expression nesting too deep for the Python parser"


def test_analyser_recursion_error_becomes_a_problem(tmp_path, monkeypatch):
    """If an analyser recurses too deeply on some input, that file is a too-complex Problem, the rest goes on."""
    from flask_preflight.static import python as pyanalysis

    real = pyanalysis.analyze_tree

    def exploding(tree, text, path, **kw):
        if path.endswith("deep.py"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(tree, text, path, **kw)

    monkeypatch.setattr(pyanalysis, "analyze_tree", exploding)
    (tmp_path / "deep.py").write_text(FLASK + "app.debug = True\n", encoding="utf-8")
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    result = scan(tmp_path)
    assert [(p.path, p.kind, p.reason) for p in result.problems] == [
        ("deep.py", ProblemKind.TOO_COMPLEX, "code nested too deeply to analyse")]
    assert good_finding_reported(result)


def test_analyser_crash_becomes_an_internal_error_problem(tmp_path, monkeypatch):
    from flask_preflight.static import python as pyanalysis

    real = pyanalysis.analyze_tree

    def broken(tree, text, path, **kw):
        if path.endswith("boom.py"):
            raise KeyError("oops")
        return real(tree, text, path, **kw)

    monkeypatch.setattr(pyanalysis, "analyze_tree", broken)
    (tmp_path / "boom.py").write_text(FLASK + "app.debug = True\n", encoding="utf-8")
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    result = scan(tmp_path)
    [problem] = result.problems
    assert (problem.path, problem.kind) == ("boom.py", ProblemKind.INTERNAL_ERROR)
    assert "KeyError" in problem.reason and "\n" not in problem.describe()
    assert good_finding_reported(result)


# --- through the CLI in a subprocess ---------------------------------------------------------------------------------

# Runs the real CLI; with PREFLIGHT_TEST_DENY set, opening that file name for reading fails with EACCES.
_CLI_WRAPPER = textwrap.dedent('''
    import builtins, errno, os, sys
    deny = os.environ.get("PREFLIGHT_TEST_DENY")
    if deny:
        import flask_preflight.static.source as source
        real_open = builtins.open
        def fake_open(file, *args, **kwargs):
            if os.path.basename(os.fspath(file)) == deny:
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)
        source.open = fake_open
    from flask_preflight.cli import main
    main(sys.argv[1:], prog_name="flask-preflight")
''')


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(root: Path, args: List[str], deny: Optional[str] = None) -> Run:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PREFLIGHT_TEST_DENY")}
    if deny:
        env["PREFLIGHT_TEST_DENY"] = deny
        cmd = [sys.executable, "-c", _CLI_WRAPPER, *args]
    else:
        cmd = [sys.executable, "-m", "flask_preflight", *args]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env, timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def case_args(name: str, fmt: str, *extra: str) -> List[str]:
    args = ["check", "--format", fmt, *extra]
    if name in LIMITS:
        args += ["--max-file-size", str(LIMITS[name])]
    return args


@pytest.mark.parametrize("name", list(case_params()))
def test_cli_text_json_sarif(tmp_path, name):
    case = setup_case(name, tmp_path)
    deny = os.path.basename(case.path) if case.patch_open else None

    # text: exactly one line for the problem, `path[:line[:col]]: error: <kind>: <reason>`
    text = cli(tmp_path, case_args(name, "text"), deny)
    assert text.code == 3, text.output
    assert "Traceback" not in text.output
    assert text.stderr == ""
    problem_lines = [ln for ln in text.stdout.splitlines() if ": error: " in ln]
    assert len(problem_lines) == 1, text.stdout
    pattern = rf"{re.escape(case.path)}(:\d+(:\d+)?)?: error: {re.escape(case.kind.value)}: \S.*"
    assert re.fullmatch(pattern, problem_lines[0]), problem_lines[0]
    assert case.reason in problem_lines[0]
    if case.line is not None:
        assert problem_lines[0].startswith(f"{case.path}:{case.line}")
    assert f"{GOOD_NAME}:3:13: PF101 [high]" in text.stdout
    assert text.stdout.rstrip().endswith("1 file could not be analyzed.")

    # json: under "errors"
    js = cli(tmp_path, case_args(name, "json"), deny)
    assert js.code == 3 and "Traceback" not in js.output
    data = json.loads(js.stdout)
    assert [(e["path"], e["kind"], e["line"]) for e in data["errors"]] == [(case.path, case.kind.value, case.line)]
    assert case.reason in data["errors"][0]["reason"]
    assert data["summary"]["incomplete"] is True
    assert data["summary"]["by_rule"] == {"PF101": 1}

    # sarif: a tool execution notification
    sf = cli(tmp_path, case_args(name, "sarif", "-o", "out.sarif"), deny)
    assert sf.code == 3 and "Traceback" not in sf.output
    assert sf.stdout == ""
    assert sf.stderr.strip().endswith("; 1 could not be analyzed")
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    run0 = sarif["runs"][0]
    notes = run0["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1
    note = notes[0]
    assert note["level"] == "error"
    assert note["descriptor"]["id"] == case.kind.value
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == case.path
    assert case.reason in note["message"]["text"]
    if case.line is not None:
        assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == case.line
    assert [r["ruleId"] for r in run0["results"]] == ["PF101"]


def test_cli_all_bad_inputs_at_once(tmp_path):
    """Every bad input in one tree: one line each, exit 3, the good file's finding still there."""
    expected = []
    for name, case in ALL_CASES.items():
        if name in SYMLINK_CASES and not hasattr(os, "symlink"):
            continue
        if case.patch_open or name in LIMITS:
            continue
        case.make(tmp_path)
        expected.append((case.path, case.kind.value))
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    run = cli(tmp_path, ["check", "--format", "json"])
    assert run.code == 3 and "Traceback" not in run.output
    data = json.loads(run.stdout)
    assert sorted((e["path"], e["kind"]) for e in data["errors"]) == sorted(expected)
    assert data["summary"]["by_rule"] == {"PF101": 1}
    text = cli(tmp_path, ["check"])
    assert text.code == 3 and "Traceback" not in text.output
    assert len([ln for ln in text.stdout.splitlines() if ": error: " in ln]) == len(expected)
    assert text.stdout.rstrip().endswith(f"{len(expected)} files could not be analyzed.")


@pytest.mark.parametrize("shape", ["not-chain", "attribute-chain", "binop", "method-chain", "flat-boolop"])
@pytest.mark.parametrize("depth", [1500, 50000])
def test_cli_deep_code_never_prints_a_traceback(tmp_path, shape, depth):
    if shape == "flat-boolop" and depth > 3000:
        depth = 3000
    (tmp_path / "deep.py").write_text("import os\n" + FLASK + DEEP_TEMPLATES[shape](depth) + "\n", encoding="utf-8")
    (tmp_path / GOOD_NAME).write_text(GOOD, encoding="utf-8")
    run = cli(tmp_path, ["check", "--format", "json"])
    assert "Traceback" not in run.output
    assert run.code in (1, 3), run.output  # analysed (PF101 in the good file) or incomplete
    data = json.loads(run.stdout)
    assert all(e["kind"] in ("too-complex", "syntax-error") for e in data["errors"])
    assert (run.code == 3) == bool(data["errors"])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
def test_hostile_file_names_stay_on_one_line_and_never_drive_the_terminal(tmp_path):
    (tmp_path / "new\nline.py").write_bytes(b"import flask\ndef f(:\n")
    (tmp_path / "esc\x1b[31mred.py").write_bytes(b"import flask\nx = (\n")
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_bytes(GOOD.encode())
    run = cli(tmp_path, ["check"])
    assert run.code == 3 and "Traceback" not in run.output
    assert "\x1b" not in run.stdout
    errors = [ln for ln in run.stdout.splitlines() if ": error: " in ln]
    assert errors == ["esc\\x1b[31mred.py:2:5: error: syntax-error: cannot parse: '(' was never closed",
                      "new\\nline.py:2:7: error: syntax-error: cannot parse: invalid syntax"]
    assert "caf\\udce9.py:3:13: PF101 [high]" in run.stdout

    js = cli(tmp_path, ["check", "--format", "json"])
    data = json.loads(js.stdout)
    assert sorted(e["path"] for e in data["errors"]) == ["esc\x1b[31mred.py", "new\nline.py"]
    assert [f["path"] for f in data["findings"]] == [os.fsdecode(b"caf\xe9.py")]
