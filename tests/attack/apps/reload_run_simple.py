"""Attack 13: a fresh werkzeug.serving (importlib.reload drops the guard) runs run_simple with the debugger.

In a thread by default; with ATTACK_BLOCK=1 in the main thread, so the import never ends (a timeout)."""
import importlib
import os
import threading

import werkzeug.serving
from flask import Flask

from _wait import until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])
port = int(os.environ["ATTACK_PORT"])


def _serve() -> None:
    importlib.reload(werkzeug.serving).run_simple("127.0.0.1", port, app, use_debugger=True, use_evalex=True)


if os.environ.get("ATTACK_BLOCK") == "1":
    _serve()
threading.Thread(target=_serve, daemon=True).start()
until_listening(port)
