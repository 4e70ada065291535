"""PF210 insecure-session-cookie: cookie flags explicitly weakened in code."""

FLASK = "import os\nfrom flask import Flask, make_response\napp = Flask(__name__)\n"


def test_config_flags(scan):
    src = FLASK + """
app.config["SESSION_COOKIE_SECURE"] = False
app.config.update(SESSION_COOKIE_HTTPONLY=False, SESSION_COOKIE_SAMESITE=None)
app.config["REMEMBER_COOKIE_SAMESITE"] = "None"
class ProductionConfig:
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = os.environ.get("HTTPONLY", "0") == "1"
"""
    assert scan({"app.py": src}) == [
        ("PF210", "app.py", 5, 39, "medium"),
        ("PF210", "app.py", 6, 43, "medium"),
        ("PF210", "app.py", 6, 74, "low"),
        ("PF210", "app.py", 7, 42, "medium"),
        ("PF210", "app.py", 9, 30, "medium"),
        ("PF210", "app.py", 10, 32, "medium"),
    ]
    assert "when HTTPONLY is unset" in scan.message("PF210", 10)


def test_set_cookie_on_auth_cookies(scan):
    src = FLASK + """
@app.route("/login")
def login():
    resp = make_response("ok")
    resp.set_cookie("session_token", "x", httponly=False)
    resp.set_cookie("jwt", "x", secure=False, httponly=True)
    resp.set_cookie("remember_me", "x", None, None, "/", None, False, False)
    return resp
"""
    found = scan({"app.py": src})
    assert found == [
        ("PF210", "app.py", 8, 52, "medium"),
        ("PF210", "app.py", 9, 40, "medium"),
        ("PF210", "app.py", 10, 64, "medium"),
        ("PF210", "app.py", 10, 71, "medium"),
    ]


# ---- negatives ----------------------------------------------------------------------------------

def test_secure_settings_dev_configs_and_harmless_cookies(scan):
    src = FLASK + """
app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
class DevelopmentConfig:
    SESSION_COOKIE_SECURE = False
class TestingConfig:
    SESSION_COOKIE_SECURE = False

@app.route("/prefs")
def prefs():
    resp = make_response("ok")
    resp.set_cookie("theme", "dark", httponly=False)
    resp.set_cookie("session", "x", secure=True, httponly=True)
    return resp
"""
    assert scan({"app.py": src}) == []


def test_cookie_names_match_by_word_and_xsrf_cookie_may_be_script_readable(scan):
    src = FLASK + """
@app.route("/x")
def x():
    resp = make_response("ok")
    resp.set_cookie("user_lang", "en", httponly=False)
    resp.set_cookie("sidebar_collapsed", "1", httponly=False)
    resp.set_cookie("accessibility_mode", "1", httponly=False)
    resp.set_cookie("XSRF-TOKEN", "t", httponly=False, secure=True)
    resp.set_cookie("XSRF-TOKEN", "t", secure=False)
    return resp
"""
    assert scan({"app.py": src}) == [("PF210", "app.py", 12, 47, "medium")]


def _rows(scan):
    return sorted((f.rule_id, f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.value) for f in scan.findings)


def test_samesite_none_is_low_and_a_secure_flag_off_by_default_is_medium(scan):
    src = FLASK + 'app.config["SESSION_COOKIE_SAMESITE"] = None\napp.config["SESSION_COOKIE_SECURE"] = os.environ.get("HTTPS") == "1"\n'
    assert scan({"app.py": src}) == [("PF210", "app.py", 4, 41, "low"), ("PF210", "app.py", 5, 39, "medium")]
    assert scan.severity("PF210", 4) == "low"
    assert scan.severity("PF210", 5) == "medium"  # unset -> False: a deployment that forgets HTTPS=1 sends it over HTTP
    assert "(a deployment that does not set HTTPS runs like this)" in scan.message("PF210", 5)


def test_env_default_chains_through_project_bool_parsers(scan):
    files = {
        "settings/helpers.py": "def parse_boolean(s):\n    return s.strip().lower() in ('yes', 'true', 'on', '1')\n",
        "settings/__init__.py": """import os
from flask import Flask
from .helpers import parse_boolean
ENFORCE_HTTPS = parse_boolean(os.environ.get("APP_ENFORCE_HTTPS", "false"))
COOKIES_SECURE = parse_boolean(os.environ.get("APP_COOKIES_SECURE", str(ENFORCE_HTTPS)))
SESSION_COOKIE_SECURE = parse_boolean(os.environ.get("APP_SESSION_COOKIE_SECURE") or str(COOKIES_SECURE))
REMEMBER_COOKIE_SECURE = bool(os.getenv("APP_REMEMBER_SECURE", False))
""",
    }
    assert scan(files) == [("PF210", "settings/__init__.py", 6, 25, "medium"), ("PF210", "settings/__init__.py", 7, 26, "medium")]
    assert _rows(scan) == [("PF210", "__init__.py", 6, 25, "medium"), ("PF210", "__init__.py", 7, 26, "medium")]
    assert "when APP_SESSION_COOKIE_SECURE and APP_ENFORCE_HTTPS and APP_COOKIES_SECURE are unset" in scan.message("PF210", 6)


def test_env_defaults_that_end_true_are_quiet_and_none_is_graded_by_the_flag(scan):
    files = {
        "settings.py": """import os
from flask import Flask
def to_bool(s):
    return s == "true"
SESSION_COOKIE_SECURE = to_bool(os.environ.get("APP_SECURE", "true"))
REMEMBER_COOKIE_SECURE = os.environ.get("APP_REMEMBER_SECURE", "True") == "True"
SESSION_COOKIE_HTTPONLY = not os.environ.get("APP_NO_HTTPONLY")
REMEMBER_COOKIE_HTTPONLY = os.environ.get("APP_REMEMBER_HTTPONLY")
SESSION_COOKIE_SAMESITE = os.environ.get("APP_SAMESITE", "Lax")
SESSION_COOKIE_SECURE = os.environ.get("APP_SESSION_SECURE")
""",
    }
    assert scan(files) == [("PF210", "settings.py", 8, 28, "medium"), ("PF210", "settings.py", 10, 25, "low")]
    # None drops HttpOnly, which Flask-Login sets by default (a weakening: medium); for Secure, None is
    # what Flask does anyway (a choice left to the deployment: low)
    assert _rows(scan) == [("PF210", "settings.py", 8, 28, "medium"), ("PF210", "settings.py", 10, 25, "low")]
