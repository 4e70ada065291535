"""Whether a project's deployment files put a reverse proxy in front of the app - for ``inspect``.

A live app cannot tell whether it runs behind a proxy; its deployment files can: a platform router
(Procfile, app.yaml, fly.toml, render.yaml) or a proxy service in compose (nginx, traefik, caddy ...) means yes; a
compose file that publishes the app's port with no proxy service means no; anything else is unknown.
"""

from __future__ import annotations

import os
from typing import List, Optional

from flask_preflight.config import DEFAULT_MAX_FILE_SIZE
from flask_preflight.static.deploy import classify, parse
from flask_preflight.static.deploy.model import DeployParseError
from flask_preflight.static.source import read_source

PLATFORM_KINDS = frozenset({"procfile", "appengine", "fly", "render", "heroku"})


DEPLOY_DIRS = ("deploy", "deployment", "docker", "ops", "infra", ".docker")


def deploy_proxy_hint(directory: str) -> Optional[bool]:
    """Looks at the project directory itself and its usual deployment subdirectories, not the whole tree:
    a compose file of some unrelated example or test fixture deeper down says nothing about this app."""
    verdict: Optional[bool] = None
    for path in _deploy_files(directory):
        kind = classify(os.path.basename(path))
        if kind in PLATFORM_KINDS:
            return True
        if kind != "compose":
            continue
        src = read_source(path, path, max_bytes=DEFAULT_MAX_FILE_SIZE)
        if not hasattr(src, "text"):
            continue
        try:
            compose = parse("compose", src.text, path, path)  # type: ignore[union-attr]
        except DeployParseError:
            continue
        if compose.proxies:
            return True
        if compose.public_ports and not compose.dev_reason:
            verdict = False
    return verdict


def _deploy_files(directory: str) -> List[str]:
    found: List[str] = []
    for where in (directory, *(os.path.join(directory, d) for d in DEPLOY_DIRS)):
        try:
            with os.scandir(where) as entries:
                found += sorted(e.path for e in entries if e.is_file() and classify(e.name) not in (None, "conf"))
        except OSError:
            continue
    return found
