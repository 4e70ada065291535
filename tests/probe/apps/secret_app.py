"""A Flask app whose session cookie is signed with a guessable key, for PF606 forgeable-session-cookie.

The key is the literal ``"secret"`` unless ``PROBE_TEST_SECRET_KEY`` names another one (the test for
``--secret-wordlist`` uses a key that is in no public list). ``/`` stores a user name in the session: the
probe may report the session's keys ("user") but must never print the value ("alice") or the key.
"""

import os

from flask import Flask, session

SECRET_KEY = "secret"

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("PROBE_TEST_SECRET_KEY", SECRET_KEY)


@app.route("/")
def index() -> str:
    session["user"] = "alice"
    return "<!doctype html><title>secret</title><p>hello, you are signed in</p>"
