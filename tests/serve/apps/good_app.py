"""A production-shaped app serve accepts: key from the environment, body limit, trusted hosts."""
import os
import threading
import time

from flask import Flask, jsonify, request

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ["SECRET_KEY"],
    MAX_CONTENT_LENGTH=1024 * 1024,
    TRUSTED_HOSTS=["127.0.0.1", "localhost"],
)


@app.get("/")
def index():
    return jsonify(pid=os.getpid(), remote_addr=request.remote_addr, scheme=request.scheme,
                   forwarded=request.headers.get("X-Forwarded-For"))


@app.get("/slow")
def slow():
    marker = os.environ.get("SLOW_MARKER")
    if marker:  # lets a test know the request is inside the view before it signals the server
        open(marker, "w").close()
    time.sleep(float(request.args.get("s", "2")))
    return "slow done"


_barriers = {}
_barriers_lock = threading.Lock()


@app.get("/rendezvous")
def rendezvous():
    """Answers only once ``n`` requests are inside this view at the same time: proof that one worker
    serves them concurrently (threads, or greenlets under gevent, where threading is monkey-patched)."""
    n = int(request.args["n"])
    with _barriers_lock:
        barrier = _barriers.setdefault(n, threading.Barrier(n, timeout=15))
    barrier.wait()
    return jsonify(pid=os.getpid())
