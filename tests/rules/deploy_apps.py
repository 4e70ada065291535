"""Small Flask apps shared by the deployment-format rule tests (test_pf4_*.py)."""

APP_DEBUG_MAIN = """\
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
"""  # app.run on line 6

APP = """\
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
"""

KEY = "4f9c2a7e1b8d6035c9e1f7a2b4d8e6c0"  # a literal signing key, as PF406 looks for
