"""An import that fails: serve cannot check it, so it does not start (exit 3)."""
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["NO_SUCH_VARIABLE_FOR_SERVE_TESTS"]
