"""``flask-preflight serve``: run the app on a production WSGI server, after the ``inspect`` checks pass.

* :mod:`.options` - the effective settings and where each one came from (flag, environment, computed);
* :mod:`.gate` - which ``inspect`` findings stop the server from starting;
* :mod:`.wsgi` - what each worker loads: the app, guarded against the debugger and wrapped for a proxy;
* :mod:`.gunicorn_server` / :mod:`.waitress_server` - the two servers, embedded (never shelled out to);
* :mod:`.accesslog` - JSON access-log lines;
* :mod:`.generate` - production templates (gunicorn.conf.py, systemd, nginx, Dockerfile);
* :mod:`.command` - the command itself.
"""
