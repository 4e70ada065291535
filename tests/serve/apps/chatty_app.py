"""Prints at import and in a view: none of it may land among the JSON access-log lines on stdout."""
import os

from flask import Flask

print("chatty_app: imported")
app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]


@app.get("/")
def index():
    print("chatty_app: handling / (print debugging)")
    return "hello"
