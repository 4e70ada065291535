"""Review of issue 13: the served object is a DebuggedApplication built before ``werkzeug.debug`` is reloaded,
so it is no instance of the class the module names afterwards. With ATTACK_MARKER only the second import (a
serve worker, not the pre-start check) does it."""
import importlib
import os

import werkzeug.debug
from flask import Flask

from _wait import armed

flask_app = Flask(__name__)
flask_app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                        TRUSTED_HOSTS=["127.0.0.1", "localhost"])
app = flask_app
if armed():
    app = werkzeug.debug.DebuggedApplication(flask_app, evalex=True)
    importlib.reload(werkzeug.debug)
