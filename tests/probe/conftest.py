"""Real servers on 127.0.0.1 for the ``probe`` tests, and a helper that runs ``flask-preflight probe``.

Servers, each on a free loopback port (nothing here touches any other network):

- subprocesses (``ServerProcess``): the Werkzeug development server (``run_simple`` in ``python -c``, with and
  without the interactive debugger) and gunicorn (plain http, or TLS with a certificate generated here).
  Each is started in its own session (``start_new_session=True``) and torn down by killing its process
  group: SIGTERM, then SIGKILL after a bounded wait. On Linux a tiny launcher also sets
  ``PR_SET_PDEATHSIG`` before exec'ing the server, so a pytest that is itself killed (and never runs its
  finalizers) does not leave servers behind.
- threads in this process (``RawServer``): a socket server that answers from a Python function with raw
  bytes, for what real servers refuse to send (invalid ``Set-Cookie`` values, a 10 MB body, a redirect
  loop) or never do (accept and never answer). It records every request it reads.

Servers are module-scoped: started on first use, shared by the tests of one module, stopped when that
module's tests are done (not kept for the rest of a whole-suite run). Readiness is a TCP connect polled
against a deadline; every wait in this file is bounded.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

from .rawserver import HOST, STOP_TIMEOUT_S, RawServer, Request, Responder  # noqa: F401 - used here and by tests

APPS = Path(__file__).resolve().parent / "apps"
READY_TIMEOUT_S = 20.0  # a cold gunicorn on a loaded 2-core machine
PROBE_TIMEOUT_S = 90.0  # hard bound on one `flask-preflight probe` run; tests assert much tighter ones

# Sets PR_SET_PDEATHSIG (Linux) so the server dies with the pytest thread that started it, then execs
# the real command. If pytest already died before prctl ran, the parent pid has changed: exit at once.
_LAUNCHER = r"""
import os, sys
try:
    import ctypes, signal
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != int(os.environ.get("PROBE_TEST_PARENT_PID", "0")):
        sys.exit(1)
except (OSError, AttributeError, ValueError):
    pass
os.execv(sys.argv[1], sys.argv[1:])
"""


# ---- ports -----------------------------------------------------------------------------------------------------
def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; a server started just after gets it in practice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_answers(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def refused_port() -> int:
    """A loopback port that refuses connections (checked, not assumed)."""
    for _ in range(20):
        port = free_port()
        if not port_answers(port):
            return port
    raise RuntimeError("could not find a loopback port that refuses connections")


# ---- server subprocesses ---------------------------------------------------------------------------------------
@dataclass
class ServerProcess:
    name: str
    proc: subprocess.Popen
    port: int
    log_path: Path
    scheme: str = "http"
    secret_key: Optional[str] = None  # the app's SECRET_KEY, when a test needs to know it

    @property
    def url(self) -> str:
        return f"{self.scheme}://{HOST}:{self.port}/"

    def log(self, tail: Optional[int] = 4000) -> str:
        """The server's stdout and stderr so far (the last ``tail`` characters; all of it with None)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text if tail is None else text[-tail:]

    def stop(self) -> None:
        """Kill the whole process group (gunicorn's workers too); bounded, never raises."""
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, STOP_TIMEOUT_S)):
                try:
                    os.killpg(self.proc.pid, sig)
                except (ProcessLookupError, PermissionError):
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # the leader may be gone while a worker in its group lingers: sweep the group once more
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass


def _launch(argv: Sequence[str], *, cwd: Path, env: Dict[str, str], log_path: Path) -> subprocess.Popen:
    env = dict(env, PROBE_TEST_PARENT_PID=str(os.getpid()), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-c", _LAUNCHER, *argv] if sys.platform.startswith("linux") else list(argv)
    with open(log_path, "ab") as log:
        return subprocess.Popen(cmd, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def start_server(name: str, make_argv: Callable[[int], Sequence[str]], *, log_dir: Path, cwd: Path = APPS,
                 env: Optional[Dict[str, str]] = None, scheme: str = "http",
                 attempts: int = 3, ready_timeout: float = READY_TIMEOUT_S) -> ServerProcess:
    """Start ``make_argv(port)`` on a free port and wait until the port accepts connections.

    A server that exits before it answers (the port was taken in between, or it crashed) is retried on
    another port; the last failure raises with the server's log.
    """
    base_env = _clean_env()
    base_env.update(env or {})
    last = ""
    for attempt in range(attempts):
        port = free_port()
        log_path = log_dir / f"{name}-{attempt}.log"
        server = ServerProcess(name, _launch(make_argv(port), cwd=cwd, env=base_env, log_path=log_path), port,
                               log_path, scheme)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                break
            if port_answers(port):
                return server
            time.sleep(0.05)
        server.stop()
        last = f"exit code {server.proc.returncode}; log:\n{server.log()}"
    raise RuntimeError(f"{name} did not start on {HOST}: {last}")


def dev_server_argv(port: int, *, debugger: bool) -> List[str]:
    code = ("import sys; sys.path.insert(0, '.'); from werkzeug.serving import run_simple; "
            "from plain_app import app; "
            f"run_simple({HOST!r}, {port}, app, use_debugger={debugger}, use_evalex={debugger}, "
            "use_reloader=False)")
    return [sys.executable, "-c", code]


def _no_control_socket() -> List[str]:
    """gunicorn >= 24 opens a control socket at one per-user path; older versions have no such flag."""
    try:
        from gunicorn.config import KNOWN_SETTINGS
    except ImportError:
        return []
    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


def gunicorn_argv(port: int, app: str, *extra: str) -> List[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}", "--workers", "1", "--threads", "4",
            "--graceful-timeout", "2", "--timeout", "30", *_no_control_socket(), "--log-level", "warning",
            "--chdir", str(APPS), *extra, app]


# ---- a self-signed certificate ---------------------------------------------------------------------------------
def make_self_signed_cert(directory: Path) -> Tuple[Path, Path]:
    """An EC P-256 certificate for 127.0.0.1 and localhost, valid for a day; written as PEM (cert, key).

    Made with ``cryptography`` when it is installed, else with the ``openssl`` command; skips the test
    when neither is there (neither is a dependency of flask-preflight or of its test extra).
    """
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return _openssl_self_signed_cert(directory)
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "flask-preflight probe tests")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _openssl_self_signed_cert(directory: Path) -> Tuple[Path, Path]:
    import shutil

    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("a self-signed certificate needs `cryptography` or the `openssl` command; neither is installed")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    proc = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key_path), "-out", str(cert_path), "-days", "1", "-subj", "/CN=localhost",
         "-addext", f"subjectAltName=DNS:localhost,IP:{HOST}"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        pytest.skip(f"openssl could not make a self-signed certificate: {proc.stderr.strip()[-300:]}")
    return cert_path, key_path


def require_gunicorn() -> None:
    """gunicorn is not in flask-preflight's test extra: without it, the gunicorn-served cases are skipped."""
    import importlib.util

    if importlib.util.find_spec("gunicorn") is None:
        pytest.skip("gunicorn is not installed (pip install gunicorn): the gunicorn-served probe tests need it")


# ---- running the probe -----------------------------------------------------------------------------------------
# Server settings a developer's shell may carry (gunicorn reads PORT, WEB_CONCURRENCY, FORWARDED_ALLOW_IPS;
# serve reads PREFLIGHT_*): the servers started here get only what a test gives them.
_SERVER_VARS = ("PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "FLASK_APP", "GUNICORN_CMD_ARGS")


def _clean_env() -> Dict[str, str]:
    """The environment without proxy or server settings: every request here must go straight to 127.0.0.1."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("PROBE_TEST_", "PREFLIGHT_"))
           and k not in _SERVER_VARS}
    env["NO_PROXY"] = env["no_proxy"] = f"{HOST},localhost"
    env["NO_COLOR"] = "1"
    return env


def norm_url(url: str) -> str:
    return url.rstrip("/")


@dataclass
class ProbeRun:
    argv: List[str]
    code: int
    stdout: str
    stderr: str
    elapsed: float
    report: Optional[dict] = None

    def describe(self) -> str:
        """The command, its exit code and time, then (JSON) each URL's rule ids and errors, then the output."""
        lines = [f"$ {' '.join(self.argv)}", f"exit {self.code} after {self.elapsed:.2f}s"]
        if self.report is not None:
            urls = sorted({f.get("path", "") for f in self.report.get("findings", [])}
                          | {e.get("path", "") for e in self.report.get("errors", [])})
            for url in urls:
                lines.append(f"  {url}: {self.rule_ids(url)}")
                lines += [f"    error: {e}" for e in self.errors(url)]
            stdout = json.dumps({k: v for k, v in self.report.items() if k != "findings"}, indent=1)
            stdout += "\nfindings: " + json.dumps([{k: f.get(k) for k in ("rule_id", "severity", "path", "message")}
                                                   for f in self.report.get("findings", [])], indent=1)
        else:
            stdout = self.stdout
        lines += ["--- stdout ---", stdout[:8000], "--- stderr ---", self.stderr[-3000:]]
        return "\n".join(lines)

    # JSON report helpers (path = the probed URL; a trailing slash is not significant)
    def findings(self, url: Optional[str] = None) -> List[dict]:
        assert self.report is not None, self.describe()
        return [f for f in self.report.get("findings", [])
                if url is None or norm_url(f.get("path", "")) == norm_url(url)]

    def errors(self, url: Optional[str] = None) -> List[dict]:
        assert self.report is not None, self.describe()
        return [e for e in self.report.get("errors", []) if url is None or norm_url(e.get("path", "")) == norm_url(url)]

    def rule_ids(self, url: Optional[str] = None) -> List[str]:
        return sorted(f["rule_id"] for f in self.findings(url))


def run_probe(*args: str, fmt: str = "json", timeout: float = PROBE_TIMEOUT_S) -> ProbeRun:
    """``flask-preflight probe ARGS --format FMT`` in a subprocess (bounded); JSON stdout is parsed."""
    argv = [sys.executable, "-m", "flask_preflight", "probe", *args, "--format", fmt]
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=_clean_env(), timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"flask-preflight probe did not finish within {timeout:.0f}s: {' '.join(argv)}\n{out[-3000:]}")
    run = ProbeRun(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    if fmt == "json" and proc.returncode in (0, 1, 3):
        try:
            run.report = json.loads(proc.stdout)
        except ValueError as exc:
            pytest.fail(f"probe --format json did not print JSON ({exc})\n{run.describe()}")
    return run


# ---- fixtures --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("probe-server-logs")


@pytest.fixture(scope="module")
def dev_server_debugger(server_logs: Path) -> Iterator[ServerProcess]:
    server = start_server("werkzeug-debugger", lambda port: dev_server_argv(port, debugger=True), log_dir=server_logs)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def dev_server_plain(server_logs: Path) -> Iterator[ServerProcess]:
    server = start_server("werkzeug-plain", lambda port: dev_server_argv(port, debugger=False), log_dir=server_logs)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Path]:
    return make_self_signed_cert(tmp_path_factory.mktemp("probe-tls"))


@pytest.fixture(scope="module")
def hardened_tls_server(server_logs: Path, tls_cert: Tuple[Path, Path]) -> Iterator[ServerProcess]:
    require_gunicorn()
    import secrets

    cert, key = tls_cert
    server = start_server(
        "gunicorn-hardened-tls",
        lambda port: gunicorn_argv(port, "hardened_app:app", "--certfile", str(cert), "--keyfile", str(key)),
        log_dir=server_logs, env={"PROBE_TEST_SECRET_KEY": secrets.token_urlsafe(32)}, scheme="https")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def secret_server(server_logs: Path) -> Iterator[ServerProcess]:
    """gunicorn, plain http, the session cookie signed with the literal key "secret"."""
    require_gunicorn()
    server = start_server("gunicorn-secret", lambda port: gunicorn_argv(port, "secret_app:app"), log_dir=server_logs)
    try:
        yield server
    finally:
        server.stop()


# A key no public list holds: found only through --secret-wordlist.
CUSTOM_SECRET_KEY = "Quokka-Lantern-7f3a-Brisket-92Zq"


@pytest.fixture(scope="module")
def custom_secret_server(server_logs: Path) -> Iterator[ServerProcess]:
    """gunicorn, plain http, the session cookie signed with ``server.secret_key``, which is in no public list."""
    require_gunicorn()
    server = start_server("gunicorn-custom-secret", lambda port: gunicorn_argv(port, "secret_app:app"),
                          log_dir=server_logs, env={"PROBE_TEST_SECRET_KEY": CUSTOM_SECRET_KEY})
    server.secret_key = CUSTOM_SECRET_KEY
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def probe() -> Callable[..., ProbeRun]:
    """``probe(*args, fmt="json", timeout=...)`` runs ``flask-preflight probe`` (see ``run_probe``)."""
    return run_probe


@pytest.fixture(scope="session")
def find_refused_port() -> Callable[[], int]:
    """``find_refused_port()``: a loopback port that refuses connections right now (checked)."""
    return refused_port


@pytest.fixture(scope="module")
def raw_server() -> Iterator[Callable[..., RawServer]]:
    """A factory of ``RawServer``s; all of them are closed at the end of the test module."""
    servers: List[RawServer] = []

    def make(responder: Responder, name: str = "raw") -> RawServer:
        server = RawServer(responder, name)
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for s in servers:
            s.close()
