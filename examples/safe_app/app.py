"""The same app done right: debug comes from the environment, off unless asked for; served by gunicorn."""
import os

from flask import Flask

from config import DevelopmentConfig, ProductionConfig

app = Flask(__name__)
if os.environ.get("FLASK_ENV") == "development":
    app.config.from_object(DevelopmentConfig)
else:
    app.config.from_object(ProductionConfig)


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    # Local development only: `python app.py`. Production: gunicorn -w 4 -b 0.0.0.0:8000 app:app
    app.run(debug=os.environ.get("FLASK_DEBUG", "0") == "1")
