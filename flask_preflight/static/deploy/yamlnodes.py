"""YAML node trees with positions, shared by the formats that need one YAML document or several
(App Engine's ``app.yaml``, ``render.yaml``, ``heroku.yml``, Kubernetes manifests).

Documents are composed into nodes, not loaded into Python values, so every value keeps its line and its
text exactly as written (``FLASK_DEBUG: 1`` is the string ``"1"``, which is what reaches the environment)."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

import yaml

from flask_preflight.static.deploy.model import DeployFile, DeployParseError, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

T = TypeVar("T")

__all__ = ["NULL_TAG", "compose", "compose_all", "fields", "items", "line", "mapping_document", "scalar", "span"]


MAX_ALIASES = 1000
NULL_TAG = "tag:yaml.org,2002:null"


class _TooManyAliases(Exception):
    """Raised inside the loader, which does not know the file's lines; ``_composed`` reports it."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(mark)
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs: walking a graph of shared nodes can take exponential time."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Optional[yaml.Node], index: object) -> Optional[yaml.Node]:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooManyAliases(self.peek_event().start_mark)
        return super().compose_node(parent, index)


def items(node: yaml.MappingNode) -> List[Tuple[str, yaml.Node, yaml.Node]]:
    """``(key, key node, value node)`` for the scalar keys of a mapping."""
    return [(key.value, key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]


def line(mark: yaml.Mark, lines: Sequence[str]) -> int:
    """1-based line of a mark, within ``lines`` (YAML also breaks lines at NEL and U+2028, which
    ``split_lines`` does not)."""
    return max(1, min(mark.line + 1, len(lines)))


def compose(text: str, lines: Sequence[str]) -> Optional[yaml.Node]:
    """The single document's node tree; YAML errors are a DeployParseError at their line."""
    return _composed(lambda: yaml.compose(text, Loader=_Loader), text, lines)


def compose_all(text: str, lines: Sequence[str]) -> List[yaml.Node]:
    """Every document of a ``---``-separated stream (empty documents left out)."""
    return _composed(lambda: [node for node in yaml.compose_all(text, Loader=_Loader) if node is not None],
                     text, lines)


def _reason(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem, with its context when that says what was expected ("expected a single document")."""
    problem = exc.problem or exc.context or "malformed document"
    if exc.context and exc.problem and not exc.context.startswith("while"):
        return f"{exc.context}, {problem}"
    return problem


def _composed(run: Callable[[], T], text: str, lines: Sequence[str]) -> T:
    try:
        return run()
    except _TooManyAliases as exc:
        raise DeployParseError(f"the document uses more than {MAX_ALIASES} YAML aliases", line(exc.mark, lines)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DeployParseError(f"invalid YAML: {_reason(exc)}", line(mark, lines) if mark else None) from None
    except yaml.reader.ReaderError as exc:
        at = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        raise DeployParseError(f"invalid YAML: {str(exc).splitlines()[0]}", at) from None
    except yaml.YAMLError as exc:
        raise DeployParseError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise DeployParseError("the YAML document is nested too deeply to read") from None


def span(path: str, lines: Sequence[str], first: yaml.Node, last: yaml.Node) -> Origin:
    """From ``first``'s line to the last line ``last`` occupies. A block collection ends where its last
    item ends (its own end mark is the next key's position); a block scalar ends at column 0 of the next line."""
    while isinstance(last, (yaml.SequenceNode, yaml.MappingNode)) and not last.flow_style and last.value:
        item = last.value[-1]
        last = item[1] if isinstance(item, tuple) else item
    start = line(first.start_mark, lines)
    end_mark = last.end_mark
    end = end_mark.line + (0 if end_mark.column == 0 and end_mark.line > first.start_mark.line else 1)
    return origin(path, lines, start, max(start, min(end, len(lines))))


def fields(node: Optional[yaml.Node]) -> Dict[str, Tuple[yaml.Node, yaml.Node]]:
    """A mapping's scalar keys -> (key node, value node); the last duplicate wins. Empty for other nodes."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key: (key_node, value) for key, key_node, value in items(node)}


def scalar(node: Optional[yaml.Node]) -> Optional[str]:
    """A scalar's text as written (``1`` is ``"1"``); None for null, mappings and sequences."""
    if isinstance(node, yaml.ScalarNode) and node.tag != NULL_TAG:
        return str(node.value)
    return None


def mapping_document(text: str, path: str, abs_path: str, kind: str,
                     needs: str) -> Tuple[DeployFile, Optional[yaml.MappingNode], List[str]]:
    """The file's result (with its ``#`` suppressions), its top-level mapping and its lines, for formats whose
    document is one mapping. An empty document gives no mapping; any other top level gives a warning that
    says what the format ``needs`` (``"Render needs `services:`"``)."""
    lines = split_lines(text)
    result = DeployFile(path, abs_path, kind, suppressions=suppressions(lines, ("#",)))
    top = compose(text, lines)
    if top is None:
        return result, None, lines
    if not isinstance(top, yaml.MappingNode):
        result.warnings.append((line(top.start_mark, lines), f"the top level is not a mapping; {needs}"))
        return result, None, lines
    return result, top, lines
