"""Procfiles (Heroku, Dokku, foreman, honcho): one ``name: command`` line per process type.

The line format is the one foreman and honcho accept (``^[A-Za-z0-9_-]+:\\s*(.+)$``). Heroku runs every
command through ``/bin/sh -c``, so commands are kept as shell text for the shared interpreter. Lines that
are not process declarations are skipped by those tools, so they become warnings, not errors.
"""

from __future__ import annotations

import posixpath
import re
from typing import Dict, Optional, Tuple

from flask_preflight.static.deploy.model import Command, DeployFile
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

KIND = "procfile"
DEV_SUFFIXES = frozenset({"dev", "development", "local", "test"})
DEV_REASON = "the file name marks it as a local-development Procfile (foreman/honcho/overmind)"

_LINE_RE = re.compile(r"^\s*([A-Za-z0-9_-]+):\s*(\S.*?)\s*$")


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """One Command per process type; the last declaration of a name wins, as in foreman."""
    lines = split_lines(text)
    dev_reason = dev_reason_for(path)
    result = DeployFile(path, abs_path, KIND, dev_reason=dev_reason,
                        suppressions=suppressions(lines, ("#",)))
    by_name: Dict[str, Tuple[int, Command]] = {}
    for number, raw in enumerate(lines, start=1):
        entry = _entry(raw)
        if entry is None:
            if raw.strip() and not raw.lstrip().startswith("#"):
                result.warnings.append((number, "not a `name: command` process line; Heroku and foreman ignore it"))
            continue
        name, command = entry
        if name in by_name:
            earlier = by_name[name][0]
            result.warnings.append((earlier, f"process type `{name}` is declared again on line {number}; "
                                             "the later declaration is used"))
        by_name[name] = (number, Command(
            argv=("/bin/sh", "-c", command),
            origins=((0, origin(path, lines, number)),),
            source=f"Procfile `{name}`",
            web=name == "web",
            dev_reason=dev_reason,
        ))
    result.commands = [command for _, command in sorted(by_name.values(), key=lambda item: item[0])]
    return result


def _entry(raw: str) -> Optional[Tuple[str, str]]:
    match = _LINE_RE.match(raw)
    return (match.group(1), match.group(2)) if match else None


def dev_reason_for(path: str) -> str:
    """``Procfile.dev`` and friends are read by local process managers, never by Heroku."""
    name = posixpath.basename(path.replace("\\", "/"))
    stem, _, suffix = name.partition(".")
    return DEV_REASON if stem == "Procfile" and suffix.lower() in DEV_SUFFIXES else ""

