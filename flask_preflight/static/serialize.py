"""Per-file results to JSON and back, for the result cache, without ``pickle``.

The cache lives inside the scanned project, and a scanned project is untrusted input: unpickling a file
from it would run code. This codec only ever builds the dataclasses and enums listed in ``_TYPES`` from
plain JSON, so a crafted cache file can at worst fail to load (and the cache entries are signed as well,
see ``cache.py``). Anything it does not know how to encode raises ``Unserializable``; that file is then
simply not cached.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
from typing import Any, Dict, Type

from flask_preflight.findings import Finding, Location, Problem, ProblemKind, Severity
from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar, Guard, Origin, Setting
from flask_preflight.static.results import FileResult
from flask_preflight.static.python.context import (ClassSummary, Deferred, DevServerRun, Fact, FileAnalysis,
                                                   ModuleSummary)


class Unserializable(TypeError):
    """A value the codec does not handle."""


_TYPES: Dict[str, Type[Any]] = {cls.__name__: cls for cls in (
    FileResult, Finding, Location, Problem, FileAnalysis, ModuleSummary, ClassSummary, Fact, Deferred, DevServerRun,
    DeployFile, Command, EnvVar, Guard, Origin, Setting)}
_ENUMS: Dict[str, Type[enum.Enum]] = {cls.__name__: cls for cls in (Severity, ProblemKind)}


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        name = type(value).__name__
        if name not in _ENUMS:
            raise Unserializable(name)
        return {"$e": name, "v": value.value}
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
    if dataclasses.is_dataclass(value) and type(value).__name__ in _TYPES:
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
        cls = _TYPES[data["$c"]]
        return cls(**{str(k): decode(v) for k, v in data["f"].items()})
    if "$e" in data:
        return _ENUMS[data["$e"]](data["v"])
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
