"""PF203 per-process-secret-key: a key generated at start-up differs per worker and per restart."""

FLASK = "import os\nfrom flask import Flask\napp = Flask(__name__)\n"


def test_generators(scan):
    src = FLASK + """import secrets, uuid, random
app.secret_key = os.urandom(24)
app.config["SECRET_KEY"] = secrets.token_hex(16)
app.config.update(JWT_SECRET_KEY=str(uuid.uuid4()))
app.config["WTF_CSRF_SECRET_KEY"] = "".join(random.choice("abc") for _ in range(32))
KEY = os.urandom(32).hex()
app.config["SECURITY_PASSWORD_SALT"] = KEY
"""
    assert scan({"app.py": src}) == [("PF203", "app.py", n) for n in (5, 6, 7, 8, 10)]
    assert "gunicorn worker" in scan.message("PF203", 5)
    assert scan.severity("PF203", 5) == "medium"


def test_random_fallback_for_env(scan):
    src = "import os\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY', os.urandom(24))\n"
    assert scan({"config.py": src}) == [("PF203", "config.py", 3)]
    assert "when SECRET_KEY is unset" in scan.message("PF203", 3)


# ---- negatives ----------------------------------------------------------------------------------

def test_random_values_for_other_settings(scan):
    src = FLASK + "import secrets\napp.config['INSTANCE_ID'] = secrets.token_hex(4)\nnonce = os.urandom(16)\n"
    assert scan({"app.py": src}) == []
