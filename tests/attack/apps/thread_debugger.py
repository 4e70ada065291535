"""Attack 13: the Werkzeug debugger served by make_server() in a thread started at import (no guarded call).

With ATTACK_PLAIN=1 the thread serves the app without the debugger (a bare development server); ATTACK_HOST
picks the address (default 127.0.0.1)."""
import os
import threading

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from _wait import armed, until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])
HOST = os.environ.get("ATTACK_HOST", "127.0.0.1")


def _serve() -> None:
    served = app if os.environ.get("ATTACK_PLAIN") == "1" else DebuggedApplication(app, evalex=True)
    make_server(HOST, int(os.environ["ATTACK_PORT"]), served).serve_forever()


if armed():
    threading.Thread(target=_serve, daemon=True).start()
    until_listening(int(os.environ["ATTACK_PORT"]), host=HOST)
