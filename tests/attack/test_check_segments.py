"""Issue 13, item 5: source segments and columns of findings are computed from lines split once per file.

``ast.get_source_segment`` per finding re-split the whole file (a 1 MB file with 2,000 findings took
minutes, as did one 2 MB line). The replacement must give byte-identical text and columns; these tests
compare it with the standard library on every node of tricky sources, and check a large hostile file's
exact findings (the timing itself lives in benchmarks/bench_quadratic.py).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flask_preflight.static.segments import ColumnMap, SourceSegments

SOURCES = {
    "multiline-nonascii-tabs": (
        "import os\n"
        "déjà = {'clé': 'värde',\n"
        "\t'tab':\t[1,\n"
        "\t\t2, '日本語'],   # ünïcode comment\n"
        "}\n"
        "def f(a,\n      b='ß'):\n\treturn (a +\n\t\tb)\n"
        "x = f'{déjà!r:>{10}} 🎉 {1+1}'\n"
        "class K:\n    y = lambda q: q  # \x0c form feed is not a line break\n"
    ),
    "crlf-and-cr": "a = (1,\r\n     2)\r\nb = 'é'\r\nc = [\r    3]\n",
    "no-final-newline": "if True:\n    z = ('ü' +\n         'v')\n    w = {1:\n  2}",
    "long-line": "v = [" + ", ".join(f"'é{i}'" for i in range(500)) + ",\n     'ü']\n",
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_segment_is_byte_identical_to_get_source_segment(name: str) -> None:
    text = SOURCES[name]
    tree = ast.parse(text)
    segments = SourceSegments(text)
    nodes = [node for node in ast.walk(tree) if hasattr(node, "lineno")]
    assert len(nodes) > 10
    for node in nodes:
        assert segments.segment(node) == ast.get_source_segment(text, node), ast.dump(node)[:80]
    assert any(getattr(n, "end_lineno", 0) != n.lineno for n in nodes)  # multi-line nodes were compared


def test_segment_of_node_without_position_is_none() -> None:
    assert SourceSegments("a = 1\n").segment(ast.Load()) is None
    assert SourceSegments("a = 1\n").segment(ast.Name("a", ast.Load(), lineno=9, col_offset=0,
                                                        end_lineno=9, end_col_offset=1)) is None


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_char_column_matches_decoding_every_byte_offset(name: str) -> None:
    """Every byte offset of every line, including offsets inside a multi-byte character and past the end."""
    lines = SOURCES[name].split("\n")
    columns = ColumnMap(lines)
    for number, line in enumerate(lines, start=1):
        size = len(line.encode("utf-8"))
        for byte_col in range(size + 3):
            old = byte_col if line.isascii() else len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
            assert columns.char_column(number, byte_col) == old, (number, byte_col)
    assert columns.char_column(len(lines) + 5, 7) == 7


def _check_json(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "--format", "json",
                           "-j", "1", str(path.name)], cwd=path.parent, capture_output=True, text=True)
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_many_findings_on_one_long_non_ascii_line(tmp_path: Path) -> None:
    """600 fail-open debug defaults on one 30 KB line with non-ASCII text: every finding, exact columns.
    (Each finding's snippet repeats the line, so the report itself grows as findings x line length.)"""
    stmt = "app.config['DEBUG'] = os.environ.get('D{}', 'ü1')"
    prefix = "import os; from flask import Flask; app = Flask('é'); "
    body = "; ".join(stmt.format(i) for i in range(600))
    (tmp_path / "app.py").write_text(prefix + body + "\n", encoding="utf-8")
    report = _check_json(tmp_path / "app.py")
    found = [(f["rule_id"], f["line"], f["column"], f["end_column"], f["severity"]) for f in report["findings"]]
    expected = []
    column = len(prefix) + 1
    for i in range(600):
        text = stmt.format(i)
        start = column + text.index("os.environ")
        expected.append(("PF105", 1, start, start + len(text) - text.index("os.environ"), "high"))
        column += len(text) + 2
    assert found == expected
    assert report["findings"][599]["message"].startswith(
        "Debug mode defaults to on: `config['DEBUG'] = os.environ.get('D599', 'ü1')` is true when D599 is unset")


def test_many_findings_in_a_large_file_negative_neighbour(tmp_path: Path) -> None:
    """2,000 findings among 2,000 safe look-alikes (default off): only the unsafe ones, at their lines."""
    lines = ["import os", "from flask import Flask", "app = Flask(__name__)"]
    for i in range(2000):
        lines.append(f"app.config['DEBUG'] = os.environ.get('D{i}', 'ü1')  # ünïcode {'x' * 200}")
        lines.append(f"app.config['DEBUG'] = os.environ.get('S{i}', '') == 'ü1'  # safe")
    (tmp_path / "app.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _check_json(tmp_path / "app.py")
    found = [(f["rule_id"], f["line"], f["column"], f["severity"]) for f in report["findings"]]
    assert found == [("PF105", 4 + 2 * i, 23, "high") for i in range(2000)]
