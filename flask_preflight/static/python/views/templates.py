"""Whether a Jinja template can show a value passed to ``render_template(name, key=value)``.

``render_template("error.html", error_message=str(e))`` puts the exception text in the template's context;
it reaches the client only if the template (or a template it extends, includes or imports, which see the
same context) names ``error_message``. Flask looks the name up in the application's ``templates`` folder and
in each blueprint's ``template_folder``, both relative to the directory of the module that creates the app
or blueprint, so every ``<module dir>/templates/<name>`` of the project is a candidate.

The reading is deliberately coarse and errs towards "may show it": the key counts as shown when it occurs
as a word anywhere in a candidate file (custom delimiters and line statements included), when a candidate
or a template it refers to cannot be found or read, when a reference is not a literal name
(``{% include var %}``), when the template uses ``{% debug %}`` (which prints the whole context), and when
the project imports Jinja's context-passing decorators (a Python filter or global marked ``pass_context``
can read any context key by name).
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Dict, Iterable, List, Optional, Set

from flask_preflight.findings import Problem
from flask_preflight.static.source import read_bytes

# ``{% extends "base.html" %}``, ``{% include 'x.html' %}``, ``{% import "m.html" as m %}``,
# ``{% from "m.html" import f %}``: the literal names of the templates this one reads.
_REFERENCE = re.compile(r"""\b(?:extends|include|import|from)\s+(["'])([^"'\n]+)\1""")
# Every place a reference could start: more of these than literal references means one names its template
# through an expression (``{% include template_var %}``) or the word is only prose; both keep the finding.
_REFERENCE_WORD = re.compile(r"\b(?:extends|include|import)\b")
_DEBUG_TAG = re.compile(r"\{%[-+]?\s*debug\b")
# Imports through which Python code can read a template's context by key.
CONTEXT_READERS = ("jinja2.pass_context", "jinja2.contextfunction", "jinja2.contextfilter",
                   "jinja2.utils.pass_context", "jinja2.ext", "flask.templating")
_MAX_FILE = 1 << 20  # as the engine's digest of the files a cached result depends on


def file_digest(path: str) -> str:
    """The content hash a cached result compares ("-" for a missing, unreadable, oversized or special file)."""
    data = read_bytes(path, path, max_bytes=_MAX_FILE)  # a regular file, bounded: never a fifo or device
    return "-" if isinstance(data, Problem) else hashlib.sha256(data).hexdigest()


class TemplateNames:
    """Answers "may template T show context key K?" for one project, recording every file it probed."""

    def __init__(self, module_dirs: Iterable[str], reads: Optional[Dict[str, str]] = None,
                 context_readers: bool = False) -> None:
        self.dirs = sorted({os.path.join(d, "templates") for d in module_dirs})
        self.reads = reads if reads is not None else {}  # path -> file_digest, for the result cache
        self.context_readers = context_readers
        self._texts: Dict[str, Optional[str]] = {}

    def may_show(self, template: str, key: str) -> bool:
        """False only when every file of ``template`` and of every template they refer to was found and read,
        and none of them names ``key``. The template "" is a literal ``render_template_string`` source the view
        check already found silent about ``key``."""
        if self.context_readers:
            return True
        if not template:
            return False
        word = re.compile(rf"\b{re.escape(key)}\b")
        seen: Set[str] = set()
        todo: List[str] = [template]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            files = self._find(name)
            if not files:
                return True
            for path in files:
                text = self._text(path)
                if text is None or word.search(text) or _DEBUG_TAG.search(text):
                    return True
                refs = [m.group(2) for m in _REFERENCE.finditer(text)]
                if len(_REFERENCE_WORD.findall(text)) > len(refs):
                    return True
                todo += refs
        return False

    def _find(self, name: str) -> List[str]:
        if name.startswith("/") or ".." in name.split("/"):
            return []
        out: List[str] = []
        for d in self.dirs:
            path = os.path.join(d, *name.split("/"))
            self.reads[path] = file_digest(path)
            if self.reads[path] != "-":
                out.append(path)
        return out

    def _text(self, path: str) -> Optional[str]:
        if path not in self._texts:
            data = read_bytes(path, path, max_bytes=_MAX_FILE)
            self._texts[path] = None if isinstance(data, Problem) else data.decode("utf-8", errors="replace")
        return self._texts[path]
