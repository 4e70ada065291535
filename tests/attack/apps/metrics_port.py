"""Not an attack: a metrics endpoint (http.server, like prometheus_client.start_http_server) in a thread."""
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flask import Flask

from _wait import until_listening

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])


class Metrics(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"requests_total 0\n")


port = int(os.environ["ATTACK_PORT"])
threading.Thread(target=ThreadingHTTPServer(("127.0.0.1", port), Metrics).serve_forever, daemon=True).start()
until_listening(port)
