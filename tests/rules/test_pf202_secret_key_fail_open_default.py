"""PF202 secret-key-fail-open-default: the environment is read, but a literal steps in when it is unset."""

import pytest

FLASK = "import os\nfrom flask import Flask\napp = Flask(__name__)\n"


def test_env_defaults(scan):
    files = {
        "app.py": FLASK + 'app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")\n'
                          'app.secret_key = os.getenv("SECRET_KEY") or "f0a8c2e4b6d8f0a2c4e6b8d0f2a4c6e8"\n',
        "config.py": 'import os\nclass Config:\n    SECRET_KEY = os.environ.get("SECRET_KEY") or "you-will-never-guess"\n',
    }
    assert scan(files) == [
        ("PF202", "app.py", 4, 28, "critical"),
        ("PF202", "app.py", 5, 18, "high"),
        ("PF202", "config.py", 3, 18, "critical"),
    ]
    assert scan.severity("PF202", 4) == "critical"
    assert scan.severity("PF202", 5) == "high"
    assert "SECRET_KEY is unset" in scan.message("PF202", 5)


def test_decouple_default(scan):
    assert scan({"settings.py": 'from decouple import config\nSECRET_KEY = config("SECRET_KEY", default="insecure")\n'}) == [("PF202", "settings.py", 2, 14, "critical")]


TUTORIAL = """import os
from flask import Flask


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    return app
"""


def test_development_default_the_instance_config_replaces_is_low(scan):
    """Flask's tutorial: ``SECRET_KEY="dev"`` for development, then the instance config (outside the
    repository, per Flask's deployment docs) loaded silently on the production path replaces it. The key in
    production is not in the code check reads: low, pointing at inspect, which sees the loaded key."""
    assert scan({"flaskr/__init__.py": TUTORIAL}) == [("PF202", "flaskr/__init__.py", 8, 20, "low")]
    message = scan.message("PF202", 8)
    assert "`app.config.from_pyfile('config.py', silent=True)`, line 12" in message
    assert "flask-preflight inspect" in message and "PF503" in message


@pytest.mark.parametrize("write, loader", [
    ('app.secret_key = "dev"', 'app.config.from_envvar("APP_SETTINGS", silent=True)'),
    ('app.config["SECRET_KEY"] = "dev"', "app.config.from_prefixed_env()"),
    ('app.config.update(SECRET_KEY="dev")', 'app.config.from_file("config.json", load=json.load, silent=True)'),
])
def test_other_writes_and_loaders_that_may_replace_the_key(scan, write, loader):
    src = f"import json\nfrom flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    {write}\n    {loader}\n    return app\n"
    found = scan({"factory.py": src})
    assert [(r, p, line, sev) for r, p, line, _, sev in found] == [("PF202", "factory.py", 6, "low")]


@pytest.mark.parametrize("src", [
    # the loader runs before the literal: the literal wins
    'def create_app():\n    app = Flask(__name__)\n    app.config.from_pyfile("config.py", silent=True)\n'
    '    app.config["SECRET_KEY"] = "dev"\n    return app\n',
    # a loader that must find its file (no silent=True) is not the tutorial's optional instance config
    'def create_app():\n    app = Flask(__name__)\n    app.config["SECRET_KEY"] = "dev"\n'
    '    app.config.from_pyfile("config.py")\n    return app\n',
    # another app's config, and a loader in another function, replace nothing here
    'def create_app():\n    app = Flask(__name__)\n    app.config["SECRET_KEY"] = "dev"\n'
    '    other = Flask("other")\n    other.config.from_pyfile("config.py", silent=True)\n    return app\n',
    'def create_app():\n    app = Flask(__name__)\n    app.config["SECRET_KEY"] = "dev"\n    return app\n\n'
    'def load(app):\n    app.config.from_pyfile("config.py", silent=True)\n',
], ids=["loader-first", "not-silent", "other-app", "other-function"])
def test_a_literal_no_later_silent_loader_of_the_same_config_replaces_stays_hard_coded(scan, src):
    found = scan({"factory.py": "from flask import Flask\n\n" + src})
    assert [(r, p, sev) for r, p, _, _, sev in found] == [("PF201", "factory.py", "critical")]


# ---- negatives ----------------------------------------------------------------------------------

def test_fail_closed_and_no_default(scan):
    src = FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\napp.config["SECRET_KEY"] = os.getenv("SECRET_KEY")\n'
    assert scan({"app.py": src}) == []


# ---- a module-level dict filled key by key, applied by another module ----------------------------------

DICT_CONFIG = """\
from os import environ

CONFIG: dict = {"SECRET_KEY": "kq83hf02hf82hf02hf8h2f0h"}
CONFIG["SECRET_KEY"] = environ.get("SECRET_KEY") or "dev"
CONFIG["DEBUG"] = False
"""
DICT_APP = """\
from flask import Flask

from pkg.config import CONFIG

app = Flask(__name__)
app.config.from_mapping(CONFIG)
"""


def test_fallback_written_into_a_dict_another_module_applies(scan):
    files = {"pkg/__init__.py": DICT_APP, "pkg/config.py": DICT_CONFIG}
    assert scan(files, select=["PF201", "PF202"]) == [("PF202", "pkg/config.py", 4, 1, "critical")]
    assert scan.severity("PF202", 4) == "critical" and scan.findings[0].column == 1
    assert "falls back to a literal when SECRET_KEY is unset" in scan.message("PF202", 4)


@pytest.mark.parametrize("write", [
    'CONFIG["SECRET_KEY"] = environ["SECRET_KEY"]',  # required: no fallback, and it replaces the display's literal
    'CONFIG["SECRET_KEY"] = environ.get("SECRET_KEY")',  # None when unset, never a literal
])
def test_dict_write_without_a_literal_fallback(scan, write):
    config = DICT_CONFIG.replace('CONFIG["SECRET_KEY"] = environ.get("SECRET_KEY") or "dev"', write)
    assert scan({"pkg/__init__.py": DICT_APP, "pkg/config.py": config}, select=["PF201", "PF202"]) == []


def test_dict_nobody_applies_to_app_config(scan):
    app = DICT_APP.replace("app.config.from_mapping(CONFIG)", "print(CONFIG)")
    assert scan({"pkg/__init__.py": app, "pkg/config.py": DICT_CONFIG}, select=["PF201", "PF202"]) == []


# ---- the code refuses to start without the variable ---------------------------------------------

def _exact(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


GUARDED_CONFIG = """\
import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-key"


class DevelopmentConfig(Config):
    DEBUG = True


class ProductionConfig(Config):
    @classmethod
    def init_app(cls, app):
        if not os.environ.get("SECRET_KEY"):
            raise ValueError("SECRET_KEY must be set in production")
"""


def test_production_config_that_raises_without_the_variable(scan):
    """The fallback lives in the base class; the only deployable subclass raises in init_app when the
    variable is unset, so production never runs with the literal (development may, which is not reported)."""
    assert scan({"config.py": GUARDED_CONFIG}) == []


def test_a_deployable_subclass_without_the_guard_still_falls_back(scan):
    """Tricky positive beside it: a staging config inherits the fallback with no guard, and a production
    config whose init_app only logs the problem starts anyway."""
    staging = GUARDED_CONFIG + "\n\nclass StagingConfig(Config):\n    DEBUG = False\n"
    assert scan({"config.py": staging}) == [("PF202", "config.py", 5, 18, "high")]
    warn_only = GUARDED_CONFIG.replace('raise ValueError("SECRET_KEY must be set in production")',
                                       'print("SECRET_KEY should be set in production")')
    assert scan({"config.py": warn_only}) == [("PF202", "config.py", 5, 18, "high")]
    assert _exact(scan) == [("PF202", "config.py", 5, 18, "high")]


# ---- a key PyJWT signs with, whatever its variable is called ---------------------------------------

JWT_API = """\
import os
import jwt
from flask import Flask, request

TOKEN_KEY = os.environ.get("TOKEN_KEY", "k3y-from-the-readme")
LEVEL = os.environ.get("LOG_LEVEL", "INFO")
app = Flask(__name__)


@app.route("/auth", methods=["POST"])
def auth():
    return jwt.encode({"sub": request.json["email"]}, TOKEN_KEY, algorithm="HS256")


@app.route("/me")
def me():
    return jwt.decode(request.headers["Authorization"], key=TOKEN_KEY, algorithms=["HS256"])
"""


def test_jwt_key_with_a_literal_fallback(scan):
    assert scan({"api.py": JWT_API}, select=["PF201", "PF202"]) == [("PF202", "api.py", 5, 13, "high")]
    assert "falls back to a literal when TOKEN_KEY is unset" in scan.message("PF202", 5)


def test_itsdangerous_serializer_key_with_placeholder_fallback(scan):
    src = ("import os\nfrom itsdangerous import URLSafeTimedSerializer\n"
           "signer = URLSafeTimedSerializer(os.getenv('RESET_KEY') or 'changeme', salt='reset')\n")
    assert scan({"tokens.py": src}, select=["PF201", "PF202"]) == [("PF202", "tokens.py", 3, 33, "critical")]


def test_jwt_key_negatives(scan):
    """Fail-closed keys, a non-key variable with a fallback, and a key from app.config are not findings."""
    src = JWT_API.replace('os.environ.get("TOKEN_KEY", "k3y-from-the-readme")', 'os.environ["TOKEN_KEY"]')
    src += ('\ndef refresh(token):\n    return jwt.decode(token, app.config["JWT_KEY"], algorithms=["HS256"])\n'
            '\ndef other(payload):\n    return jwt.encode(payload, os.getenv("OTHER_KEY"))\n')
    assert scan({"api.py": src}, select=["PF201", "PF202"]) == []
