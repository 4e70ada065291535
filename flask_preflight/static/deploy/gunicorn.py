"""gunicorn configuration files (``gunicorn.conf.py``): module-level settings, read from the AST.

gunicorn executes the file and takes every top-level name that is a known setting (``workers``,
``reload``, ``forwarded_allow_ips`` ...). We never execute it: literals are evaluated with
``ast.literal_eval``, values read from the environment or computed (``cpu_count() * 2 + 1``) are marked as
such, so the checks can tell a hard-coded ``workers = 64`` from ``workers = int(os.environ["WEB_CONCURRENCY"])``.
``raw_env = ["FLASK_DEBUG=1"]`` sets the app's environment and is reported like any other env file.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from typing import Any, Optional

from flask_preflight.static.deploy.model import COMPUTED, ENV_VALUE, DeployFile, DeployParseError, EnvVar, Setting
from flask_preflight.static.deploy.text import origin, split_lines, suppressions
from flask_preflight.static.segments import SourceSegments

NAMES = frozenset({"gunicorn.conf.py", "gunicorn_config.py", "gunicorn.config.py", "gunicorn_conf.py",
                   "gunicorn.py", "gunicorn_settings.py", "gunicorn-cfg.py", "gunicorn_cfg.py"})
SETTINGS = frozenset({"workers", "worker_class", "threads", "bind", "reload", "preload_app", "loglevel", "timeout",
                      "forwarded_allow_ips", "accesslog", "errorlog", "raw_env", "daemon", "worker_connections"})
_ENV_CALL_RE = re.compile(r"\b(os\.environ|os\.getenv|getenv|environ)\b")


def is_gunicorn_config(name: str) -> bool:
    return name in NAMES or bool(re.fullmatch(r"gunicorn[._-]?(conf|config|cfg|settings)?[._-]?[\w-]*\.py", name))


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    lines = split_lines(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise DeployParseError(f"cannot parse: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise DeployParseError(f"cannot parse: {exc}") from None
    result = DeployFile(path, abs_path, "gunicorn", suppressions=suppressions(lines))
    segments = SourceSegments(text)  # one split of the file for every setting's source text
    name = os.path.basename(path)
    if re.search(r"(^|[._-])(dev|development|local|test)([._-]|$)", name.rsplit(".", 1)[0]):
        result.dev_reason = "the file name marks it as a development configuration"
    for stmt in tree.body:
        target, value = _assignment(stmt)
        if target is None or target not in SETTINGS or value is None:
            continue
        where = origin(path, lines, stmt.lineno, getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno)
        evaluated = _value(value, segments)
        result.gunicorn[target] = Setting(target, evaluated, where)
        if target == "raw_env" and isinstance(evaluated, (list, tuple)):
            for item in evaluated:
                if isinstance(item, str) and "=" in item:
                    key, _, val = item.partition("=")
                    result.env.append(EnvVar(key.strip(), val, where))
    return result


def _assignment(stmt: ast.stmt) -> "tuple[Optional[str], Optional[ast.expr]]":
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def _value(node: ast.expr, segments: SourceSegments) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        pass
    source = segments.segment(node) or ""
    if _ENV_CALL_RE.search(source):
        return ENV_VALUE
    return COMPUTED
