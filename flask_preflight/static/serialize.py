"""Per-file results to JSON and back, for the result cache, without ``pickle``.

The cache lives inside the scanned project, and a scanned project is untrusted input: unpickling a file
from it would run code. This codec only ever builds the dataclasses and enums listed in ``_HOMES`` from
plain JSON, so a crafted cache file can at worst fail to load (and the cache entries are signed as well,
see ``cache.py``). Anything it does not know how to encode raises ``Unserializable``; that file is then
simply not cached.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
from typing import Any, Dict, Type

import importlib

# Class name -> module: the only types a cache file can produce. Imported on first use, so a warm run that
# loads a whole stored result never imports the analysers.
_HOMES = {
    "ScanResult": "flask_preflight.findings", "Finding": "flask_preflight.findings",
    "Location": "flask_preflight.findings", "Problem": "flask_preflight.findings",
    "FileResult": "flask_preflight.static.results",
    "FileAnalysis": "flask_preflight.static.python.context", "ModuleSummary": "flask_preflight.static.python.context",
    "ClassSummary": "flask_preflight.static.python.context", "Fact": "flask_preflight.static.python.context",
    "Deferred": "flask_preflight.static.python.context", "DevServerRun": "flask_preflight.static.python.context",
    "ViewFacts": "flask_preflight.static.python.context", "Pending": "flask_preflight.static.python.context",
    "DeployFile": "flask_preflight.static.deploy.model", "Command": "flask_preflight.static.deploy.model",
    "EnvVar": "flask_preflight.static.deploy.model", "Guard": "flask_preflight.static.deploy.model",
    "Origin": "flask_preflight.static.deploy.model", "Setting": "flask_preflight.static.deploy.model",
}
_ENUM_HOMES = {"Severity": "flask_preflight.findings", "ProblemKind": "flask_preflight.findings"}


class Unserializable(TypeError):
    """A value the codec does not handle."""


def _known(value: Any, homes: Dict[str, str]) -> bool:
    return homes.get(type(value).__name__) == type(value).__module__


def _type(name: str, homes: Dict[str, str]) -> Type[Any]:
    return getattr(importlib.import_module(homes[name]), name)  # KeyError for anything not listed


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        if not _known(value, _ENUM_HOMES):
            raise Unserializable(type(value).__name__)
        return {"$e": type(value).__name__, "v": value.value}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"$s" if isinstance(value, set) else "$fs": [encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and _known(value, _HOMES):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {"$c": type(value).__name__, "f": fields}
    raise Unserializable(type(value).__name__)


def decode(data: Any) -> Any:
    """The inverse of ``encode``; raises ValueError/TypeError/KeyError on anything malformed."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ValueError("malformed cache value")
    if "$c" in data:
        cls = _type(data["$c"], _HOMES)
        return cls(**{str(k): decode(v) for k, v in data["f"].items()})
    if "$e" in data:
        return _type(data["$e"], _ENUM_HOMES)(data["v"])
    (tag, payload), = data.items()
    if tag == "$t":
        return tuple(decode(v) for v in payload)
    if tag == "$s":
        return {decode(v) for v in payload}
    if tag == "$fs":
        return frozenset(decode(v) for v in payload)
    if tag == "$b":
        return base64.b64decode(payload.encode("ascii"), validate=True)
    if tag == "$m":
        return {decode(k): decode(v) for k, v in payload}
    raise ValueError(f"unknown cache tag {tag!r}")
