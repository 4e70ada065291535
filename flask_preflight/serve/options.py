"""The settings ``serve`` runs with, and where each one came from.

Precedence, highest first: the command-line flag, the environment variable(s), then a default or a value
computed from the machine. Every setting keeps a ``source`` string so ``--print-config`` can say why a
value is what it is - the question operators ask when a container starts 129 workers.

Environment values are parsed here rather than by click so that an error names the variable
(``PREFLIGHT_WORKERS='abc': not a whole number``) instead of the flag the user never typed.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from flask_preflight.serve import resources

SERVERS = ("gunicorn", "waitress")
WORKER_CLASSES = ("sync", "gthread", "gevent")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
DEFAULT_BIND = "127.0.0.1:8000"
PROXY_PEERS = ("127.0.0.1", "::1")  # where a reverse proxy on the same host connects from
MIB = 1024 * 1024
MIN_WORKER_MEMORY = 128 * MIB  # a Flask worker with a few extensions; the loaded app's own size wins if larger
MEMORY_SHARE = 0.75            # leave a quarter for the master, the proxy and the page cache

DEFAULTS: Dict[str, Any] = {
    "threads": 4, "timeout": 30, "graceful_timeout": 30, "keepalive": 5,
    "max_requests": 1000, "max_requests_jitter": 100, "behind_proxy": 0, "log_level": "info",
    "access_log": "-", "error_log": "-",
    "worker_class": "gthread",
}

# setting -> (flag as the user types it, environment variables in order of precedence)
SOURCES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "server": ("--server", ("PREFLIGHT_SERVER",)),
    "bind": ("--bind", ("PREFLIGHT_BIND",)),
    "workers": ("--workers", ("PREFLIGHT_WORKERS", "WEB_CONCURRENCY")),
    "worker_class": ("--worker-class", ("PREFLIGHT_WORKER_CLASS",)),
    "threads": ("--threads", ("PREFLIGHT_THREADS",)),
    "timeout": ("--timeout", ("PREFLIGHT_TIMEOUT",)),
    "graceful_timeout": ("--graceful-timeout", ("PREFLIGHT_GRACEFUL_TIMEOUT",)),
    "keepalive": ("--keep-alive", ("PREFLIGHT_KEEPALIVE",)),
    "max_requests": ("--max-requests", ("PREFLIGHT_MAX_REQUESTS",)),
    "max_requests_jitter": ("--max-requests-jitter", ("PREFLIGHT_MAX_REQUESTS_JITTER",)),
    "behind_proxy": ("--behind-proxy", ("PREFLIGHT_BEHIND_PROXY",)),
    "forwarded_allow_ips": ("--forwarded-allow-ips", ("FORWARDED_ALLOW_IPS",)),
    "certfile": ("--certfile", ("PREFLIGHT_CERTFILE",)),
    "keyfile": ("--keyfile", ("PREFLIGHT_KEYFILE",)),
    "log_level": ("--log-level", ("PREFLIGHT_LOG_LEVEL",)),
    "access_log": ("--access-log", ("PREFLIGHT_ACCESS_LOG",)),
    "error_log": ("--error-log", ("PREFLIGHT_ERROR_LOG",)),
}
# Settings waitress has no equivalent for: given on the command line they are an error, from the
# environment (WEB_CONCURRENCY is set by platforms, not by the user) they are shown as unused.
GUNICORN_ONLY = ("workers", "worker_class", "timeout", "graceful_timeout", "keepalive", "max_requests",
                 "max_requests_jitter", "certfile", "keyfile")


class OptionError(ValueError):
    """A setting has a value serve cannot run with (a usage error, exit 2)."""


@dataclass
class ServeOptions:
    """The effective settings; ``sources[name]`` says where ``name``'s value came from."""

    server: str = "gunicorn"
    bind: Tuple[str, ...] = (DEFAULT_BIND,)
    workers: int = 1
    worker_class: str = "gthread"
    threads: int = 4
    timeout: int = 30
    graceful_timeout: int = 30
    keepalive: int = 5
    max_requests: int = 1000
    max_requests_jitter: int = 100
    behind_proxy: int = 0
    forwarded_allow_ips: Tuple[str, ...] = ()
    certfile: Optional[str] = None
    keyfile: Optional[str] = None
    log_level: str = "info"
    access_log: str = "-"  # "-" stdout, "off", or a file
    error_log: str = "-"   # "-" stderr, or a file
    sources: Dict[str, str] = field(default_factory=dict)
    unused: Tuple[str, ...] = ()

    def shown(self) -> List[Tuple[str, str, str]]:
        """(setting, value, source) rows for ``--print-config``, in a fixed order."""
        rows = []
        for name in ("server",) + tuple(SOURCES)[1:]:
            value = getattr(self, name)
            if name == "access_log" and value == "-":
                text = "- (stdout)"
            elif name == "error_log" and value == "-":
                text = "- (stderr)"
            elif isinstance(value, tuple):
                text = ",".join(value) if value else "(none)"
            else:
                text = "(none)" if value is None else str(value)
            source = self.sources.get(name, "default")
            if name in self.unused:
                source += f"; not used by {self.server}"
            rows.append((name.replace("_", "-"), text, source))
        return rows


def fixed_rows(opts: ServeOptions) -> List[Tuple[str, str, str]]:
    """What serve always does, shown by ``--print-config`` so the listing is the whole configuration."""
    if opts.server == "waitress":
        return [("access-log-format", "JSON", "fixed (a middleware: waitress has no access log)"),
                ("expose-tracebacks", "off", "fixed")]
    tmp = resources.worker_tmp_dir()
    return [("access-log-format", "JSON", "fixed (one object per line)"),
            ("preload-app", "off", "fixed (each worker imports the app)"),
            ("reload", "off", "fixed (development only)"),
            ("worker-tmp-dir", tmp or "(gunicorn's default)", "computed: /dev/shm is writable" if tmp
             else "computed: no writable /dev/shm"),
            ("control-socket", "off", "fixed (gunicorn >= 24)"),
            ("config-files", "not read", "fixed (gunicorn.conf.py, GUNICORN_CMD_ARGS)")]


def render_config(opts: ServeOptions, target: str) -> str:
    """The ``--print-config`` listing; a public bind without a proxy adds the start-up warning as its last
    line, so a configuration reviewed without starting the server shows it too."""
    from flask_preflight.serve.exposure import exposure_warning  # it reads ServeOptions from here

    rows = [("target", target, "")] + opts.shown() + fixed_rows(opts)
    width = max(len(r[0]) for r in rows) + 2
    vwidth = min(40, max(len(r[1]) for r in rows))  # a longer value overflows; its source still follows 2 spaces on
    lines = [f"{name:<{width}}{value:<{vwidth}}  {source}".rstrip() for name, value, source in rows]
    warning = exposure_warning(opts)
    if warning:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"


def resolve(flags: Mapping[str, Any], environ: Mapping[str, str], *, app_rss: Optional[int] = None,
            platform: str = sys.platform, cpus: Optional[int] = None,
            memory: Optional[int] = None) -> ServeOptions:
    """Combine ``flags`` (setting -> value, ``None`` when not given) with ``environ`` and the defaults.

    ``app_rss`` is the resident size of the loaded app measured by the pre-start check (bytes), used to cap
    the worker count by memory; ``cpus``/``memory`` override what :mod:`.resources` reads (for tests)."""
    opts = ServeOptions()
    picked: Dict[str, Tuple[Any, str]] = {}
    for name, (flag, env_names) in SOURCES.items():
        value = flags.get(name)
        if value is not None and value != ():
            picked[name] = (value, flag)
            continue
        for var in env_names:
            raw = environ.get(var)
            if raw is not None and raw.strip():
                picked[name] = (_from_env(name, var, raw), var)
                break

    _set(opts, "server", picked, "gunicorn" if platform != "win32" else "waitress",
         "default (POSIX)" if platform != "win32" else "default (gunicorn does not run on Windows)")
    if opts.server == "gunicorn" and platform == "win32":
        raise OptionError(f"{opts.sources['server']}: gunicorn does not run on Windows; use --server waitress")
    waitress = opts.server == "waitress"
    if waitress:
        given = [SOURCES[n][0] for n in GUNICORN_ONLY if n in picked and picked[n][1].startswith("--")]
        if given:
            raise OptionError(f"{', '.join(given)}: gunicorn settings, not supported with waitress (one "
                              "process with a thread pool, no TLS); use --threads for concurrency and terminate "
                              "TLS at the proxy")
        opts.unused = tuple(n for n in GUNICORN_ONLY)

    port = environ.get("PORT", "").strip()
    if "bind" not in picked and port:
        picked["bind"] = ((f"0.0.0.0:{port}",), "PORT (0.0.0.0:$PORT, as gunicorn and hosting platforms do)")
    _set(opts, "bind", picked, (DEFAULT_BIND,), "default")
    opts.bind = tuple(_check_bind(b, opts.sources["bind"]) for b in opts.bind)
    if waitress:
        _check_waitress_binds(opts.bind, opts.sources["bind"], platform)

    _set(opts, "worker_class", picked, DEFAULTS["worker_class"], "default")
    if opts.worker_class == "gevent" and not waitress and find_spec("gevent") is None:
        raise OptionError(f"{opts.sources['worker_class']}: the gevent worker class needs gevent "
                          "(pip install gevent)")
    threads_default = 1 if opts.worker_class in ("sync", "gevent") and not waitress else DEFAULTS["threads"]
    _set(opts, "threads", picked, threads_default, "default")
    if opts.threads > 1 and opts.worker_class in ("sync", "gevent") and not waitress:
        raise OptionError(f"{opts.sources['threads']}: {opts.worker_class} workers do not use threads; use "
                          "--worker-class gthread for a thread pool per worker")

    for name in ("timeout", "graceful_timeout", "keepalive", "max_requests", "max_requests_jitter",
                 "behind_proxy", "log_level", "access_log", "error_log"):
        _set(opts, name, picked, DEFAULTS[name], "default")
    for name in ("access_log", "error_log"):
        _check_log_target(getattr(opts, name), opts.sources[name], allow_off=name == "access_log")
    if opts.max_requests_jitter and not opts.max_requests:
        if "max_requests_jitter" in picked:
            raise OptionError(f"{opts.sources['max_requests_jitter']}: jitter without --max-requests does nothing")
        opts.max_requests_jitter = 0
        opts.sources["max_requests_jitter"] = "default (no recycling: max-requests is 0)"

    cpus = cpus if cpus is not None else resources.cpu_count()
    memory = memory if memory is not None else resources.available_memory()
    workers, why = default_workers(cpus, memory, app_rss)
    _set(opts, "workers", picked, workers, why)

    if opts.behind_proxy:
        _set(opts, "forwarded_allow_ips", picked, PROXY_PEERS,
             "default (a proxy on this host: loopback)")
        for peer in opts.forwarded_allow_ips:
            _check_network(peer, opts.sources["forwarded_allow_ips"])
    else:
        given = picked.get("forwarded_allow_ips")
        if given and given[1].startswith("--"):
            raise OptionError("--forwarded-allow-ips says which proxies to trust: it needs --behind-proxy N")
        # Without a proxy no peer is trusted, whatever FORWARDED_ALLOW_IPS (set for plain gunicorn) says.
        opts.forwarded_allow_ips = ()
        opts.sources["forwarded_allow_ips"] = (f"{given[1]} ignored: " if given else "default ") + \
            "(no --behind-proxy: forwarded headers are not trusted)"

    _set(opts, "certfile", picked, None, "default")
    _set(opts, "keyfile", picked, None, "default")
    if bool(opts.certfile) != bool(opts.keyfile):
        raise OptionError("--certfile and --keyfile go together: TLS needs both the certificate and its key")
    for name in ("certfile", "keyfile"):
        path = getattr(opts, name)
        if path and not os.access(path, os.R_OK):
            raise OptionError(f"{opts.sources[name]} {path}: cannot read this file")
        if path:  # the worker changes to --chdir before gunicorn opens it, per connection
            setattr(opts, name, os.path.abspath(path))
    if opts.certfile:  # and so keyfile: the two go together (checked above)
        _check_tls(opts.certfile, opts.keyfile)
    return opts


def _check_log_target(target: str, source: str, allow_off: bool) -> None:
    """``-`` or a file whose directory exists and is writable: a typo must not surface as a worker that
    cannot open its log after the port is bound."""
    if target == "-" or (allow_off and target == "off"):
        return
    if target == "off":
        raise OptionError(f"{source} off: the error log cannot be switched off (give - for stderr, or a file)")
    directory = os.path.dirname(os.path.abspath(target))
    if os.path.isdir(target):
        raise OptionError(f"{source} {target}: is a directory; give a file, or - for "
                          f"{'stdout' if allow_off else 'stderr'}")
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK) or \
            (os.path.exists(target) and not os.access(target, os.W_OK)):
        raise OptionError(f"{source} {target}: cannot write there")


def _check_tls(certfile: str, keyfile: str) -> None:
    """Load the pair once now: gunicorn reads them per connection, so a bad file would otherwise surface
    as a failed handshake on every request of a server that looks healthy."""
    import ssl

    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
        raise OptionError(f"--certfile {certfile} / --keyfile {keyfile}: not a usable certificate and key "
                          f"({reason})") from None


def default_workers(cpus: int, memory: Optional[int], app_rss: Optional[int]) -> Tuple[int, str]:
    """gunicorn's advice, ``2 × CPUs + 1``, lowered so the workers fit in three quarters of free memory."""
    wanted = 2 * cpus + 1
    cpu_text = f"{cpus} CPU{'s' if cpus != 1 else ''}"
    why = f"computed: 2 × {cpu_text} + 1"
    if memory is None:
        return wanted, why + " (available memory unknown)"
    per_worker = max(MIN_WORKER_MEMORY, app_rss or 0)
    fit = max(1, int(memory * MEMORY_SHARE) // per_worker)
    measured = "the loaded app's size" if app_rss and app_rss > MIN_WORKER_MEMORY else "at least"
    budget = f"{memory // MIB} MiB available, {measured} {per_worker // MIB} MiB per worker"
    if fit < wanted:
        return fit, f"computed: 2 × {cpu_text} + 1 = {wanted}, capped by memory ({budget})"
    return wanted, f"{why} (memory allows {fit}: {budget})"


def _set(opts: ServeOptions, name: str, picked: Mapping[str, Tuple[Any, str]], default: Any, why: str) -> None:
    if name in picked:
        value, source = picked[name]
    else:
        value, source = default, why
    if isinstance(value, list):
        value = tuple(value)
    setattr(opts, name, value)
    opts.sources[name] = source


def _from_env(name: str, var: str, raw: str) -> Any:
    raw = raw.strip()
    parser = _ENV_PARSERS.get(name, lambda s: s)
    try:
        return parser(raw)
    except ValueError as exc:
        raise OptionError(f"{var}={raw!r}: {exc}") from None


def _whole(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise ValueError("not a whole number") from None
        if n < low:
            raise ValueError(f"must be at least {low}")
        return n
    return parse


def _choice(choices: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return text.lower()
    return parse


def split_list(text: str) -> Tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(" ", ",").split(",") if p.strip())


_ENV_PARSERS: Dict[str, Callable[[str], Any]] = {
    "server": _choice(SERVERS), "worker_class": _choice(WORKER_CLASSES), "log_level": _choice(LOG_LEVELS),
    "workers": _whole(1), "threads": _whole(1), "timeout": _whole(1), "graceful_timeout": _whole(0),
    "keepalive": _whole(0), "max_requests": _whole(0), "max_requests_jitter": _whole(0),
    "behind_proxy": _whole(0), "bind": lambda s: tuple(s.split()), "forwarded_allow_ips": split_list,
}


def _check_waitress_binds(binds: Sequence[str], source: str, platform: str) -> None:
    """waitress listens on TCP addresses or on one unix socket, never both; on Windows (no AF_UNIX) it
    would silently fall back to 0.0.0.0:8080 for a unix socket."""
    unix = [b for b in binds if b.startswith("unix:")]
    if unix and platform == "win32":
        raise OptionError(f"{source} {unix[0]!r}: unix sockets do not exist on Windows; bind HOST:PORT")
    if len(unix) > 1 or (unix and len(unix) != len(binds)):
        raise OptionError(f"{source}: waitress listens on TCP addresses or on one unix socket, not both")


def _check_bind(bind: str, source: str) -> str:
    """``HOST:PORT``, ``[IPv6]:PORT`` or ``unix:PATH``, validated here so a typo is a usage error and not
    a server that binds somewhere unexpected."""
    if bind.startswith("unix:"):
        if not bind[5:]:
            raise OptionError(f"{source} {bind!r}: no socket path after 'unix:'")
        return bind
    if "," in bind:
        raise OptionError(f"{source} {bind!r}: one address per --bind (repeat the flag); in PREFLIGHT_BIND "
                          "separate addresses with spaces")
    if bind.startswith("fd://"):
        raise OptionError(f"{source} {bind!r}: file-descriptor binds are not supported; use HOST:PORT")
    expected = f"{source} {bind!r}: expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"
    host, sep, port = bind.rpartition(":")
    if not sep or not host:
        raise OptionError(expected)
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise OptionError(f"{source} {bind!r}: {port!r} is not a port number")
    bracketed = host.startswith("[") and host.endswith("]")
    bare = host[1:-1] if bracketed else host
    if not bare or "[" in bare or "]" in bare:
        # gunicorn reads '[::1:8000' as port '' (a crash after the checks), '[::1]x:9000' as port 8000 and
        # '[]:8000' as every interface
        raise OptionError(expected)
    if ":" in bare and not bracketed:
        raise OptionError(f"{source} {bind!r}: put an IPv6 address in brackets, e.g. [::1]:{port}")
    return bind


def _check_network(peer: str, source: str) -> None:
    if peer == "*":
        return
    try:
        ipaddress.ip_network(peer)  # strict, as gunicorn is: 10.0.0.1/8 is a typo for 10.0.0.0/8
    except ValueError:
        raise OptionError(f"{source}: {peer!r} is not an IP address or network (e.g. 10.0.0.0/8), "
                          "nor '*'") from None
