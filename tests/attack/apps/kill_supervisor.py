"""Attack 12, one step further: leave a setsid() server behind, then kill the supervising process."""
import os
import signal
import sys

from flask import Flask

from _wait import until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

port = int(os.environ["ATTACK_PORT"])
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        with open(os.environ["ATTACK_PIDFILE"], "w") as fh:
            fh.write(str(os.getpid()))
        os.execv(sys.executable, [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)])
    os._exit(0)
os.waitpid(pid, 0)
until_listening(port)
os.kill(os.getppid(), signal.SIGKILL)
