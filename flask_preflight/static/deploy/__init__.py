"""Deployment files: which files they are, how each format is read, and the checks that span them.

``classify`` decides from the file name alone, so discovery stays cheap; ``parse`` dispatches to the
format module, which returns the format-independent ``DeployFile`` that ``checks`` judges.
"""

from __future__ import annotations

import importlib
import re
from typing import Optional

from flask_preflight.static.deploy.gunicorn import is_gunicorn_config
from flask_preflight.static.deploy.model import DeployFile, DeployParseError

_DOCKERFILE_RE = re.compile(r"^(Dockerfile|Containerfile)([._-][\w.-]+)?$|^[\w.-]+\.(Dockerfile|dockerfile|Containerfile)$")
_COMPOSE_RE = re.compile(r"^(docker-)?compose([._-][\w.-]+)?\.ya?ml$")
_DOTENV_RE = re.compile(r"^\.env(\.[\w.-]+)?$|^\.flaskenv$")

# kind -> module under flask_preflight.static.deploy exposing parse(text, path, abs_path)
_MODULES = {"dockerfile": "dockerfile", "compose": "compose", "procfile": "procfile", "dotenv": "dotenv",
            "gunicorn": "gunicorn", "systemd": "systemd", "appengine": "appengine", "fly": "fly", "shell": "shell"}


def classify(name: str) -> Optional[str]:
    """The deployment-file kind of a file name, or None. ``gunicorn`` files are also Python files."""
    if _DOCKERFILE_RE.match(name):
        return "dockerfile"
    if _COMPOSE_RE.match(name):
        return "compose"
    if name == "Procfile" or name.startswith("Procfile."):
        return "procfile"
    if _DOTENV_RE.match(name):
        return "dotenv"
    if name.endswith(".py"):
        return "gunicorn" if is_gunicorn_config(name) else None
    if name.endswith(".service"):
        return "systemd"
    if name in ("app.yaml", "app.yml"):
        return "appengine"
    if name == "fly.toml":
        return "fly"
    if name.endswith(".sh"):
        return "shell"
    return None


# Shell scripts are only worth parsing when they could launch or configure the app.
_SHELL_TOKENS = ("flask", "gunicorn", "python", "waitress", "uwsgi", "secret", "werkzeug", "exec")


def may_matter(kind: str, text: str) -> bool:
    if kind != "shell":
        return True
    low = text.lower()
    return any(t in low for t in _SHELL_TOKENS)


def parse(kind: str, text: str, path: str, abs_path: str) -> DeployFile:
    module = importlib.import_module(f"flask_preflight.static.deploy.{_MODULES[kind]}")
    return module.parse(text, path, abs_path)  # type: ignore[no-any-return]


__all__ = ["DeployFile", "DeployParseError", "classify", "may_matter", "parse"]
