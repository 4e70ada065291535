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
    assert scan({"app.py": src}) == [("PF210", "app.py", n) for n in (5, 6, 6, 7, 9, 10)]
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
    assert found == [("PF210", "app.py", 8), ("PF210", "app.py", 9), ("PF210", "app.py", 10), ("PF210", "app.py", 10)]


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
    assert scan({"app.py": src}) == [("PF210", "app.py", 12)]


def test_samesite_none_and_env_toggles_are_low(scan):
    src = FLASK + 'app.config["SESSION_COOKIE_SAMESITE"] = None\napp.config["SESSION_COOKIE_SECURE"] = os.environ.get("HTTPS") == "1"\n'
    assert scan({"app.py": src}) == [("PF210", "app.py", 4), ("PF210", "app.py", 5)]
    assert scan.severity("PF210", 4) == "low"
    assert scan.severity("PF210", 5) == "low"
