"""Reading source files: decoding like the interpreter, and a Problem (never an exception) for bad files."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from flask_preflight.findings import Problem, ProblemKind
from flask_preflight.static import source
from flask_preflight.static.source import SourceFile, format_size, read_source

from privdrop import as_unprivileged, shared_tempdir

MB = 1024 * 1024


def read(path: Path, max_bytes: int = 5 * MB):
    return read_source(str(path), path.name, max_bytes=max_bytes)


def test_utf8_file_with_mixed_newlines(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_bytes(b"a = 1\r\nb = 'caf\xc3\xa9'\rc = 3\n")
    src = read(path)
    assert isinstance(src, SourceFile)
    assert src.text == "a = 1\nb = 'caf\u00e9'\nc = 3\n"
    assert src.encoding == "utf-8"
    assert src.size == path.stat().st_size
    assert src.path == "app.py"
    assert src.lines == ["a = 1", "b = 'caf\u00e9'", "c = 3"]
    assert src.line(2) == "b = 'caf\u00e9'"
    assert src.line(0) == "" and src.line(4) == ""
    assert src.snippet(1, 2) == "a = 1\nb = 'caf\u00e9'"
    assert src.snippet(3) == "c = 3"
    assert src.snippet(2, 1) == "b = 'caf\u00e9'"


def test_snippet_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "long.py"
    path.write_text("".join(f"x{i} = {i}\n" for i in range(1, 31)))
    src = read(path)
    assert isinstance(src, SourceFile)
    snippet = src.snippet(5, 30)
    assert snippet.splitlines() == [f"x{i} = {i}" for i in range(5, 15)]
    assert src.snippet(29, 40) == "x29 = 29\nx30 = 30"


def test_text_without_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\n\ny = 2")
    src = read(path)
    assert isinstance(src, SourceFile)
    assert src.lines == ["x = 1", "", "y = 2"]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.py"
    path.write_bytes(b"")
    src = read(path)
    assert isinstance(src, SourceFile)
    assert src.text == "" and src.lines == [] and src.size == 0
    assert src.line(1) == "" and src.snippet(1) == ""


def test_latin1_without_cookie_is_a_decode_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"x = 1\r\ny = 'caf\xe9'\n")
    problem = read(path)
    assert isinstance(problem, Problem)
    assert problem.kind is ProblemKind.DECODE_ERROR
    assert problem.reason == "not valid utf-8 at byte offset 15"
    assert problem.line == 2
    assert problem.path == "latin.py"


def test_invalid_first_line_without_cookie(tmp_path: Path) -> None:
    # tokenize refuses to look for a cookie here; the error must still point at the byte.
    path = tmp_path / "latin.py"
    path.write_bytes(b"# caf\xe9\nx = 1\n")
    problem = read(path)
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.reason, problem.line) == (
        ProblemKind.DECODE_ERROR, "not valid utf-8 at byte offset 5", 1)


def test_latin1_with_coding_cookie(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\ny = 'caf\xe9'\n")
    src = read(path)
    assert isinstance(src, SourceFile)
    assert src.encoding == "iso-8859-1"
    assert src.line(3) == "y = 'caf\u00e9'"


def test_unknown_coding_cookie(tmp_path: Path) -> None:
    path = tmp_path / "weird.py"
    path.write_bytes(b"#!/usr/bin/python\n# coding: klingon\nx = 1\n")
    problem = read(path)
    assert isinstance(problem, Problem)
    assert problem.kind is ProblemKind.DECODE_ERROR
    assert "klingon" in problem.reason
    assert problem.line == 2


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbfx = '\xc3\xa9'\n")
    src = read(path)
    assert isinstance(src, SourceFile)
    assert src.text == "x = '\u00e9'\n"
    assert src.encoding == "utf-8-sig"


def test_bom_error_offsets_count_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbfx = 1\n\xff\n")
    problem = read(path)
    assert isinstance(problem, Problem)
    assert (problem.reason, problem.line) == ("not valid utf-8 at byte offset 9", 2)


def test_bom_conflicting_with_cookie(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    problem = read(path)
    assert isinstance(problem, Problem)
    assert problem.kind is ProblemKind.DECODE_ERROR
    assert "BOM" in problem.reason or "byte order mark" in problem.reason


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.py"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    problem = read(path)
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.reason) == (ProblemKind.BINARY, "binary file (NUL bytes)")


def test_too_large_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.py"
    with open(path, "wb") as fh:  # sparse: no 6 MB actually written
        fh.truncate(6 * MB)

    def no_open(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a too-large file must be rejected from stat alone")

    monkeypatch.setattr(source, "open", no_open, raising=False)
    problem = read(path)
    assert isinstance(problem, Problem)
    assert problem.kind is ProblemKind.TOO_LARGE
    assert problem.reason == "6.0 MB exceeds the 5.0 MB limit (raise it with --max-file-size)"


def test_size_limit_boundary(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"x" * 100)
    assert isinstance(read(path, max_bytes=100), SourceFile)
    problem = read(path, max_bytes=99)
    assert isinstance(problem, Problem)
    assert problem.reason == "100 bytes exceeds the 99 bytes limit (raise it with --max-file-size)"


def test_format_size() -> None:
    assert format_size(10 * MB) == "10.0 MB"
    assert format_size(1536) == "1.5 KB"
    assert format_size(12) == "12 bytes"


def test_unreadable_file_via_open_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.py"
    path.write_text("x = 1\n")

    def denied(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(source, "open", denied, raising=False)
    problem = read(path)
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.reason) == (ProblemKind.UNREADABLE, "Permission denied")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX permissions")
def test_unreadable_file_real_permissions() -> None:
    """A mode-0 file, read as a user the mode applies to (the suite may run as root)."""
    with shared_tempdir() as d:
        path = d / "secret.py"
        path.write_text("x = 1\n")
        path.chmod(0)
        problem = as_unprivileged(read, path)
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.reason) == (ProblemKind.UNREADABLE, "Permission denied")


def test_directory_and_missing_file(tmp_path: Path) -> None:
    problem = read_source(str(tmp_path), "dir", max_bytes=MB)
    assert isinstance(problem, Problem) and problem.kind is ProblemKind.UNREADABLE
    assert problem.reason == "is a directory"
    problem = read_source(str(tmp_path / "gone.py"), "gone.py", max_bytes=MB)
    assert isinstance(problem, Problem) and problem.kind is ProblemKind.NOT_FOUND


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    problem = read(fifo)
    assert isinstance(problem, Problem)
    assert (problem.kind, problem.reason) == (ProblemKind.UNREADABLE, "not a regular file")
