"""PF105 debug-fail-open-default: debug read from the environment but on when the variable is missing."""

FLASK = "import os\nfrom flask import Flask\napp = Flask(__name__)\n"


def test_truthy_defaults(scan):
    src = FLASK + """
app.run(debug=os.environ.get("FLASK_DEBUG", True))
app.config["DEBUG"] = os.getenv("DEBUG", "1")
DEBUG = bool(os.getenv("DEBUG", "true"))
APP_DEBUG = os.getenv("APP_DEBUG", "True").lower() in ("1", "true")
"""
    found = scan({"app.py": src})
    assert found == [
        ("PF102", "app.py", 5, 1, "high"),
        ("PF105", "app.py", 5, 15, "high"),
        ("PF105", "app.py", 6, 23, "high"),
        ("PF105", "app.py", 7, 9, "high"),
        ("PF105", "app.py", 8, 13, "high"),
    ]
    assert "FLASK_DEBUG is unset" in scan.message("PF105", 5)


def test_string_truthiness_bug(scan):
    src = FLASK + 'DEBUG = bool(os.getenv("DEBUG"))\napp.debug = os.environ.get("FLASK_DEBUG")\n'
    assert scan({"app.py": src}) == [("PF105", "app.py", 4, 9, "high"), ("PF105", "app.py", 5, 13, "high")]
    assert "FLASK_DEBUG=False still enables" in scan.message("PF105", 5)


def test_raw_string_bug_beside_an_unrelated_comparison_is_still_reported(scan):
    """Tricky positive: the module compares another variable with "production"; no value of FLASK_DEBUG but
    the empty string turns the raw string off, so the finding stands."""
    src = FLASK + ('ENV = os.getenv("APP_ENV") == "production"\n'
                   'app.debug = os.environ.get("FLASK_DEBUG")\n')
    assert scan({"app.py": src}) == [("PF105", "app.py", 5, 13, "high")]


def test_a_comparison_is_a_selector_not_a_raw_string(scan):
    """`is_production = ENVIRONMENT == "production"` then `debug=not is_production`: ENVIRONMENT=False leaves
    debug on, but ENVIRONMENT=production switches it off, so "cannot be switched off" would be false (the
    run is __main__-only; with the variable unset os.environ[...] raises, so nothing defaults to on)."""
    src = FLASK + ('if __name__ == "__main__":\n'
                   '    is_production = os.environ["ENVIRONMENT"] == "production"\n'
                   '    app.run(debug=not is_production)\n')
    assert scan({"app.py": src}) == []


def test_config_class_attribute(scan):
    src = "import os\nclass Config:\n    DEBUG = os.environ.get('DEBUG', 'True') == 'True'\n"
    assert scan({"config.py": src}) == [("PF105", "config.py", 3, 13, "high")]


def test_decouple_and_environs(scan):
    files = {
        "a.py": "from decouple import config\nDEBUG = config('DEBUG', default=True, cast=bool)\n",
        "b.py": "from environs import Env\nenv = Env()\nDEBUG = env.bool('FLASK_DEBUG', True)\n",
    }
    assert scan(files) == [("PF105", "a.py", 2, 9, "high"), ("PF105", "b.py", 3, 9, "high")]


# ---- negatives ----------------------------------------------------------------------------------

def test_safe_env_parsing(scan):
    src = FLASK + """
DEBUG = os.getenv("DEBUG", "False") == "True"
FLASK_DEBUG = os.environ.get("FLASK_DEBUG", "0").lower() in ("1", "true", "yes")
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"
app.debug = int(os.environ.get("DEBUG", 0))
class Config:
    DEBUG = os.environ.get("DEBUG", "false").lower() == "true"
class DevelopmentConfig:
    DEBUG = os.environ.get("DEBUG", True)
"""
    assert scan({"app.py": src}) == []


def test_fail_closed_lookup_is_not_fail_open(scan):
    src = FLASK + 'DEBUG = os.environ["DEBUG"] == "1"\n'
    assert scan({"app.py": src}) == []


def test_raw_env_string_in_config_class_cannot_be_switched_off(scan):
    src = "import os\nclass Config:\n    DEBUG = os.environ.get('DEBUG', False)\n"
    assert scan({"config.py": src}) == [("PF105", "config.py", 3, 13, "high")]
    assert "cannot be switched off" in scan.message("PF105", 3)


def test_environs_module_singleton(scan):
    assert scan({"settings.py": "from environs import env\nDEBUG = env.bool('FLASK_DEBUG', True)\n"}) == [("PF105", "settings.py", 2, 9, "high")]


def test_django_and_fastapi_debug_settings_are_not_flask(scan):
    files = {
        "api/main.py": "import os\nfrom fastapi import FastAPI\nDEBUG = bool(os.getenv('DEBUG', 'true'))\napp = FastAPI(debug=DEBUG)\n",
        "mysite/settings.py": "import os\nDEBUG = os.environ.get('DJANGO_DEBUG', 'True') == 'True'\nINSTALLED_APPS = []\n",
    }
    assert scan(files) == []
