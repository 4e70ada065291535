"""Heroku ``app.json`` (app manifest for Heroku Buttons, review apps and CI): the ``env`` config vars.

``env`` maps a name to a string (the value) or to an object whose ``value`` is the default Heroku sets;
``"generator": "secret"`` makes Heroku generate the value, so nothing is written here. The manifest has
no start command - the Procfile has it - and ``scripts`` (postdeploy, pr-predestroy) run once, not as a
server, so they are not launches. ``environments`` (``test`` for Heroku CI, ``review``) are not read.

Values come from the ``json`` module; it gives no positions, so a small tokenizer over the (already
valid) text finds the line of each key by its path.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple

from flask_preflight.static.deploy.model import DeployFile, DeployParseError, EnvVar
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

KIND = "appjson"

# Keys only a Heroku manifest has: other tools' app.json (Expo, ...) is never reported as malformed.
_MARKER_RE = re.compile(r'"(?:env|formation|buildpacks|addons|environments|stack)"\s*:')
_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_Path = Tuple[str, ...]


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    lines = split_lines(text)
    result = DeployFile(path, abs_path, KIND, suppressions=suppressions(lines, ("#",)))
    ours = _heroku_keys(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if not ours:
            return result
        raise DeployParseError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        if not ours:
            return result
        raise DeployParseError("the JSON document is nested too deeply to read") from None
    if not isinstance(data, dict):
        return result  # not a manifest (Heroku requires an object)
    env = data.get("env")
    if env is None:
        return result
    where = key_lines(text)
    if not isinstance(env, dict):
        result.warnings.append((where.get(("env",), 1), "`env` is not an object of config vars"))
        return result
    for name, spec in env.items():
        at = where.get(("env", name), where.get(("env",), 1))
        spot = origin(path, lines, at, max(at, where.get(("env", name, "value"), at)))
        if isinstance(spec, (str, int, float, bool)):
            result.env.append(EnvVar(name, _string(spec), spot))
        elif isinstance(spec, dict):
            value: Any = spec.get("value")
            literal = isinstance(value, (str, int, float, bool)) and not spec.get("generator")
            result.env.append(EnvVar(name, _string(value) if literal else None, spot))
        else:
            result.warnings.append((at, f"`env.{name}` is neither a string nor an object; Heroku rejects it"))
    return result


def _heroku_keys(text: str) -> bool:
    """A top-level key only Heroku's manifest has (Expo's app.json nests an ``env`` under ``expo.extra``);
    read with ``key_lines``, which tolerates the invalid JSON (JSON5 trailing commas) other tools accept."""
    if not _MARKER_RE.search(text):
        return False
    return any(len(key) == 1 and _MARKER_RE.match(f'"{key[0]}":') for key in key_lines(text))


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def key_lines(text: str) -> Dict[_Path, int]:
    """1-based line of every object key, by its path of keys (array items are not indexed: ``("a", "b")``
    is key ``b`` of an object inside ``a``, wherever it is in an array). The last duplicate wins, as in ``json``."""
    found: Dict[_Path, int] = {}
    stack: List[List[Any]] = []  # [bracket, path of the container, current key or None, expecting a key]
    pending: Tuple[str, int] = ("", 0)  # a string read where a key is expected, and its line
    line = 1
    last = 0
    for match in _TOKEN_RE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        token = match.group(0)
        top = stack[-1] if stack else None
        if token in ("{", "["):
            if top is None:
                here: _Path = ()
            elif top[0] == "{":
                here = top[1] + ((top[2],) if top[2] is not None else ())
            else:
                here = top[1]
            stack.append([token, here, None, token == "{"])
        elif token in ("}", "]"):
            if stack:
                stack.pop()
        elif top is not None and top[0] == "{":
            if token == ":" and top[3] and pending[1]:
                top[2], top[3] = pending[0], False
                found[top[1] + (pending[0],)] = pending[1]
            elif token == ",":
                top[3] = True
            elif token.startswith('"') and top[3]:
                try:
                    pending = (str(json.loads(token)), line)
                except ValueError:
                    pending = (token.strip('"'), line)
    return found
