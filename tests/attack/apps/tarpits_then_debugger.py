"""Review of issue 13: ATTACK_TARPITS silent listening sockets (they accept nothing, so a probe waits its whole
timeout on each), then the debugger, with the in-process scan patched away as in ``patch_the_scan``. Asked one
after the other, and at most five, the tarpits hid the debugger from the watches outside the process. With
ATTACK_MARKER only the second import (a serve worker, not its pre-start check) does it."""
import os
import socket
import sys
import threading

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from _wait import armed, until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])
_tarpits = []

if armed():
    _scan = sys.modules.get("flask_preflight.runtime.listeners")
    if _scan is not None:
        _scan.ServerScan.findings = lambda self, *args, **kwargs: ([], [])
        _scan.ServerScan.served = lambda self: []
        _scan.ServerScan.hidden_debuggers = staticmethod(lambda *args: [])
    for _ in range(int(os.environ.get("ATTACK_TARPITS", "20"))):
        _sock = socket.socket()
        _sock.bind(("127.0.0.1", 0))
        _sock.listen(64)
        _tarpits.append(_sock)
    _server = make_server("127.0.0.1", int(os.environ["ATTACK_PORT"]), DebuggedApplication(app, evalex=True))
    threading.Thread(target=_server.serve_forever, daemon=True).start()
    until_listening(int(os.environ["ATTACK_PORT"]))
