"""No SECRET_KEY at all (PF502): serve refuses unless --allow PF502."""
from flask import Flask, session

app = Flask(__name__)


@app.get("/")
def index():
    session["seen"] = True
    return "hello"
