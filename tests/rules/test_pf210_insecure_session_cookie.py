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
