"""Starts the development server on every import after the first one.

The pre-start check imports it first (and sees nothing wrong); a gunicorn worker imports it again. This is
how a check-versus-worker difference looks, and the worker must refuse instead of running app.run()."""
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["MAX_CONTENT_LENGTH"] = 1024

marker = os.environ["RERUN_MARKER"]
if os.path.exists(marker):
    app.run()
else:
    open(marker, "w").close()
