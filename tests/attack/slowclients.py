"""A bounded slow-header client for the serve attack tests: K loopback connections that each start a request
and then send one header byte a second, never finishing on their own.

Bounded in every direction so a failing test cannot leave an attack running: at most ``MAX_CONNECTIONS``
connections, the drip stops after ``MAX_DRIP_S`` seconds even if nobody stops it, every socket has a
timeout, and ``close()`` (also on ``with`` exit) ends everything. Loopback only.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import List, Optional

HOST = "127.0.0.1"
MAX_CONNECTIONS = 150
MAX_DRIP_S = 90.0
DRIP_INTERVAL_S = 1.0
SOCKET_TIMEOUT_S = 30.0
# An unfinished request: the header block never ends until finish() sends the blank line.
REQUEST_START = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Slow: "


class SlowHeaderClients:
    """``count`` connections to ``port`` that send their request headers one byte per second."""

    def __init__(self, port: int, count: int, tls: Optional[ssl.SSLContext] = None) -> None:
        if not 0 < count <= MAX_CONNECTIONS:
            raise ValueError(f"1 to {MAX_CONNECTIONS} slow connections, not {count}")
        self.port = port
        self.count = count
        self.tls = tls
        self.socks: List[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)

    def __enter__(self) -> "SlowHeaderClients":
        for _ in range(self.count):
            s = connect(self.port, self.tls)
            s.sendall(REQUEST_START)  # the server has bytes to read: a thread/greenlet starts on the headers
            self.socks.append(s)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drip(self) -> None:
        waited = 0.0
        while waited < MAX_DRIP_S and not self._stop.wait(DRIP_INTERVAL_S):
            waited += DRIP_INTERVAL_S
            with self._lock:
                for s in self.socks:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass  # the server closed it; finish() reports what each connection got

    def finish(self) -> List[str]:
        """End every request's header block and read each answer's status line ('' when there was none)."""
        self._stop.set()
        self._thread.join(timeout=10)
        statuses = []
        with self._lock:
            for s in self.socks:
                try:
                    s.sendall(b"\r\n\r\n")
                    statuses.append(read_status_line(s))
                except OSError:
                    statuses.append("")
        return statuses

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        with self._lock:
            for s in self.socks:
                s.close()
            self.socks = []


def read_status_line(s: socket.socket) -> str:
    """The first line of the response on ``s`` (blocks up to the socket's timeout)."""
    data = b""
    while b"\r\n" not in data:
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def connect(port: int, tls: Optional[ssl.SSLContext] = None) -> socket.socket:
    """A loopback connection to ``port``; with ``tls``, the handshake is done before it is returned."""
    s = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT_S)
    return tls.wrap_socket(s, server_hostname="example.com") if tls is not None else s


def send_request(port: int, path: str = "/", tls: Optional[ssl.SSLContext] = None) -> socket.socket:
    """A complete, ordinary GET on a new connection; the caller reads the answer with a timeout it chooses."""
    s = connect(port, tls)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    return s


def answer_within(s: socket.socket, seconds: float) -> Optional[str]:
    """The status line if the server starts answering within ``seconds``, None if it sends nothing."""
    s.settimeout(seconds)
    try:
        data = s.recv(1024)
    except socket.timeout:
        return None
    s.settimeout(SOCKET_TIMEOUT_S)
    while b"\r\n" not in data:
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")
