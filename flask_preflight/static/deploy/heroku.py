"""Heroku's container stack (``heroku.yml``): the images ``build.docker`` builds and the ``run`` commands.

``build.docker`` maps a process type to the Dockerfile its image is built from; ``run`` maps a process type to
the command its dynos run, as a string or as ``{command: [...], image: ...}``. Heroku documents that without a
``run`` entry the image's own CMD runs, and that a ``run`` entry replaces it (as a compose ``command``
does). As on a Procfile, only the ``web`` process receives HTTP requests, through Heroku's router. ``build.config`` holds build arguments and
``setup.config`` the config vars of a newly created app (both literal values written in the file).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar
from flask_preflight.static.deploy.yamlnodes import fields, line, mapping_document, scalar, span

KIND = "heroku"

_Field = Tuple[yaml.Node, yaml.Node]


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """One Command per process type: its ``run`` command, or (without one) the Dockerfile it builds."""
    result, top, lines = mapping_document(text, path, abs_path, KIND, "heroku.yml needs `build:` and `run:`")
    if top is None:
        return result
    top_fields = fields(top)
    build = fields(top_fields.get("build", (None, None))[1])
    result.build_args.extend(_config(build.get("config"), path, lines))
    result.env.extend(_config(fields(top_fields.get("setup", (None, None))[1]).get("config"), path, lines))
    images = _images(build.get("docker"), lines, result)
    runs = fields(top_fields.get("run", (None, None))[1])
    for name, (key_node, value) in runs.items():
        command = _command(value)
        if command is None:
            result.warnings.append((line(key_node.start_mark, lines), f"`run.{name}` is not a command"))
            continue
        image = images.get(name)
        result.commands.append(Command(argv=("/bin/sh", "-c", command),
                                       origins=((0, span(path, lines, key_node, value)),),
                                       source=f"heroku.yml `run.{name}`", web=name == "web",
                                       build=(".", image[1], "") if image else None))
    for name, (key_node, dockerfile) in images.items():
        if name in runs:
            continue  # the run command replaces the image's CMD
        result.commands.append(Command(argv=(), origins=((0, span(path, lines, key_node, key_node)),),
                                       source=f"heroku.yml `build.docker.{name}`", web=name == "web",
                                       build=(".", dockerfile, "")))
    return result


def _images(entry: Optional[_Field], lines: Sequence[str], result: DeployFile) -> Dict[str, Tuple[yaml.Node, str]]:
    """Process type -> (its key, the Dockerfile path relative to the repository root)."""
    found: Dict[str, Tuple[yaml.Node, str]] = {}
    for name, (key_node, value) in fields(entry[1] if entry else None).items():
        dockerfile = scalar(value)
        if dockerfile is None:  # {dockerfile: ..., target: ...} is also accepted
            dockerfile = scalar(fields(value).get("dockerfile", (None, None))[1])
        if not dockerfile:
            result.warnings.append((line(key_node.start_mark, lines), f"`build.docker.{name}` names no Dockerfile"))
            continue
        found[name] = (key_node, dockerfile.strip())
    return found


def _command(node: yaml.Node) -> Optional[str]:
    """The shell text of a ``run`` entry: a string, or the ``command`` list of the long form."""
    text = scalar(node)
    if text is None:
        value = fields(node).get("command", (None, None))[1]
        if isinstance(value, yaml.SequenceNode):
            parts = [scalar(item) for item in value.value]
            text = " ".join(p for p in parts if p) if all(p is not None for p in parts) else None
        else:
            text = scalar(value)
    return text if text and text.strip() else None


def _config(entry: Optional[_Field], path: str, lines: Sequence[str]) -> List[EnvVar]:
    """``config:`` name -> literal value pairs, with their lines."""
    return [EnvVar(name, scalar(value) or "", span(path, lines, key_node, value))
            for name, (key_node, value) in fields(entry[1] if entry else None).items()
            if isinstance(value, yaml.ScalarNode)]
