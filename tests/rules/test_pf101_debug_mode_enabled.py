"""PF101 debug-mode-enabled: every spelling that switches Flask's debug mode on, graded by reachability."""

import pytest

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def test_run_debug_true_at_module_level_is_high(scan):
    assert scan({"app.py": FLASK + "app.run(debug=True)\n"}) == [("PF101", "app.py", 3, 15, "high"), ("PF102", "app.py", 3, 1, "high")]
    assert scan.severity("PF101", 3) == "high"


def test_run_debug_true_under_main_guard_is_low_and_says_so(scan):
    assert scan({"app.py": FLASK + 'if __name__ == "__main__":\n    app.run(debug=True)\n'}) == [("PF101", "app.py", 4, 19, "low")]
    assert scan.severity("PF101", 4) == "low"
    assert "python file.py" in scan.message("PF101", 4)


def test_positional_debug_argument(scan):
    assert scan({"app.py": FLASK + 'if __name__ == "__main__":\n    app.run("127.0.0.1", 5000, True)\n'}) == [("PF101", "app.py", 4, 32, "low")]


def test_app_debug_attribute(scan):
    assert scan({"app.py": FLASK + "app.debug = True\n"}) == [("PF101", "app.py", 3, 13, "high")]
    assert scan.severity("PF101", 3) == "high"


def test_config_subscript_update_and_from_mapping_forms(scan):
    src = FLASK + """
app.config["DEBUG"] = True
app.config.update(DEBUG=True, SECRET_KEY="x")
app.config.update({"DEBUG": True})
app.config.update(dict(DEBUG=1))
app.config.from_mapping(DEBUG=True)
OPTIONS = {"DEBUG": True}
app.config.update(**OPTIONS)
app.config.update(OPTIONS)
"""
    assert scan({"app.py": src}, select=["PF1"]) == [
        ("PF101", "app.py", 4, 23, "high"),
        ("PF101", "app.py", 5, 25, "high"),
        ("PF101", "app.py", 6, 29, "high"),
        ("PF101", "app.py", 7, 30, "high"),
        ("PF101", "app.py", 8, 31, "high"),
        ("PF101", "app.py", 10, 1, "high"),
        ("PF101", "app.py", 11, 1, "high"),
    ]


def test_setdefault_is_a_no_op_because_flask_prefills_debug(scan):
    assert scan({"app.py": FLASK + 'app.config.setdefault("DEBUG", True)\n'}) == []


def test_value_resolved_through_module_constant(scan):
    src = FLASK + "DEBUG = True\napp.config['DEBUG'] = DEBUG\nif __name__ == '__main__':\n    app.run(debug=DEBUG)\n"
    assert scan({"app.py": src}) == [("PF101", "app.py", 4, 23, "high"), ("PF101", "app.py", 6, 19, "low")]
    assert scan.severity("PF101", 4) == "high"
    assert scan.severity("PF101", 6) == "low"
    assert "(DEBUG is True)" in scan.message("PF101", 4)


def test_app_factory_receiver(scan):
    src = "from myapp import create_app\napp = create_app()\napp.run(debug=True)\n"
    assert scan({"run.py": src}) == [("PF101", "run.py", 3, 15, "high"), ("PF102", "run.py", 3, 1, "high")]


def test_debug_set_inside_app_factory_is_high(scan):
    src = "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    app.debug = True\n    return app\n"
    assert scan({"app.py": src}) == [("PF101", "app.py", 5, 17, "high")]
    assert scan.severity("PF101", 5) == "high"


def test_from_object_same_module_class_loaded_unconditionally(scan):
    src = FLASK + "class LocalConfig:\n    DEBUG = True\napp.config.from_object(LocalConfig)\n"
    assert scan({"app.py": src}) == [("PF101", "app.py", 5, 1, "high")]
    assert "unconditionally" in scan.message("PF101", 5)


def test_from_object_development_config_imported_from_project_unconditionally(scan):
    files = {
        "myapp/__init__.py": """
            from flask import Flask
            from .config import DevelopmentConfig

            def create_app():
                app = Flask(__name__)
                app.config.from_object(DevelopmentConfig)
                return app
            """,
        "myapp/config.py": "class Config:\n    DEBUG = False\n\nclass DevelopmentConfig(Config):\n    DEBUG = True\n",
    }
    assert scan(files) == [("PF101", "myapp/__init__.py", 6, 5, "high")]
    assert "myapp/config.py:5" in scan.message("PF101", 6).replace("\\", "/")


def test_from_object_dotted_string(scan):
    files = {
        "app.py": FLASK + "app.config.from_object('settings.LocalConfig')\n",
        "settings.py": "class LocalConfig:\n    DEBUG = True\n",
    }
    assert scan(files) == [("PF101", "app.py", 3, 1, "high")]


def test_from_object_module_and_from_pyfile(scan):
    files = {
        "app.py": FLASK + "app.config.from_object('appsettings')\napp.config.from_pyfile('local.py')\n",
        "appsettings.py": "DEBUG = True\n",
        "local.py": "DEBUG = 1\n",
    }
    assert scan(files) == [("PF101", "app.py", 3, 1, "high"), ("PF101", "app.py", 4, 1, "high")]


def test_production_named_config_with_debug_and_inherited_debug(scan):
    files = {"config.py": """
        class Config:
            DEBUG = True

        class ProductionConfig(Config):
            SECRET_KEY = None

        class StagingConfig:
            DEBUG = True

        class DevelopmentConfig(Config):
            pass

        class TestingConfig(Config):
            TESTING = True
        """}
    assert scan(files) == [
        ("PF101", "config.py", 2, 5, "medium"),
        ("PF101", "config.py", 4, 1, "high"),
        ("PF101", "config.py", 8, 5, "high"),
    ]
    assert scan.severity("PF101", 4) == "high"
    assert "inherits DEBUG" in scan.message("PF101", 4)


def test_factory_parameter_default_config_class(scan):
    files = {
        "app.py": """
            from flask import Flask
            from config import DevelopmentConfig

            def create_app(config_class=DevelopmentConfig):
                app = Flask(__name__)
                app.config.from_object(config_class)
                return app
            """,
        "config.py": "class DevelopmentConfig:\n    DEBUG = True\n",
    }
    assert scan(files) == [("PF101", "app.py", 6, 5, "medium")]


def test_env_default_selects_debug_config(scan):
    files = {
        "app.py": FLASK + "import os\napp.config.from_object(os.getenv('APP_SETTINGS', 'config.DevelopmentConfig'))\n",
        "config.py": "class DevelopmentConfig:\n    DEBUG = True\n\nclass ProductionConfig:\n    DEBUG = False\n",
    }
    assert scan(files) == [("PF101", "app.py", 4, 1, "high")]
    assert "APP_SETTINGS is unset" in scan.message("PF101", 4)


CONFIG_WITH_DEFAULT = """
        class Config:
            DEBUG = False

        class DevelopmentConfig(Config):
            DEBUG = True

        class ProductionConfig(Config):
            pass

        config = {
            "development": DevelopmentConfig,
            "production": ProductionConfig,
            "default": DevelopmentConfig,
        }
        """


def test_config_mapping_default_entry_is_reported_when_code_names_it(scan):
    """`create_app(os.getenv("FLASK_CONFIG") or "default")`: the launcher names the fallback entry, so an
    unset variable loads the debug class through it."""
    wsgi = """
        import os
        from app import create_app

        app = create_app(os.getenv("FLASK_CONFIG") or "default")
        """
    app = """
        from flask import Flask
        from config import config

        def create_app(name):
            app = Flask(__name__)
            app.config.from_object(config[name])
            return app
        """
    found = scan({"config.py": CONFIG_WITH_DEFAULT, "app.py": app, "wsgi.py": wsgi}, select=["PF101"])
    # the launcher's own call is reported too: it loads the debug class while FLASK_CONFIG is unset
    assert found == [("PF101", "config.py", 13, 5, "medium"), ("PF101", "wsgi.py", 4, 7, "high")]
    assert scan.severity("PF101", 13) == "medium"


def test_config_mapping_default_entry_named_by_a_launcher_that_does_not_parse(tmp_path):
    """A Python 2 manage.py (`print "..."`) has no tree, but its text `create_app(... or 'default')` still
    names the entry: unknown code is not taken as proof that nothing looks it up."""
    manage = ("import os\nfrom app import create_app\napp = create_app(os.getenv('FLASK_CONFIG') or 'default')\n"
              "print 'ready'\n")
    app = """
        from flask import Flask
        from config import config

        def create_app(name):
            app = Flask(__name__)
            app.config.from_object(config[name])
            return app
        """
    import pathlib
    import textwrap

    from flask_preflight.config import Settings
    from flask_preflight.static.engine import run_check

    for name, text in {"config.py": CONFIG_WITH_DEFAULT, "app.py": app, "manage.py": manage}.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    settings = Settings(project_root=str(tmp_path), respect_gitignore=False)
    settings.select = ["PF101"]
    result = run_check([str(tmp_path)], settings)
    assert [p.kind.value for p in result.problems] == ["syntax-error"]
    assert sorted((f.rule_id, pathlib.Path(f.path).relative_to(tmp_path).as_posix(), f.line, f.column,
                   f.severity.value) for f in result.findings) == [("PF101", "config.py", 13, 5, "medium")]


def test_config_mapping_default_entry_no_code_names_is_not_reported(scan):
    """Tricky negative: `config[os.environ["APP_CONFIG"]]` never falls back to the "default" entry (a missing
    name raises KeyError), and nothing in the project says "default": the entry is never looked up."""
    files = {"config.py": """
        class Config:
            DEBUG = False

        class DevelopmentConfig(Config):
            DEBUG = True

        class ProductionConfig(Config):
            pass

        config = {
            "development": DevelopmentConfig,
            "production": ProductionConfig,
            "default": DevelopmentConfig,
        }
        """, "app.py": """
        import os
        from flask import Flask
        from config import config

        def create_app():
            app = Flask(__name__)
            app.config.from_object(config[os.environ["APP_CONFIG"]])
            return app
        """, "tests/test_app.py": """
        from config import config

        def test_default():
            assert config["default"]
        """}
    assert scan(files) == []  # a test naming it is test configuration


MAPPING_WITH_HELPER = """
    import os

    class DevelopmentConfig:
        DEBUG = True

    class ProductionConfig:
        DEBUG = False

    config_dict = {"development": DevelopmentConfig, "production": ProductionConfig, "default": DevelopmentConfig}

    def get_config():
        return config_dict.get(os.getenv("FLASK_ENV", "development"), config_dict["default"])
    """


def test_config_mapping_used_through_a_helper_another_module_calls(scan):
    """The fallback entry is reported when a factory looks a name up through the mapping's helper."""
    app = """
        from flask import Flask
        import config

        def build():
            app = Flask(__name__)
            app.config.from_object(config.get_config())
            return app
        """
    assert scan({"config.py": MAPPING_WITH_HELPER, "app.py": app}, select=["PF101"]) == [
        ("PF101", "app.py", 6, 5, "high"),  # the helper returns DevelopmentConfig when FLASK_ENV is unset
        ("PF101", "config.py", 9, 82, "medium"),
    ]
    assert "fallback config 'default'" in scan.message("PF101", 9)


def test_config_mapping_nothing_uses_is_not_reported(scan):
    """config_dict and get_config() are dead code when the app picks its class itself: no lookup falls back."""
    app = """
        import os
        from flask import Flask
        from config import DevelopmentConfig, ProductionConfig

        def build():
            app = Flask(__name__)
            app.config.from_object(ProductionConfig if os.getenv("FLASK_ENV") == "production" else ProductionConfig)
            return app
        """
    assert scan({"config.py": MAPPING_WITH_HELPER, "app.py": app}, select=["PF101"]) == []


# ---- negatives ----------------------------------------------------------------------------------

def test_env_driven_debug_with_safe_default_in_main_guard(scan):
    src = FLASK + "import os\nif __name__ == '__main__':\n    app.run(debug=os.environ.get('FLASK_DEBUG', '0') == '1')\n"
    assert scan({"app.py": src}) == []


def test_development_config_only_loaded_in_development(scan):
    files = {
        "app.py": FLASK + """import os
from config import DevelopmentConfig, ProductionConfig
if os.environ.get("FLASK_ENV") == "development":
    app.config.from_object(DevelopmentConfig)
else:
    app.config.from_object(ProductionConfig)
""",
        "config.py": "class ProductionConfig:\n    DEBUG = False\n\nclass DevelopmentConfig:\n    DEBUG = True\n",
    }
    assert scan(files) == []


def test_dev_and_test_configs_alone_are_not_findings(scan):
    files = {"config.py": """
        class DevelopmentConfig:
            DEBUG = True

        class TestingConfig:
            DEBUG = True
            TESTING = True

        class LocalSettings:
            DEBUG = True
        """}
    assert scan(files) == []


def test_debug_false_everywhere(scan):
    src = FLASK + "app.debug = False\napp.config['DEBUG'] = False\napp.config.update(DEBUG=0)\nclass ProductionConfig:\n    DEBUG = False\n"
    assert scan({"app.py": src}) == []


def test_non_flask_run_calls(scan):
    files = {
        "api.py": "from fastapi import FastAPI\nimport uvicorn\napp = FastAPI(debug=True)\nuvicorn.run(app, debug=True)\napp.run(debug=True)\n",
        "tasks.py": "import asyncio, subprocess\nasyncio.run(main(), debug=True)\nsubprocess.run(['ls'])\n",
        "manage.py": "from django.core.management import execute_from_command_line\nexecute_from_command_line()\n",
    }
    assert scan(files) == []


def test_argparse_and_unknown_values_are_not_findings(scan):
    src = FLASK + "import argparse\nif __name__ == '__main__':\n    args = argparse.ArgumentParser().parse_args()\n    app.run(debug=args.debug)\n"
    assert scan({"app.py": src}) == []


def test_debug_gated_by_a_debug_condition_is_not_a_finding(scan):
    src = FLASK + "import os\nif os.environ.get('FLASK_DEBUG') == '1':\n    app.debug = True\n"
    assert scan({"app.py": src}) == []


def test_test_code_is_reported_low(scan):
    files = {"tests/conftest.py": FLASK + "app.config['DEBUG'] = True\n"}
    assert scan(files) == [("PF101", "tests/conftest.py", 3, 23, "low")]
    assert scan.severity("PF101", 3) == "low"


# ---- regressions from review of real-world shapes ----------------------------------------------

def test_non_flask_receivers_are_not_flask_apps(scan):
    files = {
        "app/mailer.py": """
            import logging
            from flask import current_app

            class Mailer:
                def __init__(self):
                    self.debug = True
                    self.config = {}
                    self.config["DEBUG"] = True

            def configure(parser):
                args = parser.parse_args()
                args.debug = True
                h = logging.StreamHandler()
                h.debug = True
            """,
        "gui.py": "import tkinter as tk\napp = tk.Tk()\napp.debug = True\n",
    }
    assert scan(files) == []


def test_classes_that_are_not_config_are_not_judged_by_name(scan):
    files = {"app/logging_setup.py": """
        import enum

        class CoreLogLevel:
            DEBUG = 10

        class ReleaseChannel(enum.Enum):
            DEBUG = "debug"
        """}
    assert scan(files) == []


def test_flask_debug_set_in_os_environ(scan):
    files = {
        "a.py": "import os\nos.environ['FLASK_DEBUG'] = '1'\nfrom flask import Flask\napp = Flask(__name__)\n",
        "b.py": "import os\nos.environ.setdefault('FLASK_DEBUG', 'true')\n",
    }
    assert scan(files) == [("PF101", "a.py", 2, 1, "high"), ("PF105", "b.py", 2, 1, "high")]


def test_negated_dev_condition_is_the_production_branch(scan):
    src = FLASK + "import sys\nif 'pytest' not in sys.modules:\n    app.config['DEBUG'] = True\n"
    assert scan({"app.py": src}) == [("PF101", "app.py", 5, 27, "medium")]
    assert scan.severity("PF101", 5) == "medium"


def test_from_pyfile_honours_instance_relative_config(scan):
    files = {
        "flaskr/__init__.py": """
            from flask import Flask

            def create_app(test_config=None):
                app = Flask(__name__, instance_relative_config=True)
                if test_config is None:
                    app.config.from_pyfile("config.py", silent=True)
                return app
            """,
        "flaskr/config.py": "DEBUG = True\n",  # not what Flask reads here
        "instance/config.py": "DEBUG = True\n",
    }
    assert scan(files) == [("PF101", "flaskr/__init__.py", 6, 9, "high")]
    assert "instance/config.py" in scan.message("PF101", 6).replace("\\", "/")


def test_config_instance_passed_to_from_object(scan):
    src = FLASK + "class LocalConfig:\n    DEBUG = True\napp.config.from_object(LocalConfig())\n"
    assert scan({"app.py": src}) == [("PF101", "app.py", 5, 1, "high")]


def test_class_loaded_only_by_tests_is_not_promoted(scan):
    files = {
        "config.py": "class DevelopmentConfig:\n    DEBUG = True\n\nclass IntegrationConfig(DevelopmentConfig):\n    X = 1\n",
        "tests/conftest.py": "from flask import Flask\nfrom config import IntegrationConfig\napp = Flask(__name__)\n"
                             "app.config.from_object(IntegrationConfig)\n",
    }
    assert scan(files) == [("PF101", "tests/conftest.py", 4, 1, "low")]
    assert scan.severity("PF101", 4) == "low"


def test_other_wsgi_objects_named_like_apps(scan):
    src = ("from werkzeug.serving import run_simple\nfrom .dispatch import DomainDispatcherApplication\n"
           "main_app = DomainDispatcherApplication(None)\nmain_app.debug = True\n")
    assert scan({"pkg/__init__.py": "", "pkg/server.py": src}) == []


# ---- reachability of factories and parameter defaults (issue 14) ------------------------------------

def _exact(scan, rule):
    """(rule, path, line, column, severity) of every finding of ``rule``: the exact form issue 14 asks for."""
    import pathlib
    return sorted((f.rule_id, pathlib.Path(f.path).relative_to(scan.root).as_posix(), f.line, f.column,
                   f.severity.value) for f in scan.findings if f.rule_id == rule)


DEV_CONFIG = "class Config:\n    DEBUG = False\n\nclass DevelopmentConfig(Config):\n    DEBUG = True\n\n" \
             "class ProductionConfig(Config):\n    pass\n\nconfigs = {'development': DevelopmentConfig, " \
             "'production': ProductionConfig}\n"


def test_factory_called_only_under_main_is_still_what_flask_run_discovers(scan):
    files = {"config.py": DEV_CONFIG, "api.py": """
        from flask import Flask
        import config

        def create_app():
            app = Flask(__name__)
            app.config.from_object(config.DevelopmentConfig)
            return app

        if __name__ == "__main__":
            create_app().run()
        """}
    assert scan(files) == [("PF101", "api.py", 6, 5, "high")]
    assert _exact(scan, "PF101") == [("PF101", "api.py", 6, 5, "high")]
    assert "only when the file is run" not in scan.message("PF101", 6)


def test_helper_called_only_under_main_stays_a_script_path(scan):
    files = {"config.py": DEV_CONFIG, "api.py": """
        from flask import Flask
        import config

        def build():
            app = Flask(__name__)
            app.config.from_object(config.DevelopmentConfig)
            return app

        if __name__ == "__main__":
            build().run()
        """}
    assert scan(files) == [("PF101", "api.py", 6, 5, "low")]
    assert _exact(scan, "PF101") == [("PF101", "api.py", 6, 5, "low")]


def test_config_chosen_by_a_parameter_default_is_medium(scan):
    files = {"config.py": DEV_CONFIG, "app.py": """
        import os
        from flask import Flask
        from config import configs

        def create_app(config_name="development"):
            app = Flask(__name__)
            config_name = os.environ.get("APP_CONFIG", config_name)
            app.config.from_object(configs[config_name])
            return app
        """, "wsgi.py": "from app import create_app\napp = create_app('production')\n"}
    assert scan(files) == [("PF101", "app.py", 8, 5, "medium")]
    assert _exact(scan, "PF101") == [("PF101", "app.py", 8, 5, "medium")]
    msg = scan.message("PF101", 8)
    assert "unconditionally" not in msg
    assert "APP_CONFIG is unset and `create_app()` is called without `config_name`" in msg


def test_config_chosen_without_a_parameter_is_unconditional(scan):
    files = {"config.py": DEV_CONFIG, "app.py": """
        from flask import Flask
        from config import configs

        def create_app():
            config_name = "development"
            app = Flask(__name__)
            app.config.from_object(configs[config_name])
            return app
        """}
    assert scan(files) == [("PF101", "app.py", 7, 5, "high")]
    assert _exact(scan, "PF101") == [("PF101", "app.py", 7, 5, "high")]
    assert "unconditionally" in scan.message("PF101", 7)


# ---- config values that cross a call into an application factory (issue 14) ---------------------------
# ``create_app(DEBUG=True)`` is only debug mode because the factory applies its arguments to ``app.config``;
# the finding belongs at the call, graded by where the call runs, and only production calls count.

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

OBJECT_FACTORY = """
    from flask import Flask

    def create_app(settings_module):
        app = Flask(__name__)
        app.config.from_object(settings_module)
        return app
    """

SETTINGS = "class ProductionConfig:\n    DEBUG = False\n\nclass DevelopmentConfig:\n    DEBUG = True\n"


def exact(scan, *rules):
    """(rule, path, line, column, severity) of every finding of ``rules``."""
    return sorted((f.rule_id, pathlib.Path(f.path).relative_to(scan.root).as_posix(), f.line, f.column,
                   f.severity.value) for f in scan.findings if f.rule_id in rules)


def test_debug_keyword_into_kwargs_factory_at_import_is_high(scan):
    assert scan({"pkg/__init__.py": FACTORY, "wsgi.py": "from pkg import create_app\napp = create_app(DEBUG=True)\n"}) == [("PF101", "wsgi.py", 2, 7, "high")]
    assert exact(scan, "PF101") == [("PF101", "wsgi.py", 2, 7, "high")]
    assert "pkg/__init__.py:7" in scan.message("PF101", 2)


def test_debug_keyword_false_or_unapplied_is_not_a_finding(scan):
    unapplied = "from flask import Flask\n\ndef create_app(**options):\n    return Flask(__name__)\n"
    assert scan({"pkg/__init__.py": FACTORY, "other.py": unapplied,
          "wsgi.py": "from pkg import create_app\nimport other\napp = create_app(DEBUG=False)\n"
                     "app2 = other.create_app(DEBUG=True)\n"}) == []
    assert exact(scan, "PF101") == []


def test_debug_keyword_in_a_main_block_is_low(scan):
    src = "from pkg import create_app\nif __name__ == '__main__':\n    create_app(DEBUG=True).run()\n"
    assert scan({"pkg/__init__.py": FACTORY, "run.py": src}) == [("PF101", "run.py", 3, 5, "low")]
    assert exact(scan, "PF101") == [("PF101", "run.py", 3, 5, "low")]


def test_settings_string_into_from_object(scan):
    src = "from app_factory import create_app\napp = create_app('settings.DevelopmentConfig')\n"
    assert scan({"app_factory.py": OBJECT_FACTORY, "settings.py": SETTINGS, "wsgi.py": src}) == [("PF101", "wsgi.py", 2, 7, "high")]
    assert exact(scan, "PF101") == [("PF101", "wsgi.py", 2, 7, "high")]
    assert "settings.py:5" in scan.message("PF101", 2)


def test_settings_variable_and_class_into_from_object_in_a_function_is_medium(scan):
    src = ("from app_factory import create_app\nfrom settings import DevelopmentConfig\n\n"
           "def serve():\n    settings_module = 'settings.DevelopmentConfig'\n    create_app(settings_module)\n"
           "    create_app(DevelopmentConfig)\n")
    assert scan({"app_factory.py": OBJECT_FACTORY, "settings.py": SETTINGS, "serve.py": src}) == [("PF101", "serve.py", 6, 5, "medium"), ("PF101", "serve.py", 7, 5, "medium")]
    assert exact(scan, "PF101") == [("PF101", "serve.py", 6, 5, "medium"), ("PF101", "serve.py", 7, 5, "medium")]


def test_production_settings_into_from_object_is_not_a_finding(scan):
    src = "from app_factory import create_app\napp = create_app('settings.ProductionConfig')\n"
    assert scan({"app_factory.py": OBJECT_FACTORY, "settings.py": SETTINGS, "wsgi.py": src}) == []
    assert exact(scan, "PF101") == []


def test_factory_re_exported_by_a_package(scan):
    files = {"pkg/factory.py": FACTORY, "pkg/__init__.py": "from .factory import create_app\n",
             "wsgi.py": "import pkg\napp = pkg.create_app(DEBUG=True)\n"}
    assert scan(files) == [("PF101", "wsgi.py", 2, 7, "high")]
    assert exact(scan, "PF101") == [("PF101", "wsgi.py", 2, 7, "high")]


def test_parameter_reassigned_before_the_loader_is_not_the_argument(scan):
    factory = ("from flask import Flask\n\ndef create_app(settings_module):\n"
               "    settings_module = 'settings.ProductionConfig'\n    app = Flask(__name__)\n"
               "    app.config.from_object(settings_module)\n    return app\n")
    src = "from app_factory import create_app\napp = create_app('settings.DevelopmentConfig')\n"
    assert scan({"app_factory.py": factory, "settings.py": SETTINGS, "wsgi.py": src}) == []
    assert exact(scan, "PF101") == []


def test_parameter_default_served_by_a_bare_call_at_import_is_high(scan):
    files = {"config.py": DEV_CONFIG, "app.py": """
        from flask import Flask
        from config import configs

        def create_app(config_name="development"):
            app = Flask(__name__)
            app.config.from_object(configs[config_name])
            return app
        """, "wsgi.py": "from app import create_app\napp = create_app()\n"}
    assert scan(files) == [("PF101", "app.py", 6, 5, "high")]
    assert _exact(scan, "PF101") == [("PF101", "app.py", 6, 5, "high")]
    assert "wsgi.py:2 does at import time" in scan.message("PF101", 6)


def test_parameter_default_with_a_bare_call_only_in_tests_stays_medium(scan):
    files = {"config.py": DEV_CONFIG, "app.py": """
        from flask import Flask
        from config import configs

        def create_app(config_name="development"):
            app = Flask(__name__)
            app.config.from_object(configs[config_name])
            return app
        """, "tests/conftest.py": "from app import create_app\napp = create_app()\n",
        "wsgi.py": "from app import create_app\napp = create_app('production')\n"}
    assert scan(files) == [("PF101", "app.py", 6, 5, "medium")]
    assert _exact(scan, "PF101") == [("PF101", "app.py", 6, 5, "medium")]


# ---- a module that parses argv at import is a command, not an app module ---------------------------------

ARGV_SCRIPT = """
    import argparse
    from flask import Flask

    parser = argparse.ArgumentParser()
    parser.add_argument({arg!r}, default=4000)
    args = parser.{parse}()
    app = Flask(__name__)
    app.run(debug=True, host="127.0.0.1", port=args.port)
    """


def test_dev_server_after_a_top_level_parse_args_runs_only_as_a_script(scan):
    assert scan({"serve.py": ARGV_SCRIPT.format(arg="--port", parse="parse_args")}) == [("PF101", "serve.py", 8, 15, "low")]
    assert _exact(scan, "PF101") == [("PF101", "serve.py", 8, 15, "low")]
    assert _exact(scan, "PF102") == []


def test_parse_known_args_or_a_positional_argument_can_survive_a_server_import(scan):
    assert scan({"serve.py": ARGV_SCRIPT.format(arg="--port", parse="parse_known_args"),
          "serve2.py": ARGV_SCRIPT.format(arg="target", parse="parse_args")}) == [
        ("PF101", "serve.py", 8, 15, "high"),
        ("PF101", "serve2.py", 8, 15, "high"),
        ("PF102", "serve.py", 8, 1, "high"),
        ("PF102", "serve2.py", 8, 1, "high"),
    ]
    assert _exact(scan, "PF101") == [("PF101", "serve.py", 8, 15, "high"), ("PF101", "serve2.py", 8, 15, "high")]


# ---- one module per environment, every class named `Config` ------------------------------------------

PER_ENV_BASE = "class BaseConfig:\n    DEBUG = False\n"
PER_ENV_CONFIG = """\
from .base import BaseConfig


class Config(BaseConfig):
    DEBUG = True
    SECRET_KEY = "kq83hf02hf82hf02hf8h2f0h"
"""
PER_ENV_APP = """\
import os

from flask import Flask

app = Flask(__name__)
app.config.from_object(os.environ["APP_SETTINGS"])
"""


def test_generic_config_class_in_a_testing_module_is_a_test_config(scan):
    # APP_SETTINGS=config.testing.Config: the module names the environment, as TestingConfig would.
    files = {"config/__init__.py": "", "config/base.py": PER_ENV_BASE, "config/testing.py": PER_ENV_CONFIG,
             "config/local.py": PER_ENV_CONFIG, "app.py": PER_ENV_APP}
    assert scan(files, select=["PF101", "PF201"]) == []


def test_generic_config_class_in_a_production_module_is_still_judged(scan):
    files = {"config/__init__.py": "", "config/base.py": PER_ENV_BASE, "config/production.py": PER_ENV_CONFIG,
             "app.py": PER_ENV_APP}
    found = scan(files, select=["PF101", "PF201"])
    assert found == [("PF101", "config/production.py", 5, 5, "medium"), ("PF201", "config/production.py", 6, 18, "high")]
    assert scan.severity("PF101", 5) == "medium" and scan.severity("PF201", 6) == "high"
    assert sorted((f.rule_id, f.column) for f in scan.findings) == [("PF101", 5), ("PF201", 18)]


def test_production_named_class_in_a_testing_module_keeps_its_own_name(scan):
    # only a generic class name defers to its module: ProductionConfig is production wherever it lives
    text = PER_ENV_CONFIG.replace("class Config(", "class ProductionConfig(")
    files = {"config/__init__.py": "", "config/base.py": PER_ENV_BASE, "config/testing.py": text,
             "app.py": PER_ENV_APP}
    found = scan(files, select=["PF101", "PF201"])
    assert found == [("PF101", "config/testing.py", 5, 5, "high"), ("PF201", "config/testing.py", 6, 18, "high")]
    assert scan.severity("PF101", 5) == "high" and scan.severity("PF201", 6) == "high"


IMPORT_STRING_APP = """\
import os

from flask import Flask
from werkzeug.utils import import_string


def create_app(config_filename="config.development.Config"):
    app = Flask(__name__)
    settings = os.getenv("APP_SETTINGS", config_filename)
    cfg = import_string(settings)()
    app.config.from_object(cfg)
    return app
"""


def test_from_object_of_an_import_string_instance_follows_the_dotted_name(scan):
    # import_string(name)() is an instance of the class the name names; from_object reads its attributes
    files = {"config/__init__.py": "", "config/development.py": "class Config:\n    DEBUG = True\n",
             "app.py": IMPORT_STRING_APP}
    assert scan(files, select=["PF101"]) == [("PF101", "app.py", 11, 5, "medium")]
    assert scan.severity("PF101", 11) == "medium" and scan.findings[0].column == 5
    assert "when APP_SETTINGS is unset and `create_app()` is called without `config_filename`" in \
        scan.message("PF101", 11)


def test_from_object_of_an_import_string_instance_without_debug(scan):
    app = IMPORT_STRING_APP.replace("config.development.Config", "config.production.Config")
    files = {"config/__init__.py": "", "config/production.py": "class Config:\n    DEBUG = False\n",
             "config/development.py": "class Config:\n    DEBUG = True\n", "app.py": app}
    assert scan(files, select=["PF101"]) == []


KEYED_CONFIG = """\
class Config:
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = True


class ProductionConfig(Config):
    pass


CONFIGS = dict(development=DevelopmentConfig, production=ProductionConfig)
"""
KEYED_FACTORY = """\
from flask import Flask
from settings import CONFIGS


def create_app(config_name):
    app = Flask(__name__)
    app.config.from_object(CONFIGS[config_name])
    return app
"""


def test_config_name_passed_at_import_picks_a_debug_class_from_the_dict(scan):
    """`app = create_app('development')` in the module gunicorn serves: the factory looks the name up in a
    name -> class dict (here `dict(...)`, imported) and loads a class with DEBUG = True: high at import,
    medium in a function."""
    files = {"settings.py": KEYED_CONFIG, "factory.py": KEYED_FACTORY,
             "run.py": "from factory import create_app\n\napp = create_app('development')\n",
             "manage.py": "from factory import create_app\n\ndef serve():\n    create_app(config_name='development').run()\n"}
    assert scan(files) == [("PF101", "manage.py", 4, 5, "medium"), ("PF101", "run.py", 3, 7, "high")]
    assert exact(scan, "PF101") == [("PF101", "manage.py", 4, 5, "medium"), ("PF101", "run.py", 3, 7, "high")]
    assert "picks `DevelopmentConfig`" in scan.message("PF101", 3) and "settings.py:6" in scan.message("PF101", 3)


def test_config_name_that_picks_a_class_without_debug(scan):
    """Tricky negatives: 'production' picks a class with DEBUG off, a name the dict does not hold, and a call
    in test code configures a test app."""
    files = {"settings.py": KEYED_CONFIG, "factory.py": KEYED_FACTORY,
             "run.py": "from factory import create_app\n\napp = create_app('production')\nother = create_app('staging')\n",
             "tests/test_app.py": "from factory import create_app\n\napp = create_app('development')\n"}
    assert scan(files) == []
    assert exact(scan, "PF101") == []


PICKER_CONFIG = """\
from os import getenv


class ConfigFactory:
    def factory():
        env = getenv("FLASK_ENV", "development")
        if env in ["development"] and getenv("IS_TESTING"):
            return Testing()
        elif env in ["development"]:
            return Development()
        elif env in ["production"]:
            return Production()

    factory = staticmethod(factory)


class Development:
    DEBUG = True


class Production:
    DEBUG = False


class Testing:
    TESTING = True
"""


def test_config_class_picked_by_a_function_that_reads_the_environment(scan):
    """`from_object(ConfigFactory.factory().__class__)` in another module, and `from_object(pick())` in the
    same one: with FLASK_ENV unset the function returns the development class - a fail-open default, high."""
    local = ("import os\nfrom flask import Flask\n\nclass Dev:\n    DEBUG = True\n\nclass Prod:\n    DEBUG = False\n\n"
             "def pick():\n    if os.environ.get('APP_ENV', 'dev') == 'prod':\n        return Prod\n    return Dev\n\n"
             "app = Flask(__name__)\napp.config.from_object(pick())\n")
    files = {"config.py": PICKER_CONFIG, "local_app.py": local,
             "app/__init__.py": "from flask import Flask\nfrom config import ConfigFactory\n\n\ndef init_app():\n"
                                "    app = Flask(__name__)\n    app.config.from_object(ConfigFactory.factory().__class__)\n"
                                "    return app\n"}
    assert scan(files) == [("PF101", "app/__init__.py", 7, 5, "high"), ("PF101", "local_app.py", 16, 1, "high")]
    assert exact(scan, "PF101") == [("PF101", "app/__init__.py", 7, 5, "high"), ("PF101", "local_app.py", 16, 1, "high")]
    assert "`ConfigFactory.factory()` returns it" in scan.message("PF101", 7)
    assert "config.py:18" in scan.message("PF101", 7)


def test_config_class_picked_by_a_function_that_fails_closed_or_cannot_be_followed(scan):
    """Tricky negatives: the same picker with a production default, one that decides in a loop over the
    environment (not followed), and one whose choice depends on the command line."""
    closed = PICKER_CONFIG.replace('getenv("FLASK_ENV", "development")', 'getenv("FLASK_ENV", "production")')
    looped = ("import os, sys\n\nclass Dev:\n    DEBUG = True\n\nclass Prod:\n    DEBUG = False\n\n"
              "def pick():\n    for name in ('APP_ENV', 'ENV'):\n        if os.environ.get(name) == 'prod':\n"
              "            return Prod\n    return Dev\n\n"
              "def from_argv():\n    if sys.argv[-1] == 'prod':\n        return Prod\n    return Dev\n")
    files = {"config.py": closed, "picks.py": looped,
             "app/__init__.py": "from flask import Flask\nfrom config import ConfigFactory\nfrom picks import pick, from_argv\n\n\n"
                                "def init_app():\n    app = Flask(__name__)\n"
                                "    app.config.from_object(ConfigFactory.factory().__class__)\n"
                                "    app.config.from_object(pick())\n    app.config.from_object(from_argv())\n    return app\n"}
    assert scan(files) == []
    assert exact(scan, "PF101") == []


def test_config_name_at_import_graded_by_what_the_deployment_serves(scan):
    """The Procfile serves run.py (`gunicorn run:app`), whose import-time `create_app('development')` is high;
    devel.py makes the same call, but nothing imports it and no deployment file runs it: a developer's
    launcher, low."""
    files = {"settings.py": KEYED_CONFIG, "factory.py": KEYED_FACTORY,
             "run.py": "from factory import create_app\n\napp = create_app('development')\n",
             "devel.py": "from factory import create_app\n\napp = create_app('development')\n",
             "Procfile": "web: gunicorn --workers 4 run:app\n"}
    assert scan(files) == [("PF101", "devel.py", 3, 7, "low"), ("PF101", "run.py", 3, 7, "high")]
    assert exact(scan, "PF101") == [("PF101", "devel.py", 3, 7, "low"), ("PF101", "run.py", 3, 7, "high")]
    low = next(f.message for f in scan.findings if f.path.endswith("devel.py"))
    assert "devel.py and no deployment file runs it" in low and "launcher a developer runs by hand" in low


CONFIGS = """
class BaseConfig:
    DEBUG = False


class DevConfig(BaseConfig):
    DEBUG = True


class ProdConfig(BaseConfig):
    DEBUG = False
"""

TRY_LOAD = """
import os
from flask import Flask
from werkzeug.utils import import_string


def create_app():
    app = Flask(__name__)
    try:
        cfg = import_string(os.getenv("APP_SETTINGS", "config.{body}"))()
    except ImportError:
        cfg = import_string("config.{handler}")
    app.config.from_object(cfg)
    return app
"""


def test_config_loaded_in_a_try_body_wins_over_the_except_fallback(scan):
    """The handler only runs when the import fails; the deployed app gets the try body's class."""
    found = scan({"config.py": CONFIGS, "app.py": TRY_LOAD.format(body="DevConfig", handler="BaseConfig")})
    assert found == [("PF101", "app.py", 12, 5, "high")]
    assert scan.severity("PF101", 12) == "high"  # fail-open: APP_SETTINGS unset picks the debug class
    assert "DevConfig" in scan.message("PF101", 12)


def test_debug_class_only_in_the_except_fallback_is_not_reported(scan):
    assert scan({"config.py": CONFIGS, "app.py": TRY_LOAD.format(body="ProdConfig", handler="DevConfig")}) == []


def test_imports_in_try_and_except_keep_the_handler(scan):
    """`try: from local_settings import Config` names a module usually left uncommitted: the handler's import runs."""
    src = (
        "from flask import Flask\n"
        "try:\n"
        "    from local_settings import Config\n"
        "except ImportError:\n"
        "    from config import DevConfig as Config\n"
        "app = Flask(__name__)\n"
        "app.config.from_object(Config)\n"
    )
    assert scan({"config.py": CONFIGS, "app.py": src}) == [("PF101", "app.py", 7, 1, "high")]
    assert scan.severity("PF101", 7) == "high"


def test_config_name_read_from_the_environment_with_a_debug_default(scan):
    """`create_app(os.getenv("APP_ENV") or "development")` is `create_app("development")` while APP_ENV is
    unset, exactly as `os.getenv("APP_ENV", "development")` is: the debug class is the fail-open default."""
    files = {"settings.py": KEYED_CONFIG, "factory.py": KEYED_FACTORY,
             "run.py": "import os\nfrom factory import create_app\n\napp = create_app(os.getenv('APP_ENV') or 'development')\n",
             "wsgi.py": "import os\nfrom factory import create_app\n\napp = create_app(os.environ.get('APP_ENV', 'development'))\n"}
    assert scan(files) == [("PF101", "run.py", 4, 7, "high"), ("PF101", "wsgi.py", 4, 7, "high")]
    assert all("called with 'development' when APP_ENV is unset" in f.message for f in scan.findings)


def test_config_name_read_from_the_environment_with_a_safe_or_no_default(scan):
    """Tricky negatives: a production default, no default at all, and a default that is not a name the dict
    holds pick no debug class."""
    files = {"settings.py": KEYED_CONFIG, "factory.py": KEYED_FACTORY,
             "a.py": "import os\nfrom factory import create_app\n\napp = create_app(os.getenv('APP_ENV') or 'production')\n",
             "b.py": "import os\nfrom factory import create_app\n\napp = create_app(os.getenv('APP_ENV'))\n",
             "c.py": "import os\nfrom factory import create_app\n\napp = create_app(os.getenv('APP_ENV', 'staging'))\n"}
    assert scan(files) == []


# ---- debug mode set in a helper only the tests call -------------------------------------------------------

TEST_HELPER_APP = """\
from flask import Flask

app = Flask(__name__)


def configure_test_client(application):
    application.debug = True
    return application.test_client()
"""  # application.debug = True on line 7


def test_helper_only_tests_call_is_low(scan):
    test = "from app import app, configure_test_client\n\n\ndef test_index():\n    assert configure_test_client(app)\n"
    found = scan({"app.py": TEST_HELPER_APP, "tests/test_index.py": test})
    assert found == [("PF101", "app.py", 7, 25, "low")]
    assert "only the project's tests call `configure_test_client()`" in scan.message("PF101", 7)


def test_same_helper_a_served_module_calls_stays_high(scan):
    test = "from app import app, configure_test_client\n\n\ndef test_index():\n    assert configure_test_client(app)\n"
    wsgi = "from app import app, configure_test_client\n\nclient = configure_test_client(app)\n"
    found = scan({"app.py": TEST_HELPER_APP, "tests/test_index.py": test, "wsgi.py": wsgi})
    assert found == [("PF101", "app.py", 7, 25, "high")]


def test_helper_its_own_module_runs_stays_high(scan):
    # called at import by its own module: it runs in production whatever the tests do
    own = TEST_HELPER_APP + "\nclient = configure_test_client(app)\n"
    test = "from app import app, configure_test_client\n\n\ndef test_index():\n    assert configure_test_client(app)\n"
    assert scan({"app.py": own, "tests/test_index.py": test}) == [("PF101", "app.py", 7, 25, "high")]


def test_helper_nothing_calls_stays_high(scan):
    assert scan({"app.py": TEST_HELPER_APP}) == [("PF101", "app.py", 7, 25, "high")]


def test_debug_write_undone_by_the_run_call_that_follows_it(scan):
    """Flask.run ends its set-up with `self.debug = bool(debug)` when debug is not None, so `app.debug = True`
    (or `app.config["DEBUG"] = True`) followed in the same block by `app.run(debug=False)` serves with debug
    mode off. Tricky negatives beside it: `app.run()` (debug=None keeps the earlier value), a run call that
    only a branch reaches, a `return` between the two, and a run call on another app."""
    off = FLASK + 'if __name__ == "__main__":\n    app.debug = True\n    app.config["DEBUG"] = True\n' \
        '    app.run(debug=False, host="127.0.0.1")\n'
    assert scan({"a/app.py": off}, select=["PF101"]) == []
    kept = FLASK + 'if __name__ == "__main__":\n    app.debug = True\n    app.run(host="127.0.0.1")\n'
    assert scan({"b/app.py": kept}, select=["PF101"]) == [("PF101", "b/app.py", 4, 17, "low")]
    branch = FLASK + 'import sys\nif __name__ == "__main__":\n    app.debug = True\n    if sys.argv[1:]:\n' \
        '        app.run(debug=False)\n'
    assert scan({"c/app.py": branch}, select=["PF101"]) == [("PF101", "b/app.py", 4, 17, "low"),
                                                           ("PF101", "c/app.py", 5, 17, "low")]
    factory = "from flask import Flask\n\ndef create_app(serve=False):\n    app = Flask(__name__)\n" \
        "    app.debug = True\n    if not serve:\n        return app\n    app.run(debug=False)\n"
    other = FLASK + 'admin = Flask("admin")\nif __name__ == "__main__":\n    app.debug = True\n' \
        '    admin.run(debug=False)\n'
    assert scan({"d/factory.py": factory, "e/app.py": other}, select=["PF101"]) == [
        ("PF101", "b/app.py", 4, 17, "low"), ("PF101", "c/app.py", 5, 17, "low"),
        ("PF101", "d/factory.py", 5, 17, "high"), ("PF101", "e/app.py", 5, 17, "low")]


BASE_CONFIG = """\
class Config:
    DEBUG = True
    TESTING = False


class ProductionConfig(Config):
    DEBUG = False


class DevelopmentConfig(Config):
    SQLALCHEMY_ECHO = True
"""
ENV_LOADER = 'import os\nfrom flask import Flask\napp = Flask(__name__)\napp.config.from_object(os.environ["APP_SETTINGS"])\n'


def test_base_config_whose_debug_reaches_only_subclasses_that_override_it_or_develop(scan):
    """`DEBUG = True` on a base matters through the classes that inherit it and through the base when
    something loads it. Every subclass here sets DEBUG itself or is a development config, and nothing names
    the base but its subclasses and a type annotation: not reported."""
    app = ENV_LOADER + "import config\n\ndef pick() -> type[config.Config]:\n    return config.ProductionConfig\n"
    assert scan({"config.py": BASE_CONFIG, "app.py": app}, select=["PF101"]) == []


@pytest.mark.parametrize("extra,severity", [
    ({"app.py": ENV_LOADER + "from config import Config, ProductionConfig\nCONFIGS = {'default': Config, 'prod': ProductionConfig}\n"}, "medium"),
    ({"app.py": ENV_LOADER, ".env": "APP_SETTINGS=config.Config\n"}, "medium"),
    ({"app.py": ENV_LOADER + "app.config.from_object('config.Config')\n"}, "high"),  # loaded: high
    ({"app.py": ENV_LOADER, "config.py": BASE_CONFIG + "\n\nclass WorkerConfig(Config):\n    QUEUE = 'jobs'\n"}, "medium"),
    ({"app.py": "from flask import Flask\nfrom config import DevelopmentConfig\napp = Flask(__name__)\n"
               "app.config.from_object(DevelopmentConfig)\n"}, "medium+loader"),
], ids=["mapping-entry", "env-file-names-it", "string-reference", "non-dev-subclass-inherits",
        "dev-subclass-loaded-outright"])
def test_base_config_stays_when_something_may_load_it_or_a_subclass_inherits_it(scan, extra, severity):
    """Tricky negatives: a mapping entry naming the base, an env file that names it for the env-driven
    loader, a string naming it, a subclass that is not a development config and inherits DEBUG = True, and a
    development subclass that the app loads outright (its inherited DEBUG then runs wherever the app does)."""
    files = {"config.py": BASE_CONFIG, **extra}
    expected = [("PF101", "config.py", 2, 5, severity.split("+")[0])]
    if severity.endswith("+loader"):  # the loader line is reported as well, as before
        expected.insert(0, ("PF101", "app.py", 4, 1, "high"))
    assert scan(files, select=["PF101"]) == expected
