"""Render Blueprints (``render.yaml``): each service's ``startCommand``/``dockerCommand`` and ``envVars``.

Render runs the start command through a shell, so it is kept as shell text for the shared interpreter.
``envVars`` entries are ``key`` + ``value`` (a literal, written as-is: ``value: 1`` is ``"1"``), or a value
Render fills in itself (``generateValue``, ``fromDatabase``, ``fromService``, ``sync: false``), which is
not in the file; ``fromGroup`` pulls in an ``envVarGroups`` entry. A Docker service without a
``dockerCommand`` runs its Dockerfile's CMD with the service's variables, as a compose service that builds
an image does. Only ``web`` and private (``pserv``) services serve requests; workers and cron jobs do not.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar
from flask_preflight.static.deploy.text import origin
from flask_preflight.static.deploy.yamlnodes import fields, line, mapping_document, scalar, span

KIND = "render"
NOT_SERVING = frozenset({"worker", "cron", "background_worker"})
GENERATED = ("generateValue", "fromDatabase", "fromService", "sync")

_Warnings = List[Tuple[int, str]]


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """One Command per service with a start command (or a Dockerfile it builds); every variable as env."""
    result, top, lines = mapping_document(text, path, abs_path, KIND, "Render needs `services:`")
    if top is None:
        return result
    top_fields = fields(top)
    groups = _groups(top_fields.get("envVarGroups"), path, lines, result)
    services = top_fields.get("services")
    if services is None:
        return result
    if not isinstance(services[1], yaml.SequenceNode):
        result.warnings.append((line(services[0].start_mark, lines), "`services` is not a list"))
        return result
    for item in services[1].value:
        _service(item, groups, path, lines, result)
    return result


def _groups(entry: Optional[Tuple[yaml.Node, yaml.Node]], path: str, lines: Sequence[str],
            result: DeployFile) -> Dict[str, List[EnvVar]]:
    """``envVarGroups``: name -> its variables (also the file's own environment)."""
    found: Dict[str, List[EnvVar]] = {}
    if entry is None or not isinstance(entry[1], yaml.SequenceNode):
        return found
    for group in entry[1].value:
        group_fields = fields(group)
        name = scalar(group_fields.get("name", (None, None))[1]) or ""
        variables = _env_vars(group_fields.get("envVars"), {}, path, lines, result.warnings, f"group `{name}`")
        found[name] = variables
        result.env.extend(variables)
    return found


def _service(node: yaml.Node, groups: Dict[str, List[EnvVar]], path: str, lines: Sequence[str],
             result: DeployFile) -> None:
    if not isinstance(node, yaml.MappingNode):
        result.warnings.append((line(node.start_mark, lines), "a `services` entry is not a mapping"))
        return
    service = fields(node)
    name = scalar(service.get("name", (None, None))[1]) or "?"
    kind = (scalar(service.get("type", (None, None))[1]) or "web").strip()
    runtime = scalar((service.get("runtime") or service.get("env") or (None, None))[1]) or ""
    env = _env_vars(service.get("envVars"), groups, path, lines, result.warnings, f"service `{name}`")
    # The service's variables travel with its Command (below), not as the file's: in one file-level list
    # a later service's FLASK_DEBUG=0 or generated SECRET_KEY would hide an earlier service's literal.
    web = kind not in NOT_SERVING
    for key in ("startCommand", "dockerCommand"):
        if key not in service:
            continue
        key_node, value = service[key]
        text = scalar(value)
        if text is None or not text.strip():
            result.warnings.append((line(key_node.start_mark, lines), f"`{key}` of service `{name}` is not a "
                                                                       f"command string"))
            continue
        result.commands.append(Command(argv=("/bin/sh", "-c", text), origins=((0, span(path, lines, key_node, value)),),
                                       source=f"render.yaml service `{name}` {key}", web=web, env=tuple(env)))
        return
    if runtime.strip() == "docker":
        # dockerfilePath is relative to the repository root (where render.yaml is), not to dockerContext
        dockerfile = scalar(service.get("dockerfilePath", (None, None))[1]) or "Dockerfile"
        root = scalar(service.get("rootDir", (None, None))[1])
        first = node.value[0][0] if node.value else node
        where = origin(path, lines, line(first.start_mark, lines))
        # with rootDir the paths are relative to a directory this does not resolve
        build = (".", dockerfile, "") if root is None else None
        result.commands.append(Command(argv=(), origins=((0, where),), source=f"render.yaml service `{name}`",
                                       web=web, env=tuple(env), build=build))
    elif env and node.value:  # Render's default start command (or a worker's) runs with these variables
        first = node.value[0][0]
        result.commands.append(Command(argv=(), origins=((0, origin(path, lines, line(first.start_mark, lines))),),
                                       source=f"render.yaml service `{name}`", web=web, env=tuple(env)))


def _env_vars(entry: Optional[Tuple[yaml.Node, yaml.Node]], groups: Dict[str, List[EnvVar]], path: str,
              lines: Sequence[str], warnings: _Warnings, owner: str) -> List[EnvVar]:
    """``envVars`` in order; a ``fromGroup`` entry stands for the group's variables at that point."""
    if entry is None:
        return []
    key_node, node = entry
    if not isinstance(node, yaml.SequenceNode):
        if scalar(node) is not None or isinstance(node, yaml.MappingNode):
            warnings.append((line(key_node.start_mark, lines), f"`envVars` of {owner} is not a list"))
        return []
    found: List[EnvVar] = []
    for item in node.value:
        item_fields = fields(item)
        if "fromGroup" in item_fields:
            found.extend(groups.get(scalar(item_fields["fromGroup"][1]) or "", []))
            continue
        name = scalar(item_fields.get("key", (None, None))[1])
        if not name:
            warnings.append((line(item.start_mark, lines), f"an `envVars` entry of {owner} has no `key`"))
            continue
        first = item_fields["key"][0]
        if "value" in item_fields and not any(k in item_fields for k in GENERATED):
            value_node = item_fields["value"][1]
            value = scalar(value_node)
            if value is None and not isinstance(value_node, yaml.ScalarNode):
                warnings.append((line(first.start_mark, lines), f"`{name}` of {owner} is not a plain value"))
                continue
            found.append(EnvVar(name, value or "", span(path, lines, first, value_node)))
        else:  # Render generates it, or it is set in the dashboard: not written here
            found.append(EnvVar(name, None, span(path, lines, first, first)))
    return found
