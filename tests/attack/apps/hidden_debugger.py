"""Attack 13: a DebuggedApplication kept outside the served stack (a global a thread could hand requests to)."""
import os

from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])
_console = {"handler": DebuggedApplication(app, evalex=True)}
