"""Raw HTTP servers in threads, for probe tests that need a server to misbehave in ways real servers won't:
exact bytes on the wire, repeated or malformed headers, bodies streamed in chunks, answers that never come.
Shared by the probe tests (``raw_server`` fixture) and the attack tests (``tests/attack/probe_hostile.py``).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple, Union

HOST = "127.0.0.1"
STOP_TIMEOUT_S = 5.0


@dataclass
class Request:
    method: str
    target: str
    headers: Dict[str, str]  # lower-cased names; repeated headers joined with ", "
    body_length: int

    def header(self, name: str) -> Optional[str]:
        """The header's value (repeated ones joined with ", "), or None when the request did not send it."""
        return self.headers.get(name.lower())


# A responder gets the request and returns the raw response: the status line and headers as bytes, then
# the body as bytes or as an iterable of chunks. None means: never answer (hold the connection open).
Responder = Callable[[Request], Optional[Tuple[bytes, Union[bytes, Iterable[bytes]]]]]


class RawServer:
    """A threaded TCP server on a free loopback port that speaks just enough HTTP/1.1 to answer ``responder``.

    One request per connection (responses carry ``Connection: close``). Requests are recorded in
    ``requests``. ``close()`` shuts the listener and every open connection and joins the threads (bounded).
    """

    MAX_HEAD = 64 * 1024

    def __init__(self, responder: Responder, name: str = "raw") -> None:
        self.responder = responder
        self.name = name
        self.requests: List[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conns: List[socket.socket] = []
        self._threads: List[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"{name}-accept", daemon=True)
        self._accept_thread.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                if self._stop.is_set():
                    conn.close()
                    return
                self._conns.append(conn)
                t = threading.Thread(target=self._serve, args=(conn,), name=f"{self.name}-conn", daemon=True)
                self._threads.append(t)
            t.start()

    def _read_request(self, conn: socket.socket) -> Optional[Request]:
        conn.settimeout(10.0)
        data = b""
        while b"\r\n\r\n" not in data:
            if len(data) > self.MAX_HEAD or self._stop.is_set():
                return None
            chunk = conn.recv(4096)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 2:
            return None
        headers: Dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        declared = headers.get("content-length", "")
        return Request(parts[0], parts[1], headers, int(declared) if declared.isdigit() else len(rest))

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._read_request(conn)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            answer = self.responder(request)
            if answer is None:  # never answer: hold the connection until the server is closed
                self._stop.wait(timeout=120)
                return
            head, body = answer
            conn.settimeout(10.0)
            conn.sendall(head)
            if request.method != "HEAD":
                for chunk in ([body] if isinstance(body, bytes) else body):
                    if self._stop.is_set():
                        return
                    conn.sendall(chunk)
            try:
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        except OSError:
            pass  # the client went away (it stopped reading a big body, or timed out): fine
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                c.close()
            except OSError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT_S
        self._accept_thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> "RawServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
