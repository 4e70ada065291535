"""PF302 exceptions-propagated: PROPAGATE_EXCEPTIONS / TRAP_HTTP_EXCEPTIONS outside tests."""

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def test_positive_forms(scan):
    files = {
        "app.py": FLASK + 'app.config["PROPAGATE_EXCEPTIONS"] = True\napp.config.update(TRAP_HTTP_EXCEPTIONS=True)\n',
        "config.py": "class ProductionConfig:\n    PROPAGATE_EXCEPTIONS = True\n",
    }
    assert scan(files) == [("PF302", "app.py", 3, 38, "medium"), ("PF302", "app.py", 4, 40, "low"), ("PF302", "config.py", 2, 28, "medium")]
    assert scan.severity("PF302", 3) == "medium"
    assert scan.severity("PF302", 4) == "low"


# ---- negatives ----------------------------------------------------------------------------------

def test_off_or_in_tests(scan):
    files = {
        "app.py": FLASK + 'app.config["PROPAGATE_EXCEPTIONS"] = False\n',
        "config.py": "class TestingConfig:\n    TESTING = True\n    PROPAGATE_EXCEPTIONS = True\n",
        "tests/test_app.py": FLASK + 'app.config["PROPAGATE_EXCEPTIONS"] = True\n',
    }
    assert scan(files) == []
