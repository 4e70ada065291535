"""Settings resolution for serve: flag over environment over computed default, with the source kept."""

from __future__ import annotations

import pytest

from flask_preflight.serve import options as options_mod
from flask_preflight.serve import resources
from flask_preflight.serve.options import (GUNICORN_ONLY, MIB, OptionError, ServeOptions, _check_tls, _choice,
                                           _whole, default_workers, fixed_rows, render_config, resolve)

BIG = 64 * 1024 * MIB


def opts(flags=None, env=None, **kw):
    kw.setdefault("cpus", 2)
    kw.setdefault("memory", BIG)
    kw.setdefault("platform", "linux")
    return resolve(flags or {}, env or {}, **kw)


def test_defaults_follow_gunicorn_advice():
    o = opts()
    assert o.server == "gunicorn" and o.bind == ("127.0.0.1:8000",)
    assert o.workers == 5 and o.sources["workers"].startswith("computed: 2 × 2 CPUs + 1")
    assert (o.worker_class, o.threads, o.timeout, o.graceful_timeout, o.keepalive) == ("gthread", 4, 30, 30, 5)
    assert (o.max_requests, o.max_requests_jitter) == (1000, 100)
    assert o.behind_proxy == 0 and o.forwarded_allow_ips == ()
    assert o.sources["bind"] == "default"


def test_flag_beats_environment_beats_default():
    env = {"PREFLIGHT_WORKERS": "7", "WEB_CONCURRENCY": "9", "PREFLIGHT_TIMEOUT": "45"}
    o = opts({"workers": 3}, env)
    assert o.workers == 3 and o.sources["workers"] == "--workers"
    assert o.timeout == 45 and o.sources["timeout"] == "PREFLIGHT_TIMEOUT"
    o = opts({}, env)
    assert o.workers == 7 and o.sources["workers"] == "PREFLIGHT_WORKERS"
    o = opts({}, {"WEB_CONCURRENCY": "9"})
    assert o.workers == 9 and o.sources["workers"] == "WEB_CONCURRENCY"


def test_port_binds_all_interfaces_like_gunicorn_unless_bind_is_given():
    o = opts({}, {"PORT": "5000"})
    assert o.bind == ("0.0.0.0:5000",) and o.sources["bind"].startswith("PORT")
    assert opts({"bind": ("127.0.0.1:9000",)}, {"PORT": "5000"}).bind == ("127.0.0.1:9000",)
    assert opts({}, {"PORT": "5000", "PREFLIGHT_BIND": "[::1]:7000 unix:/run/app.sock"}).bind == \
        ("[::1]:7000", "unix:/run/app.sock")


def test_workers_are_capped_by_available_memory():
    n, why = default_workers(16, 1024 * MIB, None)
    assert n == 6 and "capped by memory" in why  # 768 MiB usable / 128 MiB per worker
    n, why = default_workers(16, 1024 * MIB, 300 * MIB)
    assert n == 2 and "the loaded app's size 300 MiB" in why
    assert default_workers(1, 10 * MIB, None)[0] == 1
    assert default_workers(2, None, None) == (5, "computed: 2 × 2 CPUs + 1 (available memory unknown)")
    assert opts(memory=512 * MIB, app_rss=200 * MIB).workers == 1


@pytest.mark.parametrize("env, message", [
    ({"PREFLIGHT_WORKERS": "abc"}, "PREFLIGHT_WORKERS='abc': not a whole number"),
    ({"PREFLIGHT_WORKERS": "0"}, "PREFLIGHT_WORKERS='0': must be at least 1"),
    ({"PREFLIGHT_WORKER_CLASS": "eventlet"}, "PREFLIGHT_WORKER_CLASS='eventlet': expected one of"),
    ({"FORWARDED_ALLOW_IPS": "10.0.0.1/8", "PREFLIGHT_BEHIND_PROXY": "1"},
     "'10.0.0.1/8' is not an IP address or network"),
    ({"PREFLIGHT_BIND": "127.0.0.1:8000,127.0.0.1:8001"}, "one address per --bind"),
    ({"PREFLIGHT_BIND": "localhost"}, "expected HOST:PORT"),
    ({"PREFLIGHT_BIND": "127.0.0.1:http"}, "'http' is not a port number"),
    ({"PREFLIGHT_BIND": "::1:8000"}, "put an IPv6 address in brackets"),
])
def test_bad_environment_values_name_the_variable(env, message):
    with pytest.raises(OptionError, match=None) as exc:
        opts({}, env)
    assert message in str(exc.value)


def test_combinations_that_cannot_work_are_usage_errors():
    with pytest.raises(OptionError, match="sync workers do not use threads"):
        opts({"worker_class": "sync", "threads": 4})
    assert opts({"worker_class": "sync"}).threads == 1
    with pytest.raises(OptionError, match="--certfile and --keyfile go together"):
        opts({"certfile": __file__})
    with pytest.raises(OptionError, match="cannot read this file"):
        opts({"certfile": "/nonexistent/cert.pem", "keyfile": "/nonexistent/key.pem"})
    with pytest.raises(OptionError, match="--workers: gunicorn settings, not supported with waitress"):
        opts({"server": "waitress", "workers": 3})
    with pytest.raises(OptionError, match="gunicorn does not run on Windows"):
        opts({"server": "gunicorn"}, platform="win32")
    with pytest.raises(OptionError, match="jitter without --max-requests"):
        opts({"max_requests": 0, "max_requests_jitter": 50})
    assert opts({"max_requests": 0}).max_requests_jitter == 0


def test_gevent_needs_gevent(monkeypatch):
    import flask_preflight.serve.options as mod

    monkeypatch.setattr(mod, "find_spec", lambda name: None)
    with pytest.raises(OptionError, match="needs gevent"):
        opts({"worker_class": "gevent"})


def test_waitress_is_the_windows_default_and_ignores_platform_worker_counts():
    o = opts({}, {"WEB_CONCURRENCY": "4"}, platform="win32")
    assert o.server == "waitress" and "workers" in o.unused
    text = render_config(o, "wsgi:app")
    assert "WEB_CONCURRENCY; not used by waitress" in text


def test_behind_proxy_trusts_loopback_by_default_and_nobody_without_it():
    o = opts({"behind_proxy": 1})
    assert o.forwarded_allow_ips == ("127.0.0.1", "::1")
    o = opts({"behind_proxy": 2}, {"FORWARDED_ALLOW_IPS": "10.0.0.0/8, 192.168.1.5"})
    assert o.forwarded_allow_ips == ("10.0.0.0/8", "192.168.1.5") and o.sources["forwarded_allow_ips"] == \
        "FORWARDED_ALLOW_IPS"
    assert "not trusted" in opts().sources["forwarded_allow_ips"]


def test_render_config_lists_every_setting_with_its_source():
    text = render_config(opts({"timeout": 60}, {"PREFLIGHT_THREADS": "8"}), "wsgi:app")
    rows = {line.split()[0]: line for line in text.splitlines()}
    assert rows["target"].split()[1] == "wsgi:app"
    assert rows["timeout"].split()[1:] == ["60", "--timeout"]
    assert rows["threads"].split()[1:] == ["8", "PREFLIGHT_THREADS"]
    assert set(rows) >= {"server", "bind", "workers", "worker-class", "graceful-timeout", "keepalive",
                         "max-requests", "max-requests-jitter", "behind-proxy", "forwarded-allow-ips",
                         "certfile", "keyfile", "log-level", "access-log", "error-log", "preload-app",
                         "reload", "worker-tmp-dir", "config-files"}
    assert rows["preload-app"].split()[1] == "off" and "fixed" in rows["config-files"]


def test_forwarded_allow_ips_need_a_proxy():
    o = opts({}, {"FORWARDED_ALLOW_IPS": "127.0.0.1"})
    assert o.forwarded_allow_ips == () and o.sources["forwarded_allow_ips"].startswith("FORWARDED_ALLOW_IPS ignored")
    with pytest.raises(OptionError, match="needs --behind-proxy"):
        opts({"forwarded_allow_ips": ("127.0.0.1",)})


def test_tls_files_become_absolute_because_workers_change_directory(tmp_path, monkeypatch):
    from probe.conftest import make_self_signed_cert

    make_self_signed_cert(tmp_path)  # cert.pem and key.pem
    monkeypatch.chdir(tmp_path)
    o = opts({"certfile": "cert.pem", "keyfile": "key.pem"})
    assert o.certfile == str(tmp_path / "cert.pem") and o.keyfile == str(tmp_path / "key.pem")


def test_gunicorn_only_flags_are_errors_with_waitress():
    for flag, value in (("timeout", 5), ("keepalive", 1), ("graceful_timeout", 3)):
        with pytest.raises(OptionError, match="not supported with waitress"):
            opts({"server": "waitress", flag: value})
    assert "not used by waitress" in render_config(opts({"server": "waitress"}), "x:app")


def test_waitress_binds_it_cannot_listen_on_are_usage_errors():
    with pytest.raises(OptionError, match="TCP addresses or on one unix socket"):
        opts({"server": "waitress", "bind": ("127.0.0.1:8000", "unix:/tmp/a.sock")})
    with pytest.raises(OptionError, match="TCP addresses or on one unix socket"):
        opts({"server": "waitress", "bind": ("unix:/tmp/a.sock", "unix:/tmp/b.sock")})
    with pytest.raises(OptionError, match="unix sockets do not exist on Windows"):
        opts({"bind": ("unix:/tmp/a.sock",)}, platform="win32")
    assert opts({"server": "waitress", "bind": ("unix:/tmp/a.sock",)}).bind == ("unix:/tmp/a.sock",)


def test_a_certificate_that_does_not_load_is_a_usage_error(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(OptionError, match="not a usable certificate and key"):
        opts({"certfile": str(junk), "keyfile": str(junk)})


def test_log_targets_are_checked_before_anything_starts(tmp_path):
    o = opts({"access_log": str(tmp_path / "access.jsonl"), "error_log": str(tmp_path / "error.log")})
    assert o.access_log.endswith("access.jsonl") and o.sources["access_log"] == "--access-log"
    assert opts({}, {"PREFLIGHT_ACCESS_LOG": "off"}).access_log == "off"
    with pytest.raises(OptionError, match="is a directory"):
        opts({"access_log": str(tmp_path)})
    with pytest.raises(OptionError, match="cannot write there"):
        opts({"error_log": str(tmp_path / "missing" / "error.log")})
    with pytest.raises(OptionError, match="cannot be switched off"):
        opts({"error_log": "off"})


# --- exact values, messages and sources (issue 15: each pins behaviour a mutation run showed unpinned) ---

def error_of(*args, **kw) -> str:
    with pytest.raises(OptionError) as exc:
        opts(*args, **kw)
    return str(exc.value)


def test_every_default_names_its_source():
    assert opts().sources == {
        "server": "default (POSIX)", "bind": "default", "worker_class": "default", "threads": "default",
        "timeout": "default", "graceful_timeout": "default", "keepalive": "default", "max_requests": "default",
        "max_requests_jitter": "default", "behind_proxy": "default", "log_level": "default",
        "access_log": "default", "error_log": "default",
        "workers": "computed: 2 × 2 CPUs + 1 (memory allows 384: 65536 MiB available, at least 128 MiB per worker)",
        "forwarded_allow_ips": "default (no --behind-proxy: forwarded headers are not trusted)",
        "certfile": "default", "keyfile": "default",
    }
    o = opts(platform="win32")
    assert o.server == "waitress" and o.sources["server"] == "default (gunicorn does not run on Windows)"
    assert o.unused == GUNICORN_ONLY


def test_gunicorn_on_windows_names_where_it_was_asked_for():
    assert error_of({"server": "gunicorn"}, platform="win32") == \
        "--server: gunicorn does not run on Windows; use --server waitress"
    assert error_of({}, {"PREFLIGHT_SERVER": "gunicorn"}, platform="win32") == \
        "PREFLIGHT_SERVER: gunicorn does not run on Windows; use --server waitress"


def test_waitress_lists_every_gunicorn_flag_given_and_only_flags():
    assert error_of({"server": "waitress", "timeout": 5, "workers": 2}) == (
        "--workers, --timeout: gunicorn settings, not supported with waitress (one process with a thread pool, "
        "no TLS); use --threads for concurrency and terminate TLS at the proxy")
    # the same settings from the environment (set for plain gunicorn, or by the platform) are shown as unused
    o = opts({"server": "waitress"}, {"PREFLIGHT_TIMEOUT": "5", "PREFLIGHT_WORKER_CLASS": "sync"})
    assert (o.timeout, o.worker_class, o.threads) == (5, "sync", 4)  # waitress's own thread pool
    assert o.unused == GUNICORN_ONLY


def test_environment_choices_are_case_insensitive():
    o = opts({}, {"PREFLIGHT_SERVER": "Waitress", "PREFLIGHT_LOG_LEVEL": "WARNING"})
    assert (o.server, o.log_level) == ("waitress", "warning")
    assert opts({}, {"PREFLIGHT_WORKER_CLASS": " SYNC "}).worker_class == "sync"
    assert error_of({}, {"PREFLIGHT_WORKER_CLASS": "eventlet"}) == \
        "PREFLIGHT_WORKER_CLASS='eventlet': expected one of sync, gthread, gevent"


def test_env_parsers():
    # _ENV_PARSERS holds the closures these build; they are tested directly as well as through resolve
    assert _whole(1)("1") == 1 and _whole(0)("0") == 0 and _whole(1)("12") == 12
    with pytest.raises(ValueError, match="^must be at least 1$"):
        _whole(1)("0")
    with pytest.raises(ValueError, match="^not a whole number$"):
        _whole(0)("1.5")
    assert _choice(("sync", "gthread"))("GThread") == "gthread"
    with pytest.raises(ValueError, match="^expected one of sync, gthread$"):
        _choice(("sync", "gthread"))("gevent")
    assert error_of({}, {"PREFLIGHT_GRACEFUL_TIMEOUT": "-1"}) == "PREFLIGHT_GRACEFUL_TIMEOUT='-1': must be at least 0"
    assert opts({}, {"PREFLIGHT_GRACEFUL_TIMEOUT": "0"}).graceful_timeout == 0


def test_port_source_says_what_it_did():
    assert opts({}, {"PORT": " 5000 "}).sources["bind"] == \
        "PORT (0.0.0.0:$PORT, as gunicorn and hosting platforms do)"
    assert opts({}, {"PORT": "5000", "PREFLIGHT_BIND": "127.0.0.1:9000"}).sources["bind"] == "PREFLIGHT_BIND"


@pytest.mark.parametrize("bind", ["0.0.0.0:0", "127.0.0.1:65535", "[::1]:8000", "[::]:8000", "localhost:80",
                                  "unix:s", "unix:/run/app.sock"])
def test_binds_that_are_accepted(bind):
    assert opts({"bind": (bind,)}).bind == (bind,)


@pytest.mark.parametrize("bind, message", [
    ("unix:", "--bind 'unix:': no socket path after 'unix:'"),
    ("fd://3", "--bind 'fd://3': file-descriptor binds are not supported; use HOST:PORT"),
    ("127.0.0.1:8000,127.0.0.1:8001", "--bind '127.0.0.1:8000,127.0.0.1:8001': one address per --bind (repeat "
     "the flag); in PREFLIGHT_BIND separate addresses with spaces"),
    ("localhost", "--bind 'localhost': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"),
    (":8000", "--bind ':8000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"),
    (":http", "--bind ':http': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"),
    # brackets that do not enclose the host: gunicorn would crash ('' is not a port), bind port 8000 for
    # '[::1]x:9000', or every interface for '[]'
    ("[::1:8000", "--bind '[::1:8000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"),
    ("[::1]x:9000", "--bind '[::1]x:9000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or "
     "unix:/path/to.sock"),
    ("[]:8000", "--bind '[]:8000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"),
    ("[[::1]:8000", "--bind '[[::1]:8000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or "
     "unix:/path/to.sock"),
    ("[::1]]:8000", "--bind '[::1]]:8000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or "
     "unix:/path/to.sock"),
    ("::1]:8000", "--bind '::1]:8000': expected HOST:PORT (e.g. 127.0.0.1:8000), [::1]:8000 or unix:/path/to.sock"),
    ("127.0.0.1:65536", "--bind '127.0.0.1:65536': '65536' is not a port number"),
    ("127.0.0.1:-1", "--bind '127.0.0.1:-1': '-1' is not a port number"),
    ("::1:8000", "--bind '::1:8000': put an IPv6 address in brackets, e.g. [::1]:8000"),
])
def test_binds_that_are_usage_errors(bind, message):
    assert error_of({"bind": (bind,)}) == message


def test_waitress_bind_errors_name_the_source():
    assert error_of({"server": "waitress", "bind": ("127.0.0.1:8000", "unix:/tmp/a.sock")}) == \
        "--bind: waitress listens on TCP addresses or on one unix socket, not both"
    assert error_of({}, {"PREFLIGHT_BIND": "unix:/tmp/a.sock"}, platform="win32") == \
        "PREFLIGHT_BIND 'unix:/tmp/a.sock': unix sockets do not exist on Windows; bind HOST:PORT"


def test_gevent_is_checked_only_when_gunicorn_uses_it(monkeypatch):
    asked = []

    def find_spec(name):
        asked.append(name)
        return object() if name == "gevent" else None

    monkeypatch.setattr(options_mod, "find_spec", find_spec)
    o = opts({"worker_class": "gevent"})
    assert asked == ["gevent"] and (o.worker_class, o.threads) == ("gevent", 1)
    assert o.sources["threads"] == "default" and o.sources["worker_class"] == "--worker-class"
    assert error_of({"worker_class": "gevent"}, {"PREFLIGHT_THREADS": "4"}) == (
        "PREFLIGHT_THREADS: gevent workers do not use threads; use --worker-class gthread for a thread pool per "
        "worker")
    monkeypatch.setattr(options_mod, "find_spec", lambda name: None)
    assert opts().worker_class == "gthread"  # gevent missing matters only to the gevent worker class
    assert opts({"server": "waitress"}, {"PREFLIGHT_WORKER_CLASS": "gevent"}).threads == 4
    assert error_of({}, {"PREFLIGHT_WORKER_CLASS": "gevent"}) == \
        "PREFLIGHT_WORKER_CLASS: the gevent worker class needs gevent (pip install gevent)"


def test_sync_workers_take_one_thread_only():
    assert opts({"worker_class": "sync", "threads": 1}).threads == 1
    assert error_of({"worker_class": "sync", "threads": 2}) == (
        "--threads: sync workers do not use threads; use --worker-class gthread for a thread pool per worker")


def test_jitter_without_recycling():
    assert error_of({"max_requests": 0, "max_requests_jitter": 50}) == \
        "--max-requests-jitter: jitter without --max-requests does nothing"
    o = opts({}, {"PREFLIGHT_MAX_REQUESTS": "0"})
    assert (o.max_requests, o.max_requests_jitter) == (0, 0)
    assert o.sources["max_requests_jitter"] == "default (no recycling: max-requests is 0)"
    o = opts({"max_requests_jitter": 0}, {"PREFLIGHT_MAX_REQUESTS": "0"})
    assert o.sources["max_requests_jitter"] == "--max-requests-jitter"


def test_machine_is_read_only_when_not_given(monkeypatch):
    monkeypatch.setattr(resources, "cpu_count", lambda: 3)
    monkeypatch.setattr(resources, "available_memory", lambda: 256 * MIB)
    o = resolve({}, {}, platform="linux")
    assert o.workers == 1 and o.sources["workers"] == \
        "computed: 2 × 3 CPUs + 1 = 7, capped by memory (256 MiB available, at least 128 MiB per worker)"
    o = resolve({}, {}, platform="linux", cpus=1, memory=BIG)
    assert o.workers == 3 and o.sources["workers"].startswith("computed: 2 × 1 CPU + 1 (memory allows 384:")


def test_worker_count_explanations():
    assert default_workers(1, None, None) == (3, "computed: 2 × 1 CPU + 1 (available memory unknown)")
    assert default_workers(16, 1024 * MIB, None) == (
        6, "computed: 2 × 16 CPUs + 1 = 33, capped by memory (1024 MiB available, at least 128 MiB per worker)")
    assert default_workers(1, 128 * MIB, None) == (
        1, "computed: 2 × 1 CPU + 1 = 3, capped by memory (128 MiB available, at least 128 MiB per worker)")
    # an app no bigger than the floor is budgeted at the floor, and said so
    assert default_workers(16, 1024 * MIB, 128 * MIB)[1].endswith("(1024 MiB available, at least 128 MiB per worker)")
    assert default_workers(16, 1024 * MIB, 300 * MIB)[1].endswith(
        "(1024 MiB available, the loaded app's size 300 MiB per worker)")
    # exactly enough memory for 2 × CPUs + 1 is not a cap; a non-integral MiB count is rounded down
    assert default_workers(2, 854 * MIB + 1, None) == (
        5, "computed: 2 × 2 CPUs + 1 (memory allows 5: 854 MiB available, at least 128 MiB per worker)")


def test_forwarded_allow_ips_sources_and_forms():
    o = opts({"behind_proxy": 1})
    assert o.sources["forwarded_allow_ips"] == "default (a proxy on this host: loopback)"
    o = opts({"behind_proxy": 1}, {"FORWARDED_ALLOW_IPS": "*"})
    assert o.forwarded_allow_ips == ("*",)
    o = opts({"behind_proxy": 1}, {"FORWARDED_ALLOW_IPS": "10.0.0.0/8 192.168.1.5"})
    assert o.forwarded_allow_ips == ("10.0.0.0/8", "192.168.1.5")
    o = opts({"behind_proxy": 1, "forwarded_allow_ips": ["10.0.0.0/8"]})  # a list from a caller: stored as a tuple
    assert o.forwarded_allow_ips == ("10.0.0.0/8",) and o.sources["forwarded_allow_ips"] == "--forwarded-allow-ips"
    assert opts({"bind": ["127.0.0.1:9000"]}).bind == ("127.0.0.1:9000",)
    assert error_of({}, {"FORWARDED_ALLOW_IPS": "10.0.0.1/8", "PREFLIGHT_BEHIND_PROXY": "1"}) == \
        "FORWARDED_ALLOW_IPS: '10.0.0.1/8' is not an IP address or network (e.g. 10.0.0.0/8), nor '*'"
    assert error_of({"forwarded_allow_ips": ("127.0.0.1",)}) == \
        "--forwarded-allow-ips says which proxies to trust: it needs --behind-proxy N"
    assert opts({}, {"FORWARDED_ALLOW_IPS": "*"}).sources["forwarded_allow_ips"] == \
        "FORWARDED_ALLOW_IPS ignored: (no --behind-proxy: forwarded headers are not trusted)"


def test_tls_errors_are_exact(tmp_path):
    assert error_of({"certfile": __file__}) == \
        "--certfile and --keyfile go together: TLS needs both the certificate and its key"
    assert error_of({}, {"PREFLIGHT_KEYFILE": __file__}) == \
        "--certfile and --keyfile go together: TLS needs both the certificate and its key"
    assert error_of({"certfile": __file__, "keyfile": "/nonexistent/key.pem"}, {}) == \
        "--keyfile /nonexistent/key.pem: cannot read this file"
    assert error_of({}, {"PREFLIGHT_CERTFILE": "/nonexistent/c.pem", "PREFLIGHT_KEYFILE": __file__}) == \
        "PREFLIGHT_CERTFILE /nonexistent/c.pem: cannot read this file"


def test_tls_failure_reasons(tmp_path):
    from probe.conftest import make_self_signed_cert

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    cert, _ = make_self_signed_cert(tmp_path / "a")
    _, other_key = make_self_signed_cert(tmp_path / "b")
    # OpenSSL's reason code when it has one
    assert error_of({"certfile": str(cert), "keyfile": str(other_key)}) == (
        f"--certfile {cert} / --keyfile {other_key}: not a usable certificate and key (KEY_VALUES_MISMATCH)")
    # else the OS error's text, without the errno
    d = tmp_path / "a"
    assert error_of({"certfile": str(d), "keyfile": str(d)}) == \
        f"--certfile {d} / --keyfile {d}: not a usable certificate and key (Is a directory)"
    # else OpenSSL's message (no reason code for a file that is not PEM)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    assert error_of({"certfile": str(junk), "keyfile": str(junk)}).startswith(
        f"--certfile {junk} / --keyfile {junk}: not a usable certificate and key ([SSL] PEM lib (_ssl.c:")


def test_tls_failure_without_reason_or_strerror_shows_the_exception(monkeypatch):
    import ssl

    class Context:
        def load_cert_chain(self, certfile, keyfile):
            raise ValueError("password required")

    monkeypatch.setattr(ssl, "create_default_context", lambda purpose: Context())
    with pytest.raises(OptionError) as exc:
        _check_tls("/c.pem", "/k.pem")
    assert str(exc.value) == \
        "--certfile /c.pem / --keyfile /k.pem: not a usable certificate and key (password required)"


def test_log_target_messages(tmp_path, monkeypatch):
    assert error_of({"access_log": str(tmp_path)}) == \
        f"--access-log {tmp_path}: is a directory; give a file, or - for stdout"
    assert error_of({}, {"PREFLIGHT_ERROR_LOG": str(tmp_path)}) == \
        f"PREFLIGHT_ERROR_LOG {tmp_path}: is a directory; give a file, or - for stderr"
    assert error_of({}, {"PREFLIGHT_ERROR_LOG": "off"}) == \
        "PREFLIGHT_ERROR_LOG off: the error log cannot be switched off (give - for stderr, or a file)"
    missing = tmp_path / "missing" / "a.log"
    assert error_of({"access_log": str(missing)}) == f"--access-log {missing}: cannot write there"
    # "-" is the stream, never a file of that name in the working directory
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").mkdir()
    assert (opts().access_log, opts().error_log) == ("-", "-")


def test_existing_log_files_are_appended_to_when_writable(tmp_path, monkeypatch):
    import os

    log = tmp_path / "error.log"
    log.write_text("earlier\n")
    assert opts({"error_log": str(log)}).error_log == str(log)
    # root may write anywhere: the permission answers are made up, as for an unprivileged user
    readonly_dir = tmp_path / "ro"
    readonly_dir.mkdir()
    real_access = os.access
    denied = {str(log), str(readonly_dir)}
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK and real_access(path, mode)
                        if path in denied else real_access(path, mode))
    assert error_of({"error_log": str(log)}) == f"--error-log {log}: cannot write there"
    target = readonly_dir / "a.log"
    assert error_of({"access_log": str(target)}) == f"--access-log {target}: cannot write there"


def test_shown_rows_for_a_bare_options_object():
    none = ServeOptions()
    assert none.shown() == [
        ("server", "gunicorn", "default"), ("bind", "127.0.0.1:8000", "default"), ("workers", "1", "default"),
        ("worker-class", "gthread", "default"), ("threads", "4", "default"), ("timeout", "30", "default"),
        ("graceful-timeout", "30", "default"), ("keepalive", "5", "default"), ("max-requests", "1000", "default"),
        ("max-requests-jitter", "100", "default"), ("behind-proxy", "0", "default"),
        ("forwarded-allow-ips", "(none)", "default"), ("certfile", "(none)", "default"),
        ("keyfile", "(none)", "default"), ("log-level", "info", "default"), ("access-log", "- (stdout)", "default"),
        ("error-log", "- (stderr)", "default"),
    ]
    rows = {r[0]: r[1] for r in ServeOptions(bind=("a:1", "[::1]:2"), access_log="off", error_log="/var/log/e.log",
                                             forwarded_allow_ips=("10.0.0.0/8", "*"), certfile="/c.pem").shown()}
    assert (rows["bind"], rows["access-log"], rows["error-log"]) == ("a:1,[::1]:2", "off", "/var/log/e.log")
    assert (rows["forwarded-allow-ips"], rows["certfile"]) == ("10.0.0.0/8,*", "/c.pem")
    assert dict((r[0], r[1]) for r in ServeOptions(access_log="/var/log/a.jsonl").shown())["access-log"] == \
        "/var/log/a.jsonl"


def test_fixed_rows(monkeypatch):
    assert fixed_rows(ServeOptions(server="waitress")) == [
        ("access-log-format", "JSON", "fixed (a middleware: waitress has no access log)"),
        ("expose-tracebacks", "off", "fixed")]
    monkeypatch.setattr(resources, "worker_tmp_dir", lambda: "/dev/shm")
    gunicorn = [("access-log-format", "JSON", "fixed (one object per line)"),
                ("preload-app", "off", "fixed (each worker imports the app)"),
                ("reload", "off", "fixed (development only)"),
                ("worker-tmp-dir", "/dev/shm", "computed: /dev/shm is writable"),
                ("control-socket", "off", "fixed (gunicorn >= 24)"),
                ("config-files", "not read", "fixed (gunicorn.conf.py, GUNICORN_CMD_ARGS)")]
    assert fixed_rows(ServeOptions()) == gunicorn
    monkeypatch.setattr(resources, "worker_tmp_dir", lambda: None)
    gunicorn[3] = ("worker-tmp-dir", "(gunicorn's default)", "computed: no writable /dev/shm")
    assert fixed_rows(ServeOptions()) == gunicorn


def test_render_config_layout():
    assert render_config(opts({"server": "waitress"}), "wsgi:app") == """\
target               wsgi:app
server               waitress        --server
bind                 127.0.0.1:8000  default
workers              5               computed: 2 × 2 CPUs + 1 (memory allows 384: 65536 MiB available, at least 128 MiB per worker); not used by waitress
worker-class         gthread         default; not used by waitress
threads              4               default
timeout              30              default; not used by waitress
graceful-timeout     30              default; not used by waitress
keepalive            5               default; not used by waitress
max-requests         1000            default; not used by waitress
max-requests-jitter  100             default; not used by waitress
behind-proxy         0               default
forwarded-allow-ips  (none)          default (no --behind-proxy: forwarded headers are not trusted)
certfile             (none)          default; not used by waitress
keyfile              (none)          default; not used by waitress
log-level            info            default
access-log           - (stdout)      default
error-log            - (stderr)      default
access-log-format    JSON            fixed (a middleware: waitress has no access log)
expose-tracebacks    off             fixed
"""  # noqa: E501


def test_render_config_caps_the_value_column_and_keeps_long_values_apart(tmp_path):
    log = tmp_path / ("a" * 41 + ".jsonl")
    rows = {line.split()[0]: line for line in render_config(opts({"access_log": str(log)}), "wsgi:app").splitlines()}
    assert rows["timeout"] == "timeout".ljust(21) + "30".ljust(40) + "  default"
    assert rows["access-log"] == "access-log".ljust(21) + str(log) + "  --access-log"


def test_render_config_ends_with_the_exposure_warning():
    from flask_preflight.serve.exposure import exposure_warning

    o = opts({"bind": ("0.0.0.0:8000",)})
    lines = render_config(o, "wsgi:app").splitlines()
    assert lines[-1] == f"warning: {exposure_warning(o)}" and lines[-1].startswith("warning: 0.0.0.0:8000 is not")
    assert not render_config(opts(), "wsgi:app").splitlines()[-1].startswith("warning")
