"""Kubernetes manifests: the containers of workload objects, their ``command``/``args`` and ``env``.

A manifest is any ``*.yaml``/``*.yml`` file (other than compose, app.yaml and render.yaml) with a document
whose top-level ``apiVersion`` and ``kind`` name a workload: Pod (``spec``), Deployment, StatefulSet,
DaemonSet, ReplicaSet and Job (``spec.template.spec``), CronJob (``spec.jobTemplate.spec.template.spec``),
or a ConfigMap.
``looks_like_manifest`` decides that from the text before anything is parsed, so CI workflows, mkdocs.yml
or OpenAPI specs are never read as YAML here, and Helm/Jinja templates (``{{ ... }}``, ``{% ... %}``),
which are not YAML until rendered, are skipped entirely. ``kind: List`` wrappers are not looked into.

A container's ``command`` replaces the image's ENTRYPOINT and ``args`` its CMD, without a shell; with
neither, the image's own command runs, which the manifest does not show (a Command without argv that
carries the container's environment, like a compose service without ``command``). ``args`` alone are
taken as the command line, which is what runs for images without an ENTRYPOINT (the Python images).
``env[].value`` is a literal (``$(NAME)`` references to other variables become ``${NAME}``);
``valueFrom`` (Secrets, ConfigMaps, fields) is not written in the file. Jobs and CronJobs run to
completion and do not serve requests. ``initContainers`` are not read. A ConfigMap's ``data`` values
are read only to find committed secrets (``SECRET_KEY: changeme`` in a ConfigMap is in the repository).
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from flask_preflight.static.deploy.model import Command, DeployFile, EnvVar, Origin
from flask_preflight.static.deploy.text import split_lines, suppressions
from flask_preflight.static.deploy.yamlnodes import compose_all, fields, line, scalar, span

KIND = "kubernetes"
WORKLOADS = {  # kind -> path from the object to its pod spec
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})
DEV_DIRS = frozenset({"dev", "development", "local", "minikube", "kind", "test", "testing"})
DEV_REASON = "it is in a development overlay or directory ({})"

_KIND_RE = re.compile(r"^kind:[ \t]*['\"]?(?:" + "|".join([*WORKLOADS, "ConfigMap"]) + r")['\"]?[ \t]*(?:#.*)?$",
                      re.MULTILINE)
_API_RE = re.compile(r"^apiVersion:", re.MULTILINE)
_REFERENCE_RE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")

_Warnings = List[Tuple[int, str]]


TEMPLATE_MARKERS = ("{{", "{%", "{#", "<%", "[[ .")  # Helm/Go, Jinja, ERB, Nomad-style templates


def looks_like_manifest(text: str) -> bool:
    """A top-level ``apiVersion`` and workload (or ConfigMap) ``kind`` line, and no template syntax outside comments.
    Cheap: no YAML parsing."""
    return bool(_API_RE.search(text)) and bool(_KIND_RE.search(text)) and not templated(text)


def templated(text: str) -> bool:
    """Template syntax on a line that is not a comment: not YAML until rendered (``helm template``,
    envsubst...), so not read. A ``# image tag is {{TAG}}`` comment does not count."""
    if not any(marker in text for marker in TEMPLATE_MARKERS):
        return False
    return any(marker in row for row in text.splitlines() if not row.lstrip().startswith("#")
               for marker in TEMPLATE_MARKERS)


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """Env and one Command per container with a command line, over every workload document."""
    lines = split_lines(text)
    result = DeployFile(path, abs_path, KIND, dev_reason=dev_reason_for(path, abs_path),
                        suppressions=suppressions(lines, ("#",)))
    if not looks_like_manifest(text):
        return result  # another tool's YAML, or a template that is not YAML until rendered
    for document in compose_all(text, lines):
        top = fields(document)
        kind = scalar(top.get("kind", (None, None))[1])
        if "apiVersion" in top and kind == "ConfigMap":
            _config_map(top.get("data"), path, lines, result)
            continue
        if "apiVersion" not in top or kind not in WORKLOADS:
            continue
        name = scalar(fields(top.get("metadata", (None, None))[1]).get("name", (None, None))[1]) or "?"
        pod = document
        for key in WORKLOADS[kind]:
            pod = fields(pod).get(key, (None, None))[1]
        containers = fields(pod).get("containers")
        if containers is None:
            continue
        if not isinstance(containers[1], yaml.SequenceNode):
            result.warnings.append((line(containers[0].start_mark, lines), f"`containers` of {kind} `{name}` is not "
                                                                          f"a list"))
            continue
        for container in containers[1].value:
            _container(container, f"{kind} `{name}`", kind not in RUN_TO_COMPLETION, path, lines, result)
    return result


def _config_map(entry: Optional[Tuple[yaml.Node, yaml.Node]], path: str, lines: Sequence[str],
                result: DeployFile) -> None:
    """A ConfigMap's ``data`` is plain text in the committed file (a ConfigMap is not a Secret): its values
    are kept for the committed-secret check only, since whether a container's environment gets them
    (``envFrom``, ``configMapKeyRef``) or a mounted file does is decided elsewhere."""
    for name, (key_node, value) in fields(entry[1] if entry else None).items():
        if isinstance(value, yaml.ScalarNode) and scalar(value) is not None:
            result.build_args.append(EnvVar(name, scalar(value), span(path, lines, key_node, value)))


def dev_reason_for(path: str, abs_path: str = "") -> str:
    """``k8s/overlays/dev/deployment.yaml``, ``deploy/local/pod.yaml``: directories inside the project only
    (the part of the path below the nearest directory with a project marker), so checking
    ``~/dev/myproject`` does not make every manifest a development one."""
    rel = (_project_relative(abs_path) if abs_path else "") or path
    parts = [p.lower() for p in posixpath.dirname(rel.replace("\\", "/")).split("/")]
    hits = [p for p in parts if p in DEV_DIRS]
    return DEV_REASON.format(f"`{hits[-1]}/`") if hits else ""


# What marks a project's root (not kustomization.yaml or a Dockerfile: overlays and images live below it).
_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt")


def project_root(abs_path: str, memo: Optional[Dict[str, str]] = None) -> str:
    """The closest ancestor of ``abs_path`` holding a project marker; "" when none does. The result cache
    keys a manifest on it too (it is read from outside the file). ``memo`` (directory -> answer) spares the
    stats for files in the same directories; it must not outlive one run."""
    here = os.path.dirname(os.path.abspath(abs_path))
    visited: List[str] = []
    found = ""
    while True:
        if memo is not None and here in memo:
            found = memo[here]
            break
        visited.append(here)
        if any(os.path.exists(os.path.join(here, m)) for m in _PROJECT_MARKERS):
            found = here
            break
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    if memo is not None:
        memo.update((directory, found) for directory in visited)
    return found


def _project_relative(abs_path: str) -> str:
    """``abs_path`` below the closest ancestor that looks like a project root; "" when none does."""
    root = project_root(abs_path)
    return os.path.relpath(abs_path, root) if root else ""


def _container(node: yaml.Node, owner: str, web: bool, path: str, lines: Sequence[str], result: DeployFile) -> None:
    if not isinstance(node, yaml.MappingNode):
        result.warnings.append((line(node.start_mark, lines), f"a container of {owner} is not a mapping"))
        return
    spec = fields(node)
    name = scalar(spec.get("name", (None, None))[1]) or "?"
    where = f"{owner} container `{name}`"
    # The variables travel with this container's Command, never as the file's: in one file-level list a
    # later container's FLASK_DEBUG=0 would hide an earlier one's FLASK_DEBUG=1.
    env = _env(spec.get("env"), where, path, lines, result.warnings)
    argv: Tuple[str, ...] = ()
    origins: List[Tuple[int, Origin]] = []
    used = []
    for key in ("command", "args"):
        if key not in spec:
            continue
        words = _words(spec[key], key, where, lines, result.warnings)
        if words is not None:
            origins.append((len(argv), span(path, lines, spec[key][0], spec[key][1])))
            argv += words
            used.append(key)
    if not argv:
        if env:  # the image's own command runs with these variables (as a compose service without one)
            first = node.value[0][0] if node.value else node
            result.commands.append(Command(argv=(), origins=((0, span(path, lines, first, first)),), source=where,
                                           web=web, env=tuple(env), dev_reason=result.dev_reason))
        return
    workdir = scalar(spec.get("workingDir", (None, None))[1])
    result.commands.append(Command(argv=argv, origins=tuple(origins), source=f"{where} {' + '.join(used)}",
                                   web=web, env=tuple(env), workdir=workdir, dev_reason=result.dev_reason))


def _words(entry: Tuple[yaml.Node, yaml.Node], key: str, where: str, lines: Sequence[str],
           warnings: _Warnings) -> Optional[Tuple[str, ...]]:
    """A list of strings; Kubernetes rejects anything else (a plain string is a common mistake)."""
    key_node, node = entry
    if isinstance(node, yaml.SequenceNode) and all(isinstance(item, yaml.ScalarNode) for item in node.value):
        return tuple(str(item.value) for item in node.value)
    if isinstance(node, yaml.ScalarNode) and scalar(node) is None:
        return None  # ``command:`` with nothing: not set
    warnings.append((line(key_node.start_mark, lines), f"`{key}` of {where} is not a list of strings; "
                                                       f"Kubernetes rejects it"))
    return None


def _env(entry: Optional[Tuple[yaml.Node, yaml.Node]], where: str, path: str, lines: Sequence[str],
         warnings: _Warnings) -> List[EnvVar]:
    if entry is None:
        return []
    key_node, node = entry
    if not isinstance(node, yaml.SequenceNode):
        if not (isinstance(node, yaml.ScalarNode) and scalar(node) is None):
            warnings.append((line(key_node.start_mark, lines), f"`env` of {where} is not a list"))
        return []
    found = []
    for item in node.value:
        var = fields(item)
        name = scalar(var.get("name", (None, None))[1])
        if not name:
            warnings.append((line(item.start_mark, lines), f"an `env` entry of {where} has no `name`"))
            continue
        first = var["name"][0]
        if "value" in var and "valueFrom" not in var:
            value_node = var["value"][1]
            if not isinstance(value_node, yaml.ScalarNode):
                warnings.append((line(first.start_mark, lines), f"`{name}` of {where} is not a string value"))
                continue
            value = _REFERENCE_RE.sub(r"${\1}", scalar(value_node) or "")
            found.append(EnvVar(name, value, span(path, lines, first, value_node)))
        else:  # valueFrom: a Secret, ConfigMap or field, not written here (or no value: the empty string)
            found.append(EnvVar(name, None if "valueFrom" in var else "", span(path, lines, first, first)))
    return found
