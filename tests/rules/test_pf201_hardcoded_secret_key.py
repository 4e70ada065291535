"""PF201 hardcoded-secret-key: a literal becomes a signing secret."""

FLASK = "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
STRONG = "9f2c1b7e4d8a6f3e0c5b2a7d9e1f4c8b"  # 32 hex chars, not weak


def test_every_spelling(scan):
    src = FLASK + f"""
app.secret_key = "{STRONG}"
app.config["SECRET_KEY"] = "{STRONG}x"
app.config.update(SECRET_KEY="{STRONG}y")
app.config.from_mapping({{"JWT_SECRET_KEY": "{STRONG}z"}})
app.config["SECURITY_PASSWORD_SALT"] = "{STRONG}s"
app.config["WTF_CSRF_SECRET_KEY"] = b"{STRONG}w"
"""
    assert scan({"app.py": src}) == [
        ("PF201", "app.py", 5, 18, "high"),
        ("PF201", "app.py", 6, 28, "high"),
        ("PF201", "app.py", 7, 30, "high"),
        ("PF201", "app.py", 8, 44, "high"),
        ("PF201", "app.py", 9, 40, "high"),
        ("PF201", "app.py", 10, 37, "high"),
    ]
    assert scan.severity("PF201", 5) == "high"
    assert "weak" not in scan.message("PF201", 5)


def test_weak_values_are_called_out(scan):
    src = FLASK + 'app.secret_key = "dev"\napp.config["SECRET_KEY"] = "abc123def"\napp.config["JWT_SECRET_KEY"] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"\n'
    assert scan({"app.py": src}) == [("PF201", "app.py", 4, 18, "critical"), ("PF201", "app.py", 5, 28, "high"), ("PF201", "app.py", 6, 32, "high")]
    assert scan.severity("PF201", 4) == "critical"
    assert "well-known placeholder" in scan.message("PF201", 4)
    assert "9 characters" in scan.message("PF201", 5)
    assert "distinct characters" in scan.message("PF201", 6)


def test_config_class_and_settings_module(scan):
    files = {
        "config.py": f'class Config:\n    SECRET_KEY = "you-will-never-guess"\n\nclass ProductionConfig(Config):\n    JWT_SECRET_KEY = "{STRONG}"\n',
        "settings.py": f'SECRET_KEY = "{STRONG}"\n',
        "app.py": FLASK + 'SECRET_KEY = "hard to guess string"\napp.config.from_object(__name__)\n',
    }
    assert scan(files) == [
        ("PF201", "app.py", 4, 14, "critical"),
        ("PF201", "config.py", 2, 18, "critical"),
        ("PF201", "config.py", 5, 22, "high"),
        ("PF201", "settings.py", 1, 14, "high"),
    ]


def test_resolved_through_a_name(scan):
    src = FLASK + 'KEY = "changeme"\napp.secret_key = KEY\n'
    assert scan({"app.py": src}) == [("PF201", "app.py", 5, 18, "critical")]


def test_test_code_is_low(scan):
    files = {"tests/conftest.py": FLASK + 'app.config["SECRET_KEY"] = "test"\n'}
    assert scan(files) == [("PF201", "tests/conftest.py", 4, 28, "low")]
    assert scan.severity("PF201", 4) == "low"


# ---- negatives ----------------------------------------------------------------------------------

def test_environment_and_non_flask_code(scan):
    files = {
        "app.py": FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\napp.config["SECRET_KEY"] = os.environ.get("SECRET_KEY")\n'
                          'app.config["OTHER"] = "dev"\nAPI_TOKEN_HEADER = "X-Secret-Key"\n',
        "config.py": 'import os\nclass DevelopmentConfig:\n    SECRET_KEY = "dev"\n\nclass TestingConfig:\n    SECRET_KEY = "test"\n',
        "mysite/settings.py": 'SECRET_KEY = "django-insecure-abc"\nINSTALLED_APPS = []\n',
        "lib/crypto.py": 'SECRET_KEY = "not flask config"\n',
    }
    assert scan(files) == []


def test_empty_key_means_no_key(scan):
    assert scan({"app.py": FLASK + 'app.secret_key = ""\n'}) == []


def test_pydantic_settings_and_key_name_constants(scan):
    files = {
        "api/config.py": 'from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    SECRET_KEY: str = "changethis"\n',
        "loader.py": 'from flask import Flask\nclass ConfigLoader:\n    SECRET_KEY = "SECRET_KEY"\n',
    }
    assert scan(files) == []


def test_literal_in_secret_key_fallbacks(scan):
    src = FLASK + f'app.config["SECRET_KEY_FALLBACKS"] = [os.environ["OLD_KEY"], "{STRONG}", "dev"]\n'
    assert scan({"app.py": src}) == [("PF201", "app.py", 4, 62, "high"), ("PF201", "app.py", 4, 98, "critical")]
    assert {f.severity.value for f in scan.findings} == {"high", "critical"}


# ---- a literal key that crosses a call into an application factory (issue 14) -------------------------

import pathlib  # noqa: E402

FACTORY = """
    from flask import Flask

    def create_app(test_config=None, **overrides):
        app = Flask(__name__)
        if test_config is not None:
            app.config.from_mapping(test_config)
        app.config.update(**overrides)
        return app
    """


def exact(scan, *rules):
    """(rule, path, line, column, severity) of every finding of ``rules``."""
    return sorted((f.rule_id, pathlib.Path(f.path).relative_to(scan.root).as_posix(), f.line, f.column,
                   f.severity.value) for f in scan.findings if f.rule_id in rules)


def test_literal_key_in_a_dict_into_from_mapping_is_pf201(scan):
    assert scan({"pkg/__init__.py": FACTORY,
          "wsgi.py": "from pkg import create_app\napp = create_app({'SECRET_KEY': 'k8Hs0-not-from-the-env'})\n"}) == [("PF201", "wsgi.py", 2, 7, "high")]
    assert exact(scan, "PF201") == [("PF201", "wsgi.py", 2, 7, "high")]
    assert "k8Hs0" not in scan.message("PF201", 2)
    assert all("k8Hs0" not in f.snippet for f in scan.findings)


def test_literal_key_in_test_code_is_test_configuration(scan):
    conftest = "from pkg import create_app\n\ndef app():\n    return create_app({'SECRET_KEY': 'test', 'DEBUG': True})\n"
    assert scan({"pkg/__init__.py": FACTORY, "tests/conftest.py": conftest}) == []
    assert exact(scan, "PF101", "PF201") == []


def test_key_read_from_the_environment_is_not_a_literal(scan):
    src = "import os\nfrom pkg import create_app\napp = create_app({'SECRET_KEY': os.environ['SECRET_KEY']})\n"
    assert scan({"pkg/__init__.py": FACTORY, "wsgi.py": src}) == []
    assert exact(scan, "PF201") == []


SETTINGS_DICT = "import os\n\nconfig = {\n    'SQLALCHEMY_TRACK_MODIFICATIONS': False,\n    'SECRET_KEY': %s,\n}\n"
APPLIES_IMPORTED = """
    from flask import Flask
    from core.settings import config

    def create_app():
        app = Flask(__name__)
        app.config.from_mapping(config)
        return app
    """


def test_literal_key_in_a_dict_another_module_applies(scan):
    assert scan({"core/settings.py": SETTINGS_DICT % "'Zq81-not-from-env'", "app.py": APPLIES_IMPORTED}) == [("PF201", "core/settings.py", 5, 5, "high")]
    assert exact(scan, "PF201") == [("PF201", "core/settings.py", 5, 5, "high")]
    assert "app.py:6" in scan.message("PF201", 5)
    assert all("Zq81" not in f.snippet + f.message for f in scan.findings)


def test_env_key_in_an_imported_dict_or_a_dict_nobody_applies(scan):
    assert scan({"core/settings.py": SETTINGS_DICT % "os.environ['SECRET_KEY']", "app.py": APPLIES_IMPORTED,
          "other/settings.py": SETTINGS_DICT % "'Zq81-not-from-env'"}) == []
    assert exact(scan, "PF201") == []


# ---- the code refuses to start with the placeholder -------------------------------------------------

def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


GUARDED_SERVER = """\
from flask import Flask
from wiki import fatal_error

app = Flask(__name__)
app.config.update(SECRET_KEY="CHANGE ME", SITE_NAME="Wiki")
app.config.from_envvar("WIKI_SETTINGS", silent=True)

if len(app.config["SECRET_KEY"]) < 16 or app.config["SECRET_KEY"] == "CHANGE ME":
    fatal_error("Please configure a random SECRET_KEY of at least 16 characters.")
"""


def test_placeholder_that_start_up_refuses(scan):
    """A default the module refuses right after loading the real settings: the guard's helper, in another
    module, always exits (sys.exit), so the app never serves with the placeholder. A local sys.exit the same."""
    files = {"wiki/__init__.py": "import sys\n\n\ndef fatal_error(msg):\n    print(msg, file=sys.stderr)\n    sys.exit(1)\n",
             "wiki/server.py": GUARDED_SERVER,
             "other/app.py": GUARDED_SERVER.replace("from wiki import fatal_error", "import sys").replace(
                 "fatal_error(", "sys.exit(")}
    assert scan(files) == []


def test_placeholder_whose_guard_does_not_stop_start_up(scan):
    """Tricky positives beside it: the imported helper only logs (start-up goes on), and a guard that tests a
    different value than the one written."""
    files = {"wiki/__init__.py": "import logging\n\n\ndef fatal_error(msg):\n    logging.error(msg)\n",
             "wiki/server.py": GUARDED_SERVER,
             "other/app.py": GUARDED_SERVER.replace("from wiki import fatal_error", "import sys").replace(
                 "fatal_error(", "sys.exit(").replace('< 16 or app.config["SECRET_KEY"] == "CHANGE ME"', '< 8')}
    assert scan(files) == [("PF201", "other/app.py", 5, 30, "critical"), ("PF201", "wiki/server.py", 5, 30, "critical")]
    assert _exact(scan) == [("PF201", "app.py", 5, 30, "critical"), ("PF201", "server.py", 5, 30, "critical")]


# ---- a literal key handed to PyJWT or itsdangerous ---------------------------------------------------

def test_literal_key_for_jwt_and_itsdangerous(scan):
    src = """\
import jwt
from itsdangerous import TimestampSigner
from flask import Flask

SIGNING = "secret"
app = Flask(__name__)
signer = TimestampSigner(secret_key=b"9f8e7d6c5b4a39281706f5e4d3c2b1a0")


@app.route("/token")
def token():
    return jwt.encode({"a": 1}, SIGNING, "HS256")
"""
    assert scan({"app.py": src}, select=["PF201", "PF202"]) == [
        ("PF201", "app.py", 5, 11, "critical"),
        ("PF201", "app.py", 7, 37, "high"),
    ]
    assert "Hard-coded key for jwt.encode()" in scan.message("PF201", 5)


def test_public_keys_and_test_tokens_are_not_signing_secrets(scan):
    """A literal public key verifies RS256 tokens (public by design), an RS256-only decode takes a public
    key whatever it looks like, and a test function signs test tokens."""
    src = """\
import jwt

PUBLIC = "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkq\\n-----END PUBLIC KEY-----"
ISSUER_KEY = "issuer-key-published-in-the-docs"


def verify(token):
    jwt.decode(token, PUBLIC, algorithms=["RS256"])
    return jwt.decode(token, ISSUER_KEY, algorithms=["RS256", "ES256"])


def test_token_roundtrip():
    assert jwt.decode(jwt.encode({"a": 1}, "k"), "k", algorithms=["HS256"])
"""
    assert scan({"auth.py": src}, select=["PF201", "PF202"]) == []
