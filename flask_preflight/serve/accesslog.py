"""Access-log lines as JSON, one object per request.

gunicorn's ``access_log_format`` is a %-template: a quote in a path or a User-Agent breaks any JSON shape
built with it. Serialising a dict with :func:`json.dumps` always gives a valid line that log pipelines
(Loki, CloudWatch, Datadog) parse without a grok pattern. The same record is written for gunicorn (a
``Logger`` subclass) and waitress (which has no access log: a WSGI middleware writes it).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, TextIO

WSGIApp = Callable[..., Any]


def record(environ: Mapping[str, Any], status: Any, size: Optional[int], seconds: float) -> Dict[str, Any]:
    """The fields of one access-log line (``environ`` after ProxyFix: the client's address, not the proxy's)."""
    code = str(status).split(None, 1)[0] if status is not None else "-"
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "remote_addr": environ.get("REMOTE_ADDR") or None,
        "method": environ.get("REQUEST_METHOD"),
        "path": _wsgi_text(environ.get("PATH_INFO")),
        "query": environ.get("QUERY_STRING") or None,
        "protocol": environ.get("SERVER_PROTOCOL"),
        "status": int(code) if code.isdigit() else code,
        "bytes": size,
        "duration_ms": round(seconds * 1000, 3),
        "referer": environ.get("HTTP_REFERER") or None,
        "user_agent": environ.get("HTTP_USER_AGENT") or None,
        "request_id": environ.get("HTTP_X_REQUEST_ID") or None,
        "pid": os.getpid(),
    }


def _wsgi_text(value: Any) -> Any:
    """PEP 3333 hands the path over as latin-1 decoded bytes; the URL's bytes are UTF-8 in practice."""
    if not isinstance(value, str):
        return value
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value


def dumps(entry: Mapping[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str)


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # Windows, or gunicorn not installed: waitress only
    _GunicornLogger = None

if _GunicornLogger is not None:
    class JsonAccessLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
        """gunicorn's logger with JSON access lines (``logger_class`` in gunicorn's settings)."""

        def access(self, resp: Any, req: Any, environ: Dict[str, Any], request_time: Any) -> None:
            if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict):
                return
            sent = getattr(resp, "sent", None)
            seconds = request_time.total_seconds() if hasattr(request_time, "total_seconds") else 0.0
            try:
                self.access_log.info(dumps(record(environ, resp.status, sent, seconds)))
            except Exception:  # noqa: BLE001 - a log line must never fail a request
                self.exception("could not write the access log line")


class AccessLogMiddleware:
    """Write one JSON line per finished request to ``stream`` (waitress has no access log of its own)."""

    def __init__(self, app: WSGIApp, stream: Optional[TextIO] = None) -> None:
        self.app = app
        self.stream = stream
        self._lock = threading.Lock()

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        state: Dict[str, Any] = {"status": None, "size": 0}

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            state["status"] = status
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, recording_start_response)
        return self._logged(body, environ, state, started)

    def _logged(self, body: Iterable[bytes], environ: Dict[str, Any], state: Dict[str, Any],
                started: float) -> Iterable[bytes]:
        try:
            for chunk in body:
                state["size"] += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            line = dumps(record(environ, state["status"], state["size"], time.perf_counter() - started))
            stream = self.stream or sys.stdout
            with self._lock:
                stream.write(line + "\n")
                stream.flush()
