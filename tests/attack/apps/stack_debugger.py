"""Not hidden: the debugger in app.wsgi_app, which the stack check reports (once, not again from gc)."""
import os

from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], MAX_CONTENT_LENGTH=1024 * 1024,
                  TRUSTED_HOSTS=["127.0.0.1", "localhost"])
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
