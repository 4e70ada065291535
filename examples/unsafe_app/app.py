"""A deliberately unsafe Flask app: every line flask-preflight exists to catch."""
import os

from flask import Flask
from werkzeug.debug import DebuggedApplication

from config import Config

app = Flask(__name__)
app.config.from_object(Config)
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG", True)
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)


@app.route("/")
def index():
    return "hello"


app.run(host="0.0.0.0", port=5000, debug=True)
