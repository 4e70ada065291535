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
    assert scan({"app.py": src}) == [
        ("PF203", "app.py", 5, 18, "medium"),
        ("PF203", "app.py", 6, 28, "medium"),
        ("PF203", "app.py", 7, 34, "medium"),
        ("PF203", "app.py", 8, 37, "medium"),
        ("PF203", "app.py", 10, 40, "medium"),
    ]
    assert "gunicorn worker" in scan.message("PF203", 5)
    assert scan.severity("PF203", 5) == "medium"


def test_random_fallback_for_env(scan):
    src = "import os\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY', os.urandom(24))\n"
    assert scan({"config.py": src}) == [("PF203", "config.py", 3, 18, "medium")]
    assert "when SECRET_KEY is unset" in scan.message("PF203", 3)


# ---- negatives ----------------------------------------------------------------------------------

def test_random_values_for_other_settings(scan):
    src = FLASK + "import secrets\napp.config['INSTANCE_ID'] = secrets.token_hex(4)\nnonce = os.urandom(16)\n"
    assert scan({"app.py": src}) == []


def _rows(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_keys_from_random_helpers_of_the_project(scan):
    """The helper is followed into its body: in the same module, and in another module of the project
    (directly or re-exported by a package's __init__)."""
    files = {
        "myapp/config.py": """import os, secrets, string
from myapp.keys import generate_key
from myapp.util import make_salt

def _random_password(size):
    chars = [secrets.choice(string.ascii_letters) for _ in range(size)]
    return "".join(chars)

class ProductionConfig:
    SECRET_KEY = os.environ.get("APP_SECRET") or _random_password(24)
    JWT_SECRET_KEY = generate_key()
    SECURITY_PASSWORD_SALT = make_salt()
""",
        "myapp/keys.py": "import uuid\n\ndef generate_key():\n    return _hexed(uuid.uuid4())\n\n"
                         "def _hexed(value):\n    return str(value).replace('-', '')\n",
        "myapp/__init__.py": "",
        "myapp/util/__init__.py": "from .salts import make_salt\n",
        "myapp/util/salts.py": "import os\n\ndef make_salt():\n    salt = os.urandom(16)\n    return salt.hex()\n",
    }
    assert scan(files) == [
        ("PF203", "myapp/config.py", 10, 18, "medium"),
        ("PF203", "myapp/config.py", 11, 22, "medium"),
        ("PF203", "myapp/config.py", 12, 30, "medium"),
    ]
    assert _rows(scan) == [("PF203", "config.py", 10, 18, "medium"), ("PF203", "config.py", 11, 22, "medium"),
                           ("PF203", "config.py", 12, 30, "medium")]
    assert "when APP_SECRET is unset" in scan.message("PF203", 10)
    assert "`generate_key()` in" in scan.message("PF203", 11)


def test_helpers_that_read_a_stored_key_or_only_use_randomness_inside(scan):
    """Tricky negatives: a helper that reads the key from a file, one that generates the key once and stores
    it for the next process, one whose randomness does not reach the return value, and an imported helper
    that reads the environment."""
    files = {
        "myapp/config.py": """import os, random
from myapp.keys import load_key

def read_key(path):
    with open(path) as fh:
        return fh.read().strip()

def stored_key():
    try:
        with open(".app_secret_key", "rb") as fh:
            key = fh.read()
    except OSError:
        key = None
    if not key:
        key = os.urandom(64)
        with open(".app_secret_key", "wb") as fh:
            fh.write(key)
    return key

def logged_key():
    request_id = random.random()
    print(request_id)
    return os.environ["APP_SECRET"]

class ProductionConfig:
    SECRET_KEY = read_key("/run/secrets/flask_key")
    JWT_SECRET_KEY = logged_key()
    SECURITY_PASSWORD_SALT = load_key("salt")
    WTF_CSRF_SECRET_KEY = os.environ.get("CSRF_KEY") or stored_key()
""",
        "myapp/keys.py": "import os\n\ndef load_key(name):\n    return os.environ[name.upper()]\n",
    }
    assert scan(files) == []


def test_keys_imported_from_a_module_that_draws_them_at_import(scan):
    """A module-level value drawn at import (``SECRET_KEY = os.urandom(32)``) is per process for every
    module that imports it, by name or through the module; a SystemRandom generator draws from the OS too."""
    files = {
        "shop/constants.py": "import os\nSECRET_KEY = os.urandom(32)\nSALT = os.urandom(8).hex()\n",
        "shop/app.py": """import os, secrets
from flask import Flask
from shop import constants
from shop.constants import SECRET_KEY

app = Flask(__name__)
app.secret_key = SECRET_KEY
app.config["SECURITY_PASSWORD_SALT"] = constants.SALT
app.config["JWT_SECRET_KEY"] = os.getenv("JWT_SECRET", str(secrets.SystemRandom().getrandbits(128)))
""",
    }
    assert scan(files) == [
        ("PF203", "shop/app.py", 7, 18, "medium"),
        ("PF203", "shop/app.py", 8, 40, "medium"),
        ("PF203", "shop/app.py", 9, 32, "medium"),
    ]
    assert _rows(scan) == [("PF203", "app.py", 7, 18, "medium"), ("PF203", "app.py", 8, 40, "medium"),
                           ("PF203", "app.py", 9, 32, "medium")]
    assert "`SECRET_KEY` of" in scan.message("PF203", 7) and "drawn when that module is imported" in scan.message("PF203", 7)
    assert "when JWT_SECRET is unset" in scan.message("PF203", 9)


def test_imported_values_that_are_not_drawn_at_import(scan):
    """Tricky negatives: the imported module reads its key from the environment, draws a random value only
    inside a function it never returns from (a per-request nonce), or rebinds the name to a stored key."""
    files = {
        "shop/constants.py": """import os
SECRET_KEY = os.environ["SECRET_KEY"]
NONCE_BYTES = 16
JWT_KEY = os.urandom(32)
JWT_KEY = open("/run/secrets/jwt").read()

def nonce():
    token = os.urandom(NONCE_BYTES)
    print(token)
""",
        "shop/app.py": """from flask import Flask
from shop import constants
from shop.constants import SECRET_KEY, JWT_KEY

app = Flask(__name__)
app.secret_key = SECRET_KEY
app.config["JWT_SECRET_KEY"] = JWT_KEY
app.config["SECURITY_PASSWORD_SALT"] = str(constants.NONCE_BYTES)
""",
    }
    assert scan(files) == []


def test_helper_that_stores_the_key_in_the_database_is_not_per_process(scan):
    """Tricky negative beside the module-attribute positive below: the helper generates the key once and
    commits it as a row, so every later process reads the same key back."""
    files = {
        "shop/settings_db.py": """import os

def session_key(session):
    row = session.query(Settings).one_or_none()
    if row is None:
        row = Settings(key=os.urandom(32))
        session.add(row)
        session.commit()
    return row.key
""",
        "shop/keys.py": "import secrets\n\ndef fresh_key():\n    return secrets.token_hex(32)\n",
        "shop/app.py": """import os
from flask import Flask
from shop import keys, settings_db

app = Flask(__name__)
app.secret_key = os.getenv("SECRET_KEY", settings_db.session_key(db_session))
app.config["JWT_SECRET_KEY"] = keys.fresh_key()
""",
    }
    assert scan(files) == [("PF203", "shop/app.py", 7, 32, "medium")]
    assert _rows(scan) == [("PF203", "app.py", 7, 32, "medium")]
    assert "`fresh_key()` in" in scan.message("PF203", 7)
