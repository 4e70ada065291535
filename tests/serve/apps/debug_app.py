"""Debug mode switched on in code: serve must refuse it (PF101) and no --allow can change that."""
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["DEBUG"] = True
