"""Which part of the scanned tree a deployment file can launch: its build context or its project.

A scan may hold several independent projects (a directory of checkouts, a monorepo of services). A launch
only ever runs files of its own project: ``docker build`` sends the build context and nothing else, so a
Dockerfile's ``CMD ["gunicorn", "wsgi:app"]`` imports a ``wsgi.py`` inside that context; compose builds a
service from its ``build.context``; Heroku, App Engine and Fly build the directory holding the Procfile,
``app.yaml`` or ``fly.toml``. So the file a launch names (``python run.py``, ``gunicorn app:app``) is looked
for inside that directory only, and a launch says how that directory's modules are served - not how another
project's ``run.py`` is.

The context of a Dockerfile is not written in it: ``docker build -f docker/Dockerfile .`` is common. Docker
resolves every ``COPY``/``ADD`` source against the context, so the nearest directory (the Dockerfile's own, or
a parent) holding all of its literal sources is taken; a Dockerfile copying only ``.`` is in the nearest
directory with a project marker (``pyproject.toml``, ``requirements.txt``, ``.git``, ...). Without any
evidence the scan root is used, which is how every launch was scoped before: nothing gets narrower by guess.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from flask_preflight.static.deploy.model import Command, DeployFile
from flask_preflight.static.source import read_text

if TYPE_CHECKING:
    from flask_preflight.static.deploy.common import Ctx

# Files that say "a project starts here": a checkout, a package, a service with its own dependencies.
PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "poetry.lock")
_COPY_RE = re.compile(r"^\s*(COPY|ADD)\s+(.*)$", re.IGNORECASE)
_MAX_DOCKERFILE = 1 << 20


def inside(path: str, scope: str) -> bool:
    """Whether ``path`` is ``scope`` or below it (both absolute)."""
    path, scope = os.path.normpath(path), os.path.normpath(scope)
    return path == scope or path.startswith(scope.rstrip(os.sep) + os.sep)


def _parents(start: str, root: str) -> List[str]:
    """``start`` and each parent up to ``root`` (only ``root`` when ``start`` is outside it)."""
    start, root = os.path.normpath(start), os.path.normpath(root)
    if not inside(start, root):
        return [root]
    found = [start]
    while found[-1] != root:
        found.append(os.path.dirname(found[-1]))
    return found


def project_dir(directory: str, root: str) -> str:
    """The nearest directory (``directory`` itself or a parent, not above the scan ``root``) that holds a
    project marker; ``root`` when none does."""
    for here in _parents(directory, root):
        if any(os.path.exists(os.path.join(here, marker)) for marker in PROJECT_MARKERS):
            return here
    return os.path.normpath(root)


def copy_sources(text: str) -> List[str]:
    """The literal local sources of a Dockerfile's ``COPY``/``ADD`` instructions: not ``--from`` a stage or
    image, not URLs, not patterns or variables, not ``.`` (which exists in any context)."""
    joined = re.sub(r"\\\r?\n", " ", text)
    found: List[str] = []
    for line in joined.splitlines():
        m = _COPY_RE.match(line)
        if m is None or "<<" in m.group(2):
            continue
        rest = m.group(2).strip()
        words: List[str]
        options: List[str] = []
        while rest.startswith("--"):
            option, _, rest = rest.partition(" ")
            options.append(option)
            rest = rest.strip()
        if any(o.startswith("--from") for o in options):
            continue
        if rest.startswith("["):
            try:
                words = [str(w) for w in json.loads(rest)]
            except ValueError:
                continue
        else:
            words = rest.split()
        for source in words[:-1]:  # the last word is the destination
            source = source.strip("'\"")
            if not source or "://" in source or any(c in source for c in "$*?["):
                continue
            source = os.path.normpath(source.lstrip("/"))  # an absolute source is still read from the context
            if source != "." and not source.startswith(".."):  # `.` is in every context; `..` is in none
                found.append(source)
    return found


def dockerfile_context(path: str, root: str) -> str:
    """The build context a Dockerfile is evidently written for (see the module docstring)."""
    here = os.path.dirname(os.path.abspath(path))
    text = read_text(path, limit=_MAX_DOCKERFILE)
    sources = copy_sources(text) if text is not None else []
    if sources:
        for candidate in _parents(here, root):
            if all(os.path.exists(os.path.join(candidate, s)) for s in sources):
                return candidate
    return project_dir(here, root)


def compose_context(compose_path: str, context: str) -> Optional[str]:
    """The directory a compose ``build.context`` names, relative to the compose file; None for a URL."""
    if "://" in context or context.startswith("git@") or "$" in context:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(compose_path)), context or "."))


class Scopes:
    """The directory each launch can see, worked out once per deployment file.

    ``built`` maps a Dockerfile (normalised absolute path) to the context a compose service or heroku.yml
    builds it with: that is what ``docker compose build`` sends, whatever the Dockerfile's own copies suggest.
    """

    def __init__(self, root: str, built: Dict[str, str]) -> None:
        self.root = os.path.normpath(os.path.abspath(root))
        self.built = built
        self._memo: Dict[Tuple[str, str], str] = {}

    def of(self, ctx: "Ctx") -> str:
        """The directory a launch can see: the one it inherited (a script run by a Dockerfile sees that
        Dockerfile's context), or its file's."""
        return ctx.scope or self.of_file(ctx.file, ctx.command)

    def of_file(self, f: DeployFile, cmd: Optional[Command] = None) -> str:
        context = cmd.build[0] if cmd is not None and cmd.build is not None else None
        key = (f.abs_path, context if context is not None else "\0")
        if key not in self._memo:
            found = compose_context(f.abs_path, context) if context is not None else None
            if found is None and f.kind == "dockerfile":
                found = self.built.get(os.path.normpath(f.abs_path)) or dockerfile_context(f.abs_path, self.root)
            self._memo[key] = found or project_dir(os.path.dirname(os.path.abspath(f.abs_path)), self.root)
        return self._memo[key]
