"""``.env`` and ``.flaskenv`` files, read with python-dotenv's own parser.

Flask loads these files with python-dotenv, so using its parser means quoting, ``export``, comments and
multi-line values come out exactly as the app sees them. Values are kept raw (no ``${VAR}`` expansion):
an expanded value depends on the environment at start-up, which a linter does not know. Lines the parser
cannot read are skipped by python-dotenv (with a warning), so they are warnings here too.
"""

from __future__ import annotations

import io
import posixpath
from typing import Iterator, Tuple

from dotenv.parser import Binding, parse_stream

from flask_preflight.static.deploy.model import DeployFile, EnvVar
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

KIND = "dotenv"
EXAMPLE_NAMES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist", ".env.tmpl"})
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist")
DEV_SUFFIXES = frozenset({"development", "dev", "local", "test", "testing", "ci"})
DEV_REASON = "the file name marks it as a development environment file"
SKIPPED = "python-dotenv cannot parse this line and skips it, so the variable is not set"


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """One EnvVar per binding, in file order (later ones win when loaded)."""
    lines = split_lines(text)
    name = posixpath.basename(path.replace("\\", "/"))
    result = DeployFile(path, abs_path, KIND, dev_reason=dev_reason_for(name), example=is_example(name),
                        suppressions=suppressions(lines, ("#",)))
    for binding, line, end_line in _bindings(text):
        if binding.error:
            result.warnings.append((line, SKIPPED))
        elif binding.key is not None:
            result.env.append(EnvVar(binding.key, binding.value, origin(path, lines, line, end_line)))
    return result


def _bindings(text: str) -> Iterator[Tuple[Binding, int, int]]:
    """Bindings with the lines their text spans.

    python-dotenv reports the line where a binding's text starts, which includes blank lines before it;
    the bindings cover the text back to back, so counting newlines up to each one's first non-blank
    character gives the real line (counting only ``\\n``, as ``split_lines`` does).
    """
    line = 1
    for binding in parse_stream(io.StringIO(text)):
        chunk = binding.original.string
        body = chunk.strip()
        if body:
            first = line + chunk[:len(chunk) - len(chunk.lstrip())].count("\n")
            yield binding, first, first + body.count("\n")
        line += chunk.count("\n")


def is_example(name: str) -> bool:
    """Templates meant to be copied (``.env.example``) hold placeholders, not the deployed values."""
    lowered = name.lower()
    return lowered in EXAMPLE_NAMES or lowered.endswith(EXAMPLE_SUFFIXES)


def dev_reason_for(name: str) -> str:
    """``.env.development`` (and ``.env.development.local``) configure a developer's machine."""
    parts = name.lower().split(".")
    if len(parts) >= 3 and parts[0] == "" and parts[1] == "env" and parts[2] in DEV_SUFFIXES:
        return DEV_REASON
    return ""
