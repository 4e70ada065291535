"""PF202 secret-key-fail-open-default: the environment is read, but a literal steps in when it is unset."""

FLASK = "import os\nfrom flask import Flask\napp = Flask(__name__)\n"


def test_env_defaults(scan):
    files = {
        "app.py": FLASK + 'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")\n'
                          'app.secret_key = os.getenv("SECRET_KEY") or "f0a8c2e4b6d8f0a2c4e6b8d0f2a4c6e8"\n',
        "config.py": 'import os\nclass Config:\n    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"\n',
    }
    assert scan(files) == [("PF202", "app.py", 4), ("PF202", "app.py", 5), ("PF202", "config.py", 3)]
    assert scan.severity("PF202", 4) == "critical"
    assert scan.severity("PF202", 5) == "high"
    assert "SECRET_KEY is unset" in scan.message("PF202", 5)


def test_decouple_default(scan):
    assert scan({"settings.py": 'from decouple import config\nSECRET_KEY = config("SECRET_KEY", default="insecure")\n'}) == [
        ("PF202", "settings.py", 2)]


# ---- negatives ----------------------------------------------------------------------------------

def test_fail_closed_and_no_default(scan):
    src = FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\napp.config["SECRET_KEY"] = os.getenv("SECRET_KEY")\n'
    assert scan({"app.py": src}) == []
