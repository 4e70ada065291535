"""PF211 csrf-protection-disabled: Flask-WTF CSRF switched off outside tests, or views exempted."""

FLASK = "from flask import Flask, session, request\nfrom flask_wtf.csrf import CSRFProtect\napp = Flask(__name__)\ncsrf = CSRFProtect(app)\n"


def test_config_switches(scan):
    files = {
        "app.py": FLASK + 'app.config["WTF_CSRF_ENABLED"] = False\n',
        "config.py": "class ProductionConfig:\n    WTF_CSRF_CHECK_DEFAULT = False\n",
    }
    assert scan(files) == [("PF211", "app.py", 5), ("PF211", "config.py", 2)]
    assert scan.severity("PF211", 5) == "high"


def test_exempt_views_graded_by_what_they_do(scan):
    src = FLASK + """
@app.route("/transfer", methods=["POST"])
@csrf.exempt
def transfer():
    session["balance"] = request.form["amount"]
    return "ok"

@app.post("/webhook")
@csrf.exempt
def webhook():
    return "ok"

@app.route("/ping")
@csrf.exempt
def ping():
    return "pong"

csrf.exempt(api_bp)
"""
    assert scan({"app.py": src}) == [("PF211", "app.py", n) for n in (7, 13, 18, 22)]
    assert scan.severity("PF211", 7) == "high"
    assert scan.severity("PF211", 13) == "medium"
    assert scan.severity("PF211", 18) == "low"


# ---- negatives ----------------------------------------------------------------------------------

def test_test_configuration_is_not_a_finding(scan):
    files = {
        "config.py": "class TestingConfig:\n    TESTING = True\n    WTF_CSRF_ENABLED = False\n\n"
                     "class Config:\n    WTF_CSRF_ENABLED = True\n",
        "tests/conftest.py": FLASK + 'app.config["WTF_CSRF_ENABLED"] = False\n',
        "factory.py": FLASK + 'def make_test_app():\n    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)\n',
        "manual.py": FLASK + 'app.config["WTF_CSRF_CHECK_DEFAULT"] = False\n@app.before_request\ndef check():\n    csrf.protect()\n',
    }
    assert scan(files) == []


def test_login_required_counts_as_session_auth_and_webhooks_are_low(scan):
    src = FLASK + """import hmac
from flask_login import login_required

@app.route("/profile", methods=["POST"])
@login_required
@csrf.exempt
def profile():
    return "ok"

@app.route("/hooks/github", methods=["POST"])
@csrf.exempt
def github_hook():
    if not hmac.compare_digest(request.headers["X-Hub-Signature-256"], "x"):
        return "bad", 400
    return "ok"
"""
    assert scan({"app.py": src}) == [("PF211", "app.py", 10), ("PF211", "app.py", 15)]
    assert scan.severity("PF211", 10) == "high"
    assert scan.severity("PF211", 15) == "low"
