"""The Werkzeug debugger wrapped around a non-debug app (PF104): never served."""
import os

from flask import Flask
from werkzeug.debug import DebuggedApplication

flask_app = Flask(__name__)
flask_app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
application = DebuggedApplication(flask_app, evalex=True)
