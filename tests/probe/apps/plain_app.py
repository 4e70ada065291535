"""A minimal Flask app with nothing configured: served by the Werkzeug development server in the probe tests
(once with the interactive debugger, once without). No cookies, no security headers, no errors."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "<!doctype html><title>plain</title><p>hello from the plain app</p>"
