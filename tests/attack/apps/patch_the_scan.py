"""Review of issue 13: an app that targets flask-preflight itself. The scan for servers started at import runs
in the process that imports the app, so the import can patch it away (``ServerScan``'s methods return nothing)
and then serve the debugger from a thread. With ATTACK_MARKER only the second import (a serve worker, not
its pre-start check) does it."""
import os
import sys
import threading

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from _wait import armed, until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

if armed():
    _scan = sys.modules.get("flask_preflight.runtime.listeners")
    if _scan is not None:
        _scan.ServerScan.findings = lambda self, *args, **kwargs: ([], [])
        _scan.ServerScan.served = lambda self: []
        _scan.ServerScan.hidden_debuggers = staticmethod(lambda *args: [])

    _server = make_server("127.0.0.1", int(os.environ["ATTACK_PORT"]), DebuggedApplication(app, evalex=True))
    threading.Thread(target=_server.serve_forever, daemon=True).start()
    until_listening(int(os.environ["ATTACK_PORT"]))
