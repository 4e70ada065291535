"""Reading one source file into text, or into a Problem that says exactly why it could not be read.

Decoding follows Python's own rules (PEP 263 coding cookies, the UTF-8 BOM) so a file is read the way
the interpreter would read it, and every failure becomes a reported Problem rather than a skipped file.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from functools import cached_property
from typing import List, Optional, Union

from flask_preflight.findings import Problem, ProblemKind

BINARY_SNIFF_BYTES = 8192
SNIPPET_MAX_LINES = 10


@dataclass
class SourceFile:
    """Decoded text with newlines normalised to ``\\n``; ``size`` is the size in bytes on disk."""

    path: str
    text: str
    encoding: str
    size: int

    @cached_property
    def lines(self) -> List[str]:
        """Lines without terminators, numbered like the tokenizer (only ``\\n`` splits, after normalising)."""
        if not self.text:
            return []
        lines = self.text.split("\n")
        if self.text.endswith("\n"):
            lines.pop()
        return lines

    def line(self, n: int) -> str:
        """Line ``n`` (1-based), or ``""`` when out of range, so callers never need a bounds check."""
        if 1 <= n <= len(self.lines):
            return self.lines[n - 1]
        return ""

    def snippet(self, line: int, end_line: Optional[int] = None) -> str:
        """The whole lines ``line``..``end_line``, capped at ``SNIPPET_MAX_LINES`` to keep reports short."""
        start = max(line, 1)
        end = start if end_line is None or end_line < start else end_line
        end = min(end, start + SNIPPET_MAX_LINES - 1, len(self.lines))
        return "\n".join(self.lines[start - 1:end])


def read_source(candidate_path: str, display_path: str, *, max_bytes: int) -> Union[SourceFile, Problem]:
    """Read and decode ``candidate_path``; ``display_path`` is what reports show. Never raises OSError."""
    data = read_bytes(candidate_path, display_path, max_bytes=max_bytes)
    if isinstance(data, Problem):
        return data
    return decode_source(data, display_path, size=len(data))


def read_bytes(candidate_path: str, display_path: str, *, max_bytes: int) -> Union[bytes, Problem]:
    """The file's bytes (at most ``max_bytes``: a bigger file is a Problem, never read whole)."""
    try:
        st = os.stat(candidate_path)
    except FileNotFoundError:
        return Problem(display_path, ProblemKind.NOT_FOUND, "no such file (removed while scanning?)")
    except OSError as exc:
        return Problem(display_path, ProblemKind.UNREADABLE, _os_reason(exc))
    if stat.S_ISDIR(st.st_mode):
        return Problem(display_path, ProblemKind.UNREADABLE, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        # FIFOs and devices could block forever or never end.
        return Problem(display_path, ProblemKind.UNREADABLE, "not a regular file")
    if st.st_size > max_bytes:
        return _too_large(display_path, st.st_size, max_bytes)
    try:
        with open(candidate_path, "rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        return Problem(display_path, ProblemKind.UNREADABLE, _os_reason(exc))
    if len(data) > max_bytes:
        return _too_large(display_path, max(len(data), st.st_size), max_bytes)
    return data


def read_head(path: str, limit: int) -> Optional[bytes]:
    """At most ``limit`` bytes of a regular file; None for a missing, unreadable or special file. For the
    side readers (requirement files, skipped scripts, launchers, shebangs): a FIFO or device planted in a
    scanned repository must never block or endlessly feed the run, so the file is opened without blocking
    and its type checked on the open descriptor (no window between a stat and the open)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def read_text(path: str, limit: int = 200_000) -> Optional[str]:
    """:func:`read_head` decoded as UTF-8, bad bytes replaced."""
    data = read_head(path, limit)
    return None if data is None else data.decode("utf-8", errors="replace")


def decode_source(data: bytes, display_path: str, *, size: Optional[int] = None) -> Union[SourceFile, Problem]:
    """Decode bytes the way the interpreter would; split out so stdin or caches can reuse it."""
    size = len(data) if size is None else size
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return Problem(display_path, ProblemKind.BINARY, "binary file (NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        message = exc.msg or str(exc)
        if message.startswith("invalid or missing encoding declaration"):
            # The first line is not UTF-8 and there is no cookie: let the decode below say where.
            encoding = "utf-8"
        elif message.startswith("unknown encoding"):
            name = message.split(":", 1)[-1].strip()
            return Problem(display_path, ProblemKind.DECODE_ERROR,
                           f"unknown encoding {name!r} in coding cookie", line=_cookie_line(data))
        elif message.startswith("encoding problem"):
            return Problem(display_path, ProblemKind.DECODE_ERROR,
                           "coding cookie conflicts with the UTF-8 byte order mark", line=_cookie_line(data))
        else:
            return Problem(display_path, ProblemKind.DECODE_ERROR, message)

    body, offset_base = data, 0
    if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        body, offset_base = data[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
    decode_as = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(decode_as)
    except UnicodeDecodeError as exc:
        offset = offset_base + exc.start
        return Problem(display_path, ProblemKind.DECODE_ERROR, f"not valid {decode_as} at byte offset {offset}",
                       line=_line_of_offset(data, offset))
    except LookupError:  # pragma: no cover - detect_encoding already looked the codec up
        return Problem(display_path, ProblemKind.DECODE_ERROR, f"unknown encoding {encoding!r}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(path=display_path, text=text, encoding=encoding, size=size)


def format_size(n: int) -> str:
    """Human size with binary units, matching how ``--max-file-size`` values are parsed."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _too_large(display_path: str, size: int, limit: int) -> Problem:
    shown, cap = format_size(size), format_size(limit)
    if shown == cap:  # 5.02 MB vs 5.0 MB would both print as "5.0 MB"
        shown, cap = f"{size} bytes", f"{limit} bytes"
    return Problem(display_path, ProblemKind.TOO_LARGE,
                   f"{shown} exceeds the {cap} limit (raise it with --max-file-size)")


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _line_of_offset(data: bytes, offset: int) -> int:
    """1-based line of a byte offset, counting ``\\r\\n``, ``\\n`` and lone ``\\r`` as one break each."""
    prefix = data[:offset]
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1


def _cookie_line(data: bytes) -> int:
    """PEP 263 allows the cookie on line 1 or 2 only."""
    first, _, rest = data.partition(b"\n")
    return 1 if b"coding" in first else 2 if b"coding" in rest.split(b"\n", 1)[0] else 1
