"""Review of issue 13: the debugger served from an import-time thread, then ``werkzeug.debug`` and
``werkzeug.serving`` reloaded, so the live server and its ``DebuggedApplication`` are instances of classes
that the modules no longer name (``isinstance`` against the new classes is False for both)."""
import importlib
import os
import threading

import werkzeug.debug
import werkzeug.serving
from flask import Flask

from _wait import armed, until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

if armed():
    _server = werkzeug.serving.make_server("127.0.0.1", int(os.environ["ATTACK_PORT"]),
                                           werkzeug.debug.DebuggedApplication(app, evalex=True))
    threading.Thread(target=_server.serve_forever, daemon=True).start()
    until_listening(int(os.environ["ATTACK_PORT"]))
    importlib.reload(werkzeug.debug)
    importlib.reload(werkzeug.serving)
