"""Settings resolution for serve: flag over environment over computed default, with the source kept."""

from __future__ import annotations

import pytest

from flask_preflight.serve.options import MIB, OptionError, default_workers, render_config, resolve

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
