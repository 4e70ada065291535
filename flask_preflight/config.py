"""Settings: defaults, ``[tool.flask-preflight]`` in pyproject.toml, then command-line overrides.

Configuration is validated strictly and every error names the file and the option, because a typo in a
linter's config silently turns checks off, which is the failure this tool exists to prevent.

Where settings come from:

* ``load_settings(config_file=None)`` searches ``pyproject.toml`` files from ``start`` upwards and uses
  the first one that has a ``[tool.flask-preflight]`` table (files without the table are skipped). The
  directory holding it becomes ``project_root``; with no such file the current directory is the root.
* ``load_settings(config_file=PATH)`` reads exactly that file. A file named ``pyproject.toml`` must
  keep its options in ``[tool.flask-preflight]`` (a missing table means defaults). Any other TOML file
  (for example ``.flask-preflight.toml``) may use that table too, or put the options at the top level.
  Its directory becomes ``project_root``.

Option names are kebab-case in TOML and snake_case in ``overrides`` (the CLI's flags).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

try:
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

from flask_preflight.rules import REGISTRY

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "never")
TABLE = "flask-preflight"

# TOML key -> Settings attribute. Anything else in the table is an error.
_KEYS = {
    "select": "select",
    "ignore": "ignore",
    "per-file-ignores": "per_file_ignores",
    "exclude": "exclude",
    "extend-exclude": "extend_exclude",
    "fail-on": "fail_on",
    "format": "format",
    "output": "output",
    "max-file-size": "max_file_size",
    "respect-gitignore": "respect_gitignore",
}
# Overrides that add to, rather than replace, what the config file says.
_EXTEND_OVERRIDES = {"extend_select": "select", "extend_exclude": "extend_exclude"}

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|bytes?|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "byte": 1, "bytes": 1, "k": 1024, "kb": 1024, "kib": 1024,
               "m": 1024 ** 2, "mb": 1024 ** 2, "mib": 1024 ** 2,
               "g": 1024 ** 3, "gb": 1024 ** 3, "gib": 1024 ** 3}


class ConfigError(Exception):
    """A configuration problem; the message is one line naming the file (or command line) and the option."""


def _formats() -> Tuple[str, ...]:
    """The report formats, asked of the reporters so the two lists cannot drift apart."""
    try:
        from flask_preflight.report import FORMATS
        return tuple(FORMATS)
    except Exception:  # pragma: no cover - reporters missing or broken; keep config usable
        return ("text", "json", "sarif")


@dataclass
class Settings:
    """The effective options for one run; build with ``load_settings`` so values are validated."""

    select: List[str] = field(default_factory=lambda: ["ALL"])
    ignore: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    exclude: List[str] = field(default_factory=list)
    extend_exclude: List[str] = field(default_factory=list)
    fail_on: str = "medium"
    format: str = "text"
    output: Optional[str] = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    respect_gitignore: bool = True
    project_root: str = field(default_factory=os.getcwd)
    config_path: Optional[str] = None
    _pfi_cache: Optional[Tuple[Any, List[Tuple[Any, FrozenSet[str]]]]] = field(
        default=None, init=False, repr=False, compare=False)

    def _where(self) -> str:
        return _display(self.config_path) if self.config_path else "settings"

    def _expand(self, selectors: Iterable[str], option: str) -> FrozenSet[str]:
        ids = set()
        for sel in selectors:
            try:
                ids.update(r.id for r in REGISTRY.expand(sel))
            except ValueError:
                raise ConfigError(f"{self._where()}: {option}: {_unknown_selector(sel)}") from None
        return frozenset(ids)

    def selected_rule_ids(self) -> FrozenSet[str]:
        """Rule ids that run: everything ``select`` names minus everything ``ignore`` names."""
        return self._expand(self.select, "select") - self._expand(self.ignore, "ignore")

    def ignored_for(self, path: str) -> FrozenSet[str]:
        """Rule ids switched off for ``path`` (absolute, or relative to the cwd) by per-file-ignores."""
        if not self.per_file_ignores:
            return frozenset()
        rel = _relative_to(path, self.project_root)
        ignored: set = set()
        for spec, ids in self._per_file_specs():
            if spec.match_file(rel):
                ignored.update(ids)
        return frozenset(ignored)

    def _per_file_specs(self) -> List[Tuple[Any, FrozenSet[str]]]:
        # Cached against a snapshot of the mapping so later edits to the dict are still honoured.
        key = tuple((k, tuple(v)) for k, v in self.per_file_ignores.items())
        if self._pfi_cache is None or self._pfi_cache[0] != key:
            specs = [(_gitignore_spec([pattern]), self._expand(sels, f"per-file-ignores: {pattern!r}"))
                     for pattern, sels in self.per_file_ignores.items()]
            self._pfi_cache = (key, specs)
        return self._pfi_cache[1]

    def fingerprint(self) -> str:
        """A stable hash of what changes per-file findings, so a result cache knows when to throw away."""
        from flask_preflight import __version__

        data = {
            "version": __version__,
            "rules": sorted(self.selected_rule_ids()),
            "per_file_ignores": sorted(
                (k, sorted(self._expand(v, "per-file-ignores"))) for k, v in self.per_file_ignores.items()),
            "max_file_size": self.max_file_size,
            "project_root": os.path.abspath(self.project_root).replace(os.sep, "/"),
        }
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def load_settings(config_file: Optional[str] = None, start: str = ".",
                  overrides: Mapping[str, Any] = {}) -> Settings:  # noqa: B006 - never mutated
    """Defaults, then the config file, then ``overrides`` (snake_case keys; ``None`` means "not given")."""
    settings = Settings(project_root=os.path.abspath(os.getcwd()))
    if config_file is not None:
        path = os.path.abspath(config_file)
        if not os.path.isfile(path):
            raise ConfigError(f"{config_file}: config file not found")
        data = _read_toml(path)
        table, where = _table_of(path, data, explicit=True)
        _apply_table(settings, table or {}, where)
        settings.config_path = path
        settings.project_root = os.path.dirname(path)
    else:
        found = _find_pyproject(start)
        if found is not None:
            path, table = found
            _apply_table(settings, table, f"{_display(path)}: [tool.{TABLE}]")
            settings.config_path = path
            settings.project_root = os.path.dirname(path)
    _apply_overrides(settings, overrides)
    return settings


def parse_size(value: Any) -> int:
    """Bytes from an int or a string like ``"10MB"``, ``"512 KiB"`` (binary units: 1 MB = 1024 KiB)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size in bytes or a string like '10MB', got {value!r}")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str):
        m = _SIZE_RE.match(value)
        if not m:
            raise ValueError(f"expected a size like '10MB', '512KB' or '1048576', got {value!r}")
        size = int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "").lower()])
    else:
        raise ValueError(f"expected a size in bytes or a string like '10MB', got {type(value).__name__}")
    if size <= 0:
        raise ValueError(f"size must be positive, got {value!r}")
    return size


# --- reading config files ---------------------------------------------------------------------------


def _read_toml(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None


def _table_of(path: str, data: Dict[str, Any], *, explicit: bool) -> Tuple[Optional[Dict[str, Any]], str]:
    """The options table in ``data`` and how to name it in errors; ``None`` when absent."""
    where = _display(path)
    tool = data.get("tool")
    if isinstance(tool, dict) and TABLE in tool:
        table = tool[TABLE]
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [tool.{TABLE}] must be a table")
        return table, f"{where}: [tool.{TABLE}]"
    if explicit and os.path.basename(path) != "pyproject.toml":
        return data, where
    return None, f"{where}: [tool.{TABLE}]"


def _find_pyproject(start: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            table, _ = _table_of(candidate, _read_toml(candidate), explicit=False)
            if table is not None:
                return candidate, table
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _apply_table(settings: Settings, table: Mapping[str, Any], where: str) -> None:
    for key, value in table.items():
        attr = _KEYS.get(key)
        if attr is None:
            raise ConfigError(f"{where}: unknown option {key!r}{_suggest(key, _KEYS)}")
        setattr(settings, attr, _validate(attr, value, f"{where}: {key}"))


def _apply_overrides(settings: Settings, overrides: Mapping[str, Any]) -> None:
    known = set(_KEYS.values())
    for key, value in overrides.items():
        if value is None:
            continue
        label = f"command line: --{key.replace('_', '-')}"
        if key in _EXTEND_OVERRIDES:
            attr = _EXTEND_OVERRIDES[key]
            extra = _validate(attr, value, label)
            if extra:
                setattr(settings, attr, list(getattr(settings, attr)) + extra)
            continue
        if key not in known:
            raise ConfigError(f"command line: unknown option {key!r}"
                              f"{_suggest(key, list(known) + list(_EXTEND_OVERRIDES))}")
        checked = _validate(key, value, label)
        if isinstance(checked, list) and not checked:
            continue  # an empty multi-value flag (click's default) means "not given"
        setattr(settings, key, checked)


# --- validation -------------------------------------------------------------------------------------


def _validate(attr: str, value: Any, where: str) -> Any:
    if attr in ("select", "ignore"):
        selectors = _string_list(value, where)
        for sel in selectors:
            _check_selector(sel, where)
        return selectors
    if attr in ("exclude", "extend_exclude"):
        return _string_list(value, where, split_commas=False)
    if attr == "per_file_ignores":
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table of glob = [rule selectors], got {_type(value)}")
        result: Dict[str, List[str]] = {}
        for pattern, sels in value.items():
            if not isinstance(pattern, str) or not pattern.strip():
                raise ConfigError(f"{where}: glob keys must be non-empty strings")
            if not isinstance(sels, (list, tuple)):
                raise ConfigError(f"{where}: {pattern!r}: expected a list of rule selectors, got {_type(sels)}")
            selectors = _string_list(sels, f"{where}: {pattern!r}")
            for sel in selectors:
                _check_selector(sel, f"{where}: {pattern!r}")
            result[pattern] = selectors
        return result
    if attr == "fail_on":
        return _choice(value, FAIL_ON_CHOICES, where)
    if attr == "format":
        return _choice(value, _formats(), where)
    if attr == "output":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: expected a non-empty file path, got {_type(value)}")
        return value
    if attr == "max_file_size":
        try:
            return parse_size(value)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if attr == "respect_gitignore":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {_type(value)}")
        return value
    raise ConfigError(f"{where}: unknown option")  # pragma: no cover - guarded by callers


def _string_list(value: Any, where: str, *, split_commas: bool = True) -> List[str]:
    """A list of strings; a plain string (the CLI's ``--select PF1,PF2``) is accepted and split."""
    items: Sequence[Any]
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ConfigError(f"{where}: expected a list of strings, got {_type(value)}")
    out: List[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{where}: expected a list of strings, found {_type(item)} {item!r}")
        parts = item.split(",") if split_commas else [item]
        out.extend(p.strip() for p in parts if p.strip())
    return out


def _check_selector(selector: str, where: str) -> None:
    try:
        REGISTRY.expand(selector)
    except ValueError:
        raise ConfigError(f"{where}: {_unknown_selector(selector)}") from None


def _unknown_selector(selector: str) -> str:
    names = [r.id for r in REGISTRY] + [r.name for r in REGISTRY] + ["ALL"]
    match = difflib.get_close_matches(selector.strip(), names, n=1)
    if not match and selector.strip().upper() != selector.strip():
        match = difflib.get_close_matches(selector.strip().upper(), names, n=1)
    hint = f" (did you mean {match[0]!r}?)" if match else ""
    return f"unknown rule selector {selector!r}{hint}"


def _choice(value: Any, choices: Sequence[str], where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected one of {', '.join(choices)}; got {_type(value)}")
    normal = value.strip().lower()
    if normal not in choices:
        hint = _suggest(normal, choices) or f" (expected one of: {', '.join(choices)})"
        raise ConfigError(f"{where}: invalid value {value!r}{hint}")
    return normal


def _suggest(key: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or ``""`` when nothing is close."""
    match = difflib.get_close_matches(key, list(choices), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


# --- paths ------------------------------------------------------------------------------------------


def _display(path: str) -> str:
    """``path`` relative to the cwd when below it, so messages read like the user's own paths."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd).replace(os.sep, "/")
    return path


def _relative_to(path: str, root: str) -> str:
    """POSIX path of ``path`` relative to ``root`` (may start with ``..`` when outside it)."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:  # pragma: no cover - different drives on Windows
        rel = absolute
    return rel.replace(os.sep, "/")


def _gitignore_spec(lines: Iterable[str]) -> Any:
    """A matcher with git's own rules that cannot backtrack on a hostile pattern (static/gitignore.py)."""
    from flask_preflight.static.gitignore import IgnoreSpec

    return IgnoreSpec.from_lines(list(lines))
