"""Source text of AST nodes and their columns, with the file split once.

``ast.get_source_segment`` re-splits the whole source on every call and re-encodes the node's lines, so
reporting N findings in a file of size S costs N x S: a hostile 1 MB file with 2,000 findings, or one
2 MB line, took minutes. :class:`SourceSegments` splits the text once (the way the parser and
``get_source_segment`` do: ``\\r\\n``, ``\\r`` and ``\\n`` end a line, form feeds do not), encodes a
non-ASCII line once, and answers each node by slicing, with the same result byte for byte.
"""

from __future__ import annotations

import ast
import re
from array import array
from bisect import bisect_left
from typing import Dict, List, Optional, Tuple, Union

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")
_Table = Tuple["array[int]", "array[int]", int]  # wide-character starts, extra bytes before each, size
_WIDE = re.compile(rb"[\xc0-\xff][\x80-\xbf]*")  # one multi-byte UTF-8 character


class SourceSegments:
    """One file's lines (terminators kept) and, per non-ASCII line, its UTF-8 bytes."""

    def __init__(self, text: str) -> None:
        self.lines: List[str] = _LINE.findall(text)
        self._encoded: Dict[int, Union[str, bytes]] = {}  # line index -> the str when ASCII, else its bytes

    def _line(self, index: int) -> Union[str, bytes]:
        """The line as something byte offsets index: itself when ASCII (bytes == characters), else UTF-8."""
        found = self._encoded.get(index)
        if found is None:
            line = self.lines[index]
            found = self._encoded[index] = line if line.isascii() else line.encode()
        return found

    def _slice(self, index: int, start: Optional[int], end: Optional[int]) -> str:
        line = self._line(index)
        return line[start:end] if isinstance(line, str) else line[start:end].decode()

    def segment(self, node: ast.AST) -> Optional[str]:
        """``ast.get_source_segment(text, node)`` (unpadded), without re-reading the file. None when the
        node has no position or its position lies outside the text."""
        try:
            if node.end_lineno is None or node.end_col_offset is None:  # type: ignore[attr-defined]
                return None
            first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
            start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return None
        if not 0 <= first <= last < len(self.lines):
            return None
        if first == last:
            return self._slice(first, start, end)
        return self._slice(first, start, None) + "".join(self.lines[first + 1:last]) + self._slice(last, None, end)


class ColumnMap:
    """UTF-8 byte columns (what AST nodes carry) to character columns for the given lines, each line
    encoded and indexed once: ``len(line.encode()[:byte_col].decode("utf-8", "replace"))`` per finding
    re-encodes the line, which is quadratic when one long line holds many findings."""

    def __init__(self, lines: List[str]) -> None:
        self.lines = lines
        self._tables: Dict[int, Optional[_Table]] = {}  # None: an ASCII line

    def char_column(self, line: int, byte_col: int) -> int:
        """The 0-based character column of 1-based ``line``'s byte column, counted exactly as before: the
        byte column itself on an ASCII line (or a line outside the file), else
        ``len(text.encode()[:byte_col].decode("utf-8", "replace"))``."""
        index = line - 1
        if not 0 <= index < len(self.lines):
            return byte_col
        table = self._table(index)
        if table is None:
            return byte_col
        starts, extra, size = table
        byte_col = min(byte_col, size)
        count = bisect_left(starts, byte_col)  # multi-byte characters that start before byte_col
        if count:
            start = starts[count - 1]
            if byte_col < start + extra[count] - extra[count - 1] + 1:  # inside one: it decodes to one "\ufffd"
                return start - extra[count - 1] + 1
        return byte_col - extra[count]

    def _table(self, index: int) -> Optional[_Table]:
        """Byte offsets of the line's multi-byte characters and the extra bytes before each; None if ASCII."""
        if index in self._tables:
            return self._tables[index]
        text = self.lines[index]
        table = None
        if not text.isascii():
            data = text.encode("utf-8")
            starts, extra = array("q"), array("q", [0])
            for wide in _WIDE.finditer(data):
                starts.append(wide.start())
                extra.append(extra[-1] + wide.end() - wide.start() - 1)
            table = (starts, extra, len(data))
        self._tables[index] = table
        return table
