"""Not an attack: the import opens and closes a listening socket and runs a subprocess that ends by itself."""
import os
import socket
import subprocess
import sys

from flask import Flask

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])

probe = socket.socket()
probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
probe.bind(("127.0.0.1", int(os.environ["ATTACK_PORT"])))
probe.listen()
probe.close()
subprocess.run([sys.executable, "-c", "pass"], check=True)
