"""Issue 13, item 5: a Dockerfile with an unterminated heredoc no longer re-parses every prefix.

BuildKit's error carries no line, so the line is found by parsing prefixes; stepping down one line at a time
took minutes on 10,000 lines. The search now gallops down from the end and bisects (O(log n) parses).
These tests check the exact error line on large hostile files (timing: benchmarks/bench_quadratic.py) and
that the new search names the same line as the old one-line-at-a-time scan on tricky small files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest

from flask_preflight.static.deploy import dockerfile
from flask_preflight.static.deploy.model import DeployParseError

MESSAGE = "cannot parse Dockerfile: BuildKit cannot parse this Dockerfile: unterminated heredoc."


def _errors(root: Path) -> list:
    proc = subprocess.run([sys.executable, "-m", "flask_preflight", "check", "--no-cache", "--format", "json",
                           "-j", "1", "."], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr
    return json.loads(proc.stdout)["errors"]


def test_unterminated_heredoc_after_5000_instructions(tmp_path: Path) -> None:
    """A good heredoc, 5,000 instructions, then a heredoc never closed whose body holds 5,000 `<<EOF` lines."""
    lines = ["FROM python:3.12", "RUN <<EOF", "echo a", "EOF"] + [f"RUN echo {i}" for i in range(5000)]
    lines += ["# the next heredoc is never closed", "RUN <<BAD", "echo x"] + [f"echo {i} <<EOF" for i in range(5000)]
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    assert _errors(tmp_path) == [{"path": "Dockerfile", "kind": "syntax-error", "reason": MESSAGE,
                                  "line": 5006, "column": None}]


def test_unterminated_heredoc_at_the_top_of_10000_lines(tmp_path: Path) -> None:
    lines = ["FROM python:3.12", "COPY <<-END /app/x"] + [f"\tline {i}" for i in range(10000)]
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    assert _errors(tmp_path) == [{"path": "Dockerfile", "kind": "syntax-error", "reason": MESSAGE,
                                  "line": 2, "column": None}]


def test_terminated_heredocs_in_10000_lines_parse(tmp_path: Path) -> None:
    """The negative neighbour: the same size, every heredoc closed (one with ``<<-`` and tabs): no error,
    and the final CMD is still read."""
    lines = ["FROM python:3.12"]
    for i in range(2500):
        lines += [f"RUN <<-E{i}", f"\techo {i}", f"\tE{i}"] if i % 2 else ["RUN <<EOF", f"echo {i}", "EOF"]
    lines.append('CMD ["flask", "run", "--debug"]')
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    result = dockerfile.parse((tmp_path / "Dockerfile").read_text(), "Dockerfile", str(tmp_path / "Dockerfile"))
    assert [c.argv for c in result.commands] == [("flask", "run", "--debug")]


def _old_line(text: str) -> Optional[int]:
    """The previous implementation: step down one prefix at a time (the reference for small files)."""
    lines = dockerfile.split_lines(text)
    count = len(lines)
    while count > 0 and dockerfile._fails(lines, count, "unterminated heredoc"):
        count -= 1
    return next((n for n in range(count + 1, len(lines) + 1) if dockerfile._has_instruction(lines[n - 1])), None)


TRICKY: List[str] = [
    "FROM python\nRUN <<EOF\necho one\nEOF\nRUN <<EOF\necho two\n",
    "FROM python\nRUN <<A\n" + "x\n" * 37 + "A\n" + "RUN echo\n" * 21 + "# c\n\nRUN <<B\n" + "y\n" * 40,
    "FROM python\n" + "".join(f"RUN <<H{i}\nz\nH{i}\n" for i in range(30)) + "RUN <<LAST\n" + "w\n" * 3,
    "FROM python\nRUN <<A cat <<B\na\nA\nb\n",
    "RUN <<X\n" + "q\n" * 100,
    "FROM python\nRUN echo \\\n  <<EOF\nbody\n" + "more\n" * 9,
]


@pytest.mark.parametrize("index", range(len(TRICKY)))
def test_same_line_as_the_one_prefix_at_a_time_scan(index: int) -> None:
    text = TRICKY[index]
    with pytest.raises(DeployParseError) as raised:
        dockerfile.parse(text, "Dockerfile", "/nonexistent/Dockerfile")
    assert raised.value.message.endswith("unterminated heredoc.")
    assert raised.value.line == _old_line(text)
