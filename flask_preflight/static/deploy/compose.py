"""Docker Compose extractor: each service's command line and environment, proxies and published ports.

The file is read with PyYAML's ``compose`` (node tree, never constructed objects) so every value keeps its
line and its scalar text exactly as written: ``FLASK_DEBUG: 1`` stays ``"1"`` and ``- 22:22`` is not
read as a YAML 1.1 sexagesimal number. Merge keys (``<<: *defaults``) are applied, keeping each value's
own line. A string ``command``/``entrypoint`` is split into words the way Compose does (``shlex``), no
shell involved; nothing is executed.

Every service yields one Command, also one without ``command``/``entrypoint`` (it runs the image's own
command): that one has ``argv=()`` and its origin is the service's key line, so checks on ``env``,
``env_files`` and ``dev_reason`` still see the service.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flask_preflight.static.deploy.model import Command, DeployFile, DeployParseError, EnvVar, Origin
from flask_preflight.static.deploy.text import origin, split_lines, suppressions

MAX_ALIASES = 1000
MAX_ENTRIES = 20_000  # origins extracted from one file (aliases can repeat a block many times)
DEV_WORDS = frozenset({"dev", "devel", "develop", "development", "local", "test", "tests", "testing", "debug",
                       "override"})
DEV_REASON = "the file name marks it as a local-development compose file"
MOUNT_REASON = "bind-mounts the source tree"  # in a service's dev_reason: the mount heuristic, not the file name
PROXY_IMAGES = frozenset({"nginx", "nginx-unprivileged", "openresty", "traefik", "caddy", "haproxy", "envoy",
                          "httpd", "apache", "nginx-proxy", "nginx-proxy-manager", "swag", "cloudflared"})
PROXY_REPOSITORIES = frozenset({"jwilder/nginx-proxy", "nginxproxy/nginx-proxy", "linuxserver/swag",
                                "envoyproxy/envoy", "cloudflare/cloudflared", "jc21/nginx-proxy-manager"})
PROXY_BUILD_WORDS = ("nginx", "traefik", "caddy", "proxy")
SOURCE_TREE = frozenset({".", "./", "$PWD", "${PWD}", "$PWD/", "${PWD}/"})
# Where images conventionally keep the application's code: a relative directory mounted there is the source.
APP_DIRS = frozenset({"/app", "/code", "/src", "/usr/src/app", "/opt/app", "/srv/app", "/var/www", "/home/app",
                      "/project"})
APP_DIR_NAMES = frozenset({"app", "src", "code", "web", "project"})
# A mount from or onto these holds data, logs or configuration, not the code.
DATA_SOURCES = frozenset({"data", "db", "database", "dbdata", "pgdata", "postgres", "mysql", "logs", "log", "media",
                          "uploads", "upload", "static", "staticfiles", "certs", "cert", "ssl", "letsencrypt",
                          "nginx", "config", "conf", "secrets", "backup", "backups", "instance", "storage",
                          "volumes", "cache", "tmp"})
DATA_TARGETS = ("/data", "/var/lib", "/var/log", "/var/cache", "/var/run", "/etc", "/run", "/tmp", "/mnt",
                "/docker-entrypoint-initdb.d")
_FILE_NAME = re.compile(r"[^.]\.[a-z0-9]{1,8}$|^\.[a-z0-9]")  # ``nginx.conf``, ``app.sqlite``, ``.env``
ALL_INTERFACES = frozenset({"", "0.0.0.0", "::"})
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses alias-heavy documents (billion laughs) before anything walks them."""

    def compose_node(self, parent: Optional[Node], index: object) -> Optional[Node]:
        if self.check_event(yaml.AliasEvent):
            self.alias_count = getattr(self, "alias_count", 0) + 1
            if self.alias_count > MAX_ALIASES:
                raise DeployParseError("The file uses too many YAML aliases to be read safely.",
                                       self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


class _Reader:
    """Turns nodes into origins and plain values for one file."""

    def __init__(self, path: str, lines: Sequence[str]) -> None:
        self.path, self.lines = path, lines
        self._merged: Dict[int, Dict[str, Tuple[Node, Node]]] = {}
        self.budget = MAX_ENTRIES

    def span(self, first: Node, last: Optional[Node] = None) -> Origin:
        """Lines from ``first`` to the end of ``last`` (default: ``first`` itself). Every extracted entry
        passes here, so this is where a file whose aliases multiply a big block is stopped."""
        self.budget -= 1
        if self.budget < 0:
            raise DeployParseError("The file repeats too many entries through YAML aliases to be read safely.",
                                   first.start_mark.line + 1)
        return origin(self.path, self.lines, first.start_mark.line + 1, _end_line(last or first))

    def mapping(self, node: MappingNode) -> Dict[str, Tuple[Node, Node]]:
        """Key text -> (key node, value node), with ``<<`` merges applied (explicit keys win); memoised so
        shared anchors are merged once."""
        if id(node) not in self._merged:
            merged: Dict[str, Tuple[Node, Node]] = {}
            self._merged[id(node)] = merged  # first, so a mapping that merges itself ends the recursion
            for key, value in node.value:
                if key.tag == _MERGE:
                    for source in value.value if isinstance(value, SequenceNode) else [value]:
                        if isinstance(source, MappingNode):
                            for name, pair in self.mapping(source).items():
                                merged.setdefault(name, pair)
            for key, value in node.value:
                if key.tag != _MERGE and isinstance(key, ScalarNode):
                    merged[key.value] = (key, value)
        return self._merged[id(node)]

    def strings(self, node: Node, what: str) -> List[Tuple[str, Node]]:
        """A string or a list of scalars, each with its node."""
        items = node.value if isinstance(node, SequenceNode) else [node]
        for item in items:
            if not isinstance(item, ScalarNode):
                raise DeployParseError(f"{what} must be a string or a list of strings.", item.start_mark.line + 1)
        return [(item.value, item) for item in items]


def _end_line(node: Node) -> int:
    """1-based last line of a node. A block collection's end mark is where the next token starts, so
    follow its last child instead; an end mark at column 0 belongs to the line before."""
    for _depth in range(100):  # bounded: anchors can make a node its own descendant
        if not isinstance(node, (MappingNode, SequenceNode)) or node.flow_style or not node.value:
            break
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    end = node.end_mark
    return end.line + 1 if end.column else max(end.line, node.start_mark.line + 1)


def _is_null(node: Optional[Node]) -> bool:
    return node is None or isinstance(node, ScalarNode) and node.tag == _NULL


def _scalar(node: Optional[Node]) -> Optional[str]:
    """The scalar's text as written, None for null: ``1`` -> "1", ``true`` -> "true"."""
    return node.value if isinstance(node, ScalarNode) and not _is_null(node) else None


def _words(reader: _Reader, key: Node, value: Node, what: str) -> Tuple[Tuple[str, ...], Origin]:
    if isinstance(value, ScalarNode):
        try:
            return tuple(shlex.split(value.value)), reader.span(key, value)
        except ValueError as error:
            raise DeployParseError(f"{what} cannot be split into words: {error}.", value.start_mark.line + 1) from None
    return tuple(text for text, _node in reader.strings(value, what)), reader.span(key, value)


def _environment(reader: _Reader, node: Node, name: str) -> List[EnvVar]:
    if isinstance(node, MappingNode):
        pairs = reader.mapping(node).items()
        return [EnvVar(var, _scalar(value), reader.span(key, value)) for var, (key, value) in pairs]
    if _is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        raise DeployParseError(f"The `environment` of service `{name}` must be a mapping or a list.",
                               node.start_mark.line + 1)
    result = []
    for text, item in reader.strings(node, f"The `environment` of service `{name}`"):
        var, has_value, value = text.partition("=")
        if var:
            result.append(EnvVar(var, value if has_value else None, reader.span(item)))
    return result


def _env_files(reader: _Reader, key: Node, node: Node) -> List[Tuple[str, Origin]]:
    if isinstance(node, ScalarNode):
        return [] if _is_null(node) else [(node.value, reader.span(key, node))]
    result = []
    for item in node.value if isinstance(node, SequenceNode) else []:
        target = reader.mapping(item).get("path", (item, item))[1] if isinstance(item, MappingNode) else item
        if isinstance(target, ScalarNode):
            result.append((target.value, reader.span(item)))
    return result


def _bind_mount(reader: _Reader, node: Node, workdir: Optional[str]) -> str:
    """The first volume entry that bind-mounts the project's source tree, as written: the project directory
    itself (``.:/app``), or a relative directory mounted read-write where the code runs (``./app:/app``,
    ``./services/web/:/usr/src/app/``, the service's ``working_dir``)."""
    for item in node.value if isinstance(node, SequenceNode) else []:
        if isinstance(item, ScalarNode) and not _is_null(item):
            parts = item.value.split(":")
            if len(parts) < 2:
                continue  # ``/app/node_modules``: an anonymous volume
            source, target, mode = parts[0], parts[1], ":".join(parts[2:])
            read_only = bool({"ro", "readonly"} & set(mode.lower().split(",")))
            if source in SOURCE_TREE or (_is_relative_path(source) and not read_only
                                         and _is_source_tree(source, target, workdir)):
                return item.value
        if isinstance(item, MappingNode):
            fields = {k: _scalar(v) for k, (_key, v) in reader.mapping(item).items()}
            source, target = fields.get("source") or "", fields.get("target") or ""
            if fields.get("type") != "bind" or not source:
                continue
            read_only = (fields.get("read_only") or "").lower() in ("true", "yes", "on", "1")
            relative = _is_relative_path(source) or not source.startswith(("/", "~", "$", "\\")) and ":" not in source
            if source in SOURCE_TREE or (relative and not read_only and _is_source_tree(source, target, workdir)):
                return f"{source}:{target}"
    return ""


def _relative_mounts(reader: _Reader, node: Node) -> Tuple[Tuple[str, str], ...]:
    """Relative directories mounted read-write, short syntax (``./app:/var/app``): (as written, target)."""
    found = []
    for item in node.value if isinstance(node, SequenceNode) else []:
        if isinstance(item, ScalarNode) and not _is_null(item):
            parts = item.value.split(":")
            if len(parts) >= 2 and _is_relative_path(parts[0]) and not {"ro", "readonly"} & set(
                    ":".join(parts[2:]).lower().split(",")) and _is_source_tree(parts[0], parts[1], parts[1]):
                found.append((item.value, posixpath.normpath(parts[1])))
    return tuple(found)


def _is_relative_path(source: str) -> bool:
    """``./app``, ``../src``, ``$PWD/app``: a path relative to the project. In the short syntax a bare name
    (``app:/app``) is a named volume, not a directory."""
    return source.startswith(("./", "../", "$PWD/", "${PWD}/")) or source in ("..", "../")


def _is_source_tree(source: str, target: str, workdir: Optional[str]) -> bool:
    """A relative ``source`` mounted on ``target`` is the application's code, not its data or configuration."""
    for prefix in ("$PWD/", "${PWD}/"):
        if source.startswith(prefix):
            source = "./" + source[len(prefix):]
    parts = [part for part in posixpath.normpath(source.replace("\\", "/")).lower().split("/") if part != "."]
    if not target.startswith("/") or not parts:
        return False
    if DATA_SOURCES.intersection(parts) or _FILE_NAME.search(parts[-1]):
        return False
    target = posixpath.normpath(target).lower()
    if any(target == prefix or target.startswith(prefix + "/") for prefix in DATA_TARGETS):
        return False
    if workdir and target == posixpath.normpath(workdir).lower():
        return True
    last = posixpath.basename(target)
    return target in APP_DIRS or last in APP_DIR_NAMES or last == parts[-1]


def _is_proxy_image(image: str) -> bool:
    """Compare the repository without registry, tag or digest: ``docker.io/library/nginx:1.25`` is nginx."""
    parts = image.split("@", 1)[0].lower().split("/")
    parts[-1] = parts[-1].split(":", 1)[0]
    if len(parts) > 1 and re.search(r"[.:]|^localhost$", parts[0]):
        parts = parts[1:]
    return parts[-1] in PROXY_IMAGES or "/".join(parts[-2:]) in PROXY_REPOSITORIES


def _proxy(reader: _Reader, fields: Dict[str, Tuple[Node, Node]]) -> Optional[Origin]:
    key, image = fields.get("image", (None, None))
    if key is not None and _scalar(image) and _is_proxy_image(image.value):
        return reader.span(key, image)
    key, build = fields.get("build", (None, None))
    if isinstance(build, MappingNode):
        key, build = reader.mapping(build).get("context", (None, None))
    context = _scalar(build) if build is not None else None
    directory = posixpath.basename(posixpath.normpath(context.replace("\\", "/"))).lower() if context else ""
    if any(word in directory for word in PROXY_BUILD_WORDS):
        return reader.span(key, build)
    return None


def _is_public(reader: _Reader, item: Node) -> bool:
    """Published on every interface: no host IP, or 0.0.0.0 / :: (``127.0.0.1:5000:5000`` is local only)."""
    if isinstance(item, MappingNode):
        host_ip = reader.mapping(item).get("host_ip", (item, None))[1]
        return (_scalar(host_ip) or "") in ALL_INTERFACES
    if _scalar(item) is None:
        return False
    spec = item.value.split("/", 1)[0]
    if spec.startswith("["):
        host_ip = spec[1:spec.find("]")]
    else:
        parts = spec.rsplit(":", 2)
        host_ip = parts[0] if len(parts) == 3 else ""
    return host_ip in ALL_INTERFACES


def _command(reader: _Reader, name: str, key: Node, fields: Dict[str, Tuple[Node, Node]]) -> Command:
    """entrypoint + command as one argv, each part's origin at its first index (like ENTRYPOINT + CMD)."""
    parts = [part for part in ("entrypoint", "command") if part in fields and not _is_null(fields[part][1])]
    argv: Tuple[str, ...] = ()
    origins: List[Tuple[int, Origin]] = []
    for part in parts:
        words, where = _words(reader, *fields[part], f"The `{part}` of service `{name}`")
        origins.append((len(argv), where))
        argv += words
    source = f"compose service `{name}` {' + '.join(parts)}" if parts else f"compose service `{name}`"
    return Command(argv, tuple(origins) or ((0, reader.span(key)),), source)


def _build(reader: _Reader, fields: Dict[str, Tuple[Node, Node]]) -> Optional[Tuple[str, str, str]]:
    """``build: ./dir`` or ``build: {context: ., dockerfile: docker/Dockerfile.prod}``: where the image's own
    CMD is, for a service that does not override it."""
    build = fields.get("build", (None, None))[1]
    if build is None:
        return None
    if isinstance(build, MappingNode):
        parts = reader.mapping(build)
        context = _scalar(parts.get("context", (None, None))[1]) or "."
        dockerfile = _scalar(parts.get("dockerfile", (None, None))[1]) or "Dockerfile"
        target = _scalar(parts.get("target", (None, None))[1]) or ""
        return context, dockerfile, target
    context = _scalar(build)
    return (context, "Dockerfile", "") if context else None


def _dev_profile(reader: _Reader, fields: Dict[str, Tuple[Node, Node]]) -> str:
    """A profile named like development (``profiles: [dev]``): the service only starts when asked for."""
    profiles = fields.get("profiles", (None, None))[1]
    for item in profiles.value if isinstance(profiles, SequenceNode) else []:
        value = (_scalar(item) or "").lower()
        if value in DEV_WORDS or value in ("debug", "develop", "devel"):
            return value
    return ""


def _service(reader: _Reader, name: str, key: Node, node: Node, result: DeployFile) -> None:
    if not isinstance(node, MappingNode):
        raise DeployParseError(f"Service `{name}` must be a mapping.", node.start_mark.line + 1)
    fields = reader.mapping(node)
    env = _environment(reader, fields["environment"][1], name) if "environment" in fields else []
    env_files = _env_files(reader, *fields["env_file"]) if "env_file" in fields else []
    workdir = _scalar(fields.get("working_dir", (key, None))[1])
    mount = _bind_mount(reader, fields["volumes"][1], workdir) if "volumes" in fields else ""
    dev_reason = (f"service `{name}` {MOUNT_REASON} (`{mount}`), a local-development setup"
                  if mount else result.dev_reason)
    profile = _dev_profile(reader, fields)
    if profile and not dev_reason:
        dev_reason = f"service `{name}` only runs with the `{profile}` profile, a local-development setup"
    command = _command(reader, name, key, fields)
    mounts = _relative_mounts(reader, fields["volumes"][1]) if "volumes" in fields else ()
    result.commands.append(replace(command, env=tuple(env), env_files=tuple(env_files), workdir=workdir,
                                   dev_reason=dev_reason, build=_build(reader, fields), mounts=mounts))
    proxy = _proxy(reader, fields)
    if proxy is not None:
        result.proxies.append(proxy)
    ports = fields.get("ports", (key, key))[1]
    public = [reader.span(item) for item in (ports.value if isinstance(ports, SequenceNode) else [])
              if _is_public(reader, item)]
    result.public_ports.extend(public)
    result.commands[-1] = replace(result.commands[-1], public_ports=tuple(public))


def _services(reader: _Reader, top: MappingNode) -> List[Tuple[str, Node, Node]]:
    """``services:`` entries; in a legacy v1 file, the top-level mappings that have ``image`` or ``build``."""
    fields = reader.mapping(top)
    if "services" in fields:
        node = fields["services"][1]
        if _is_null(node):
            return []
        if not isinstance(node, MappingNode):
            raise DeployParseError("`services` must be a mapping of service names.", node.start_mark.line + 1)
        return [(name, key, value) for name, (key, value) in reader.mapping(node).items()]
    return [(name, key, value) for name, (key, value) in fields.items()
            if isinstance(value, MappingNode) and {"image", "build"} & set(reader.mapping(value))]


def _document(text: str) -> Optional[Node]:
    try:
        top = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        raise DeployParseError("The file nests YAML collections too deeply to be read.") from None
    except yaml.YAMLError as error:
        raise _yaml_error(error, text) from None
    if top is not None and not isinstance(top, MappingNode):
        raise DeployParseError("The top level of a compose file must be a mapping (`services:` ...).",
                               top.start_mark.line + 1)
    return top


def _yaml_error(error: yaml.YAMLError, text: str) -> DeployParseError:
    """One sentence and a 1-based line from PyYAML's multi-line error."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else None
    if isinstance(error, yaml.reader.ReaderError):  # bad characters: it only knows the offset
        return DeployParseError(f"The file is not valid YAML: {error.reason}.", text.count("\n", 0, error.position) + 1)
    if getattr(error, "context", None) == "expected a single document in the stream":
        return DeployParseError("The file holds more than one YAML document; Compose reads a single one.", line)
    return DeployParseError(f"The file is not valid YAML: {getattr(error, 'problem', None) or 'malformed'}.", line)


def file_dev_reason(path: str) -> str:
    """docker-compose.override.yml, compose.dev.yaml, docker-compose-local.yml: for a developer's machine."""
    words = re.split(r"[.\-_]", posixpath.basename(path.replace("\\", "/")).lower())
    return DEV_REASON if DEV_WORDS.intersection(words) else ""


_SERVICES_LINE = re.compile(r"^services:[ \t]*(#.*)?$", re.MULTILINE)
# Top-level keys of CI pipelines that also declare side-car ``services:`` (Woodpecker, Bitbucket...): their
# environment configures a throw-away test container, not the deployed app.
_PIPELINE_KEYS = frozenset({"steps", "pipeline", "pipelines", "jobs", "stages", "workflow", "on"})


def looks_like_compose(text: str) -> bool:
    """A compose document under another name (``stack.yml`` for ``docker stack deploy``, a Portainer stack,
    ``deploy/prod.yaml``): a top-level ``services:`` mapping whose entries are services as the Compose
    specification defines them (each has an ``image``, a ``build`` or an ``extends``). Read by content,
    since ``docker compose -f`` and ``docker stack deploy -c`` take any file name."""
    if not _SERVICES_LINE.search(text):
        return False
    try:
        top = _document(text)
    except DeployParseError:
        return False
    if not isinstance(top, MappingNode):
        return False
    reader = _Reader("", ())
    fields = reader.mapping(top)
    services = fields.get("services", (None, None))[1]
    if _PIPELINE_KEYS & set(fields) or not isinstance(services, MappingNode) or not services.value:
        return False
    entries = [value for _key, value in reader.mapping(services).values()]
    return all(isinstance(v, MappingNode) and {"image", "build", "extends"} & set(reader.mapping(v)) for v in entries)


def parse(text: str, path: str, abs_path: str) -> DeployFile:
    """Commands (one per service), proxies and public ports of a compose file."""
    lines = split_lines(text)
    result = DeployFile(path, abs_path, "compose", suppressions=suppressions(lines), dev_reason=file_dev_reason(path))
    top = _document(text)
    if top is None:
        return result
    reader = _Reader(path, lines)
    for name, key, node in _services(reader, top):
        _service(reader, name, key, node, result)
    return result
