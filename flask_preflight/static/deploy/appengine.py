"""Google App Engine ``app.yaml``: the ``entrypoint`` command and the ``env_variables`` it runs with.

The YAML is composed into nodes (not loaded into Python values) so every value keeps its line and its
text exactly as written: ``FLASK_DEBUG: 1`` is the string ``"1"``, which is what App Engine puts into the
environment. Other tools also use the name ``app.yaml`` (Kubernetes manifests, Helm and Jinja templates
that are not YAML until rendered), so a file counts only when its top level is a mapping with ``runtime``
or ``entrypoint``; a file without such a top-level key line is never reported as malformed.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

import yaml

from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions
from flask_preflight.static.deploy.yamlnodes import NULL_TAG, compose as _compose, items as _items, line as _line

KIND = "appengine"
SOURCE = "app.yaml entrypoint"
MARKER_KEYS = frozenset({"runtime", "entrypoint"})
_MARKER_LINE = re.compile(r"^\ufeff?(?:runtime|entrypoint)\s*:", re.MULTILINE)


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """Env vars from ``env_variables``, build args from ``build_env_variables``, and the entrypoint."""
    lines = split_lines(text)
    result = DeployFile(path, abs_path, KIND, suppressions=suppressions(lines, ("#",)))
    if not _MARKER_LINE.search(text):
        from flask_preflight.static.deploy import kubernetes

        if kubernetes.looks_like_manifest(text):  # a Kubernetes manifest that happens to be named app.yaml
            return kubernetes.parse(text, path, abs_path)
    if _MARKER_LINE.search(text):
        top = _compose(text, lines)  # it looks like App Engine: a YAML error is worth reporting
    else:
        try:  # another tool's app.yaml; still read one that writes its keys differently (``"runtime": ...``)
            top = _compose(text, lines)
        except DeployParseError:
            return result
    if not isinstance(top, yaml.MappingNode) or not MARKER_KEYS & {key for key, _, _ in _items(top)}:
        return result
    for key, _, value in _items(top):
        if key == "env_variables":
            result.env.extend(_variables(value, key, path, lines, result.warnings))
        elif key == "build_env_variables":
            result.build_args.extend(_variables(value, key, path, lines, result.warnings))
    for key, key_node, value in _items(top):
        if key != "entrypoint":
            continue
        if isinstance(value, yaml.ScalarNode) and value.tag != NULL_TAG and value.value.strip():
            result.commands.append(Command(
                argv=("/bin/sh", "-c", value.value),
                origins=((0, _span(path, lines, key_node, value)),),
                source=SOURCE,
                env=tuple(result.env),
            ))
        else:
            result.warnings.append((_line(key_node.start_mark, lines),
                                    "`entrypoint` is not a command string; App Engine requires one"))
    return result








def _variables(node: yaml.Node, section: str, path: str, lines: Sequence[str],
               warnings: List[Tuple[int, str]]) -> List[EnvVar]:
    """``NAME: value`` entries as written; non-scalar values are skipped (App Engine rejects them)."""
    if not isinstance(node, yaml.MappingNode):
        if not (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            warnings.append((_line(node.start_mark, lines), f"`{section}` is not a mapping of names to values"))
        return []
    found = []
    for name, key_node, value in _items(node):
        if not isinstance(value, yaml.ScalarNode):
            warnings.append((_line(key_node.start_mark, lines), f"`{section}.{name}` is not a string value"))
            continue
        text = "" if value.tag == NULL_TAG else value.value
        found.append(EnvVar(name, text, _span(path, lines, key_node, value)))
    return found


def _span(path: str, lines: Sequence[str], first: yaml.Node, last: yaml.Node) -> Origin:
    """From ``first``'s line to the last line ``last`` occupies (block scalars end at column 0 of the next)."""
    start = _line(first.start_mark, lines)
    end_mark = last.end_mark
    end = end_mark.line + (0 if end_mark.column == 0 and end_mark.line > first.start_mark.line else 1)
    return origin(path, lines, start, min(end, len(lines)))
