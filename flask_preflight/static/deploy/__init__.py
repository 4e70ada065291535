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

# `docker build` falls back to a lowercase `dockerfile` when the context has no `Dockerfile` (BuildKit and the
# classic builder both do), so that spelling is an image definition too.
_DOCKERFILE_RE = re.compile(r"^(Dockerfile|dockerfile|Containerfile)([._-][\w.-]+)?$|^[\w.-]+\.(Dockerfile|dockerfile|Containerfile)$")
_COMPOSE_RE = re.compile(r"^(docker-)?compose([._-][\w.-]+)?\.ya?ml$")
# Env templates are also named without the leading dot (``env.prod.sample``, ``prod.env.example``): the
# operator copies them to ``.env``, so what they ship is what a deployment that copies them runs with.
_DOTENV_RE = re.compile(r"^\.env(\.[\w.-]+)?$|^\.flaskenv$|"
                        r"^([\w-]+\.)?env(\.[\w-]+)*\.(example|sample|template|tmpl|dist)$")

# kind -> module under flask_preflight.static.deploy exposing parse(text, path, abs_path)
_MODULES = {"dockerfile": "dockerfile", "compose": "compose", "procfile": "procfile", "dotenv": "dotenv",
            "gunicorn": "gunicorn", "systemd": "systemd", "appengine": "appengine", "fly": "fly", "shell": "shell",
            "supervisord": "supervisord", "render": "render", "appjson": "appjson",
            "kubernetes": "kubernetes", "heroku": "heroku"}
# Directories whose ``*.conf`` files may be supervisord program configs (nginx/Apache also use conf.d:
# ``may_matter`` reads those only when they have a supervisord section).
_SUPERVISOR_DIRS = frozenset({"supervisor", "supervisord", "supervisord.d", "conf.d"})
_SUPERVISOR_NAMES = frozenset({"supervisord.conf", "supervisor.conf", "supervisord.ini", "supervisor.ini"})


# Kinds given by the file extension alone (any ``*.yaml``, any other ``*.conf``): most such files are something
# else, so a file that cannot be read or decoded is not a problem unless it was named on the command line.
SPECULATIVE_KINDS = frozenset({"kubernetes", "conf"})


def classify(name: str, parent: str = "") -> Optional[str]:
    """The deployment-file kind of a file name, or None. ``gunicorn`` files are also Python files.
    ``parent`` is the directory the file is in (only its last component is looked at, for ``*.conf``)."""
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
    if name in ("render.yaml", "render.yml"):
        return "render"
    if name == "app.json":
        return "appjson"
    if name == "heroku.yml":  # the only name Heroku's container stack reads
        return "heroku"
    if name.endswith(".sh"):
        return "shell"
    if name.endswith((".conf", ".ini")) and (name in _SUPERVISOR_NAMES
                                             or _last_part(parent) in _SUPERVISOR_DIRS):
        return "supervisord"
    if name.endswith(".conf"):
        # supervisord reads a program file from wherever its [include] names (a project ships
        # ``etc/myapp.conf`` for /etc/supervisor/conf.d/): a candidate, kept when it has a supervisord section
        return "conf"
    if name.endswith((".yaml", ".yml")):
        return "kubernetes"  # a candidate: read, but parsed only when may_matter finds a workload manifest
    return None


def _last_part(directory: str) -> str:
    return directory.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]


# Shell scripts are only worth parsing when they could launch or configure the app.
_SHELL_TOKENS = ("flask", "gunicorn", "python", "waitress", "uwsgi", "secret", "werkzeug", "exec")


def refine(kind: str, text: str) -> str:
    """The kind a candidate file really is, from its content: a file that is no Kubernetes manifest but
    holds a compose document (``stack.yml``, ``deploy/portainer.yaml``) is read as compose; a ``*.conf``
    with a ``[program:NAME]`` or ``[supervisord]`` section is a supervisord config."""
    if kind == "conf":
        return "supervisord" if _is_supervisord(text) else kind
    if kind == "kubernetes":
        from flask_preflight.static.deploy.compose import looks_like_compose
        from flask_preflight.static.deploy.kubernetes import looks_like_manifest
        if not looks_like_manifest(text) and looks_like_compose(text):
            return "compose"
    return kind


def may_matter(kind: str, text: str) -> bool:
    if kind == "supervisord":
        return _is_supervisord(text)
    if kind == "conf":
        return False  # refine() names the ones that are supervisord configs
    if kind == "kubernetes":
        from flask_preflight.static.deploy.kubernetes import looks_like_manifest
        return looks_like_manifest(text)
    if kind == "appjson":
        return '"env"' in text  # only the config vars are read; other tools' app.json have none
    if kind != "shell":
        return True
    low = text.lower()
    return any(t in low for t in _SHELL_TOKENS)


def _is_supervisord(text: str) -> bool:
    return "[program:" in text or "[supervisord]" in text


# The Dev Containers specification keeps a project's development container in ``.devcontainer/``
# (``devcontainer.json`` and the Dockerfile or compose file it names): VS Code, Codespaces and the
# devcontainer CLI build it for a developer to work in, and no deployment builds from that folder.
DEVCONTAINER_DIR = ".devcontainer"
DEVCONTAINER_REASON = ("it is in `.devcontainer/`, the Dev Containers configuration an editor builds as a "
                       "development environment, not a deployment")


def parse(kind: str, text: str, path: str, abs_path: str) -> DeployFile:
    module = importlib.import_module(f"flask_preflight.static.deploy.{_MODULES[kind]}")
    result: DeployFile = module.parse(text, path, abs_path)
    if not result.dev_reason and DEVCONTAINER_DIR in path.replace("\\", "/").split("/")[:-1]:
        result.dev_reason = DEVCONTAINER_REASON
    return result


__all__ = ["SPECULATIVE_KINDS", "DeployFile", "DeployParseError", "classify", "may_matter", "parse", "refine"]
