"""Attack 12: Popen(start_new_session=True) leaves a plain HTTP server (not Werkzeug) running on a port."""
import os
import subprocess
import sys

from flask import Flask

from _wait import until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

port = int(os.environ["ATTACK_PORT"])
server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                          start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
with open(os.environ["ATTACK_PIDFILE"], "w") as fh:
    fh.write(str(server.pid))
until_listening(port)
