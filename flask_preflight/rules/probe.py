"""Rule pack 6: what a live deployment shows the internet (PF601-PF607), reported by ``flask-preflight probe``.

The probe also reports PF506 (security headers) and PF510 (server version) from the runtime pack, whose
``modes`` include ``probe``.
"""

from __future__ import annotations

from flask_preflight.findings import Severity
from flask_preflight.rules import OWASP_A02, OWASP_A05, OWASP_A07, REGISTRY, Rule

_PROBE = frozenset({"probe"})
_CHECKS = "flask_preflight/probe/checks.py"
_COOKIES = "flask_preflight/probe/cookies.py"
_SESSION = "flask_preflight/probe/session.py"

PF601 = REGISTRY.register(Rule(
    id="PF601",
    name="dev-server-exposed",
    severity=Severity.HIGH,
    summary="The deployment answers with a development server's fingerprint (`Server: Werkzeug/...`).",
    rationale=(
        "Werkzeug's development server (what `flask run` and `app.run()` start) sends "
        "`Server: Werkzeug/<version> Python/<version>`. It is a single-process convenience server: it has no "
        "worker management and starts one thread per connection with no upper bound (`flask run` and "
        "`app.run()` are threaded by default, so one slow client does not stall it, but nothing stops many from "
        "exhausting it), no request size or time limits worth the name, and it prints \"WARNING: This is a development server. Do not use "
        "it in a production deployment.\" at every start. When it answers on a public URL, debug mode and the "
        "debugger are usually one flag away. Python's own reference servers (`wsgiref`'s `WSGIServer/`, "
        "`http.server`'s `SimpleHTTP/`/`BaseHTTP/`) are reported the same way. `gunicorn`, `waitress`, "
        "`uvicorn` and friends are production servers and are not findings. A reverse proxy that rewrites the "
        "`Server` header hides the dev server from this check."
    ),
    bad='''
$ flask run --host 0.0.0.0          # Server: Werkzeug/3.1.3 Python/3.12.4
''',
    good='''
$ gunicorn --workers 4 --bind 0.0.0.0:8000 "myapp:create_app()"   # Server: gunicorn
''',
    fix_hint="Serve the app with a production WSGI server (gunicorn, waitress, uWSGI) behind a reverse proxy; "
             "keep `flask run` for local development.",
    cwe=(489, 16),
    owasp=(OWASP_A05,),
    modes=_PROBE,
    implemented_in=_CHECKS,
))

PF602 = REGISTRY.register(Rule(
    id="PF602",
    name="debugger-exposed",
    severity=Severity.CRITICAL,
    summary="The Werkzeug interactive debugger answers on the deployment: remote code execution.",
    rationale=(
        "The Werkzeug debugger middleware (`flask run --debug`, `app.run(debug=True)`, `DebuggedApplication`) "
        "serves its own files for `?__debugger__=yes&cmd=resource&f=debugger.js` on any path, before the app "
        "sees the request, and on Werkzeug >= 3.0.3 whatever the Host header is. The probe asks for that file "
        "(and for `style.css`) and for the standalone console at `/console`; it never sends a PIN, a `pinauth`/"
        "`printpin` command or code. When the debugger is present, every unhandled exception shows a traceback "
        "page with source code, file paths and the debugger's `SECRET`, and the console runs Python on the "
        "server behind a PIN that Werkzeug's maintainers call \"not a security feature\" (it is derived from "
        "guessable machine facts, and `WERKZEUG_DEBUG_PIN=off` removes it). Critical."
    ),
    bad='''
if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)     # deployed with `python app.py`
''',
    good='''
# wsgi.py, served by gunicorn; debug mode only ever on a developer machine
app = create_app()
''',
    fix_hint="Switch debug mode off (unset FLASK_DEBUG, no debug=True, no DebuggedApplication) and serve the app "
             "with a production WSGI server; then rotate SECRET_KEY and any credential the server could read.",
    cwe=(94, 489, 215),
    owasp=(OWASP_A05,),
    modes=_PROBE,
    implemented_in=_CHECKS,
))

PF603 = REGISTRY.register(Rule(
    id="PF603",
    name="https-not-enforced",
    severity=Severity.HIGH,
    summary="The site answers over plain http instead of redirecting to https.",
    rationale=(
        "When `http://host/` answers with content instead of a redirect to `https://`, a visitor who types the "
        "address, follows an old link or is downgraded by a network attacker talks to the app in clear text: "
        "session cookies without `Secure`, credentials and pages can be read and changed on the way, and HSTS "
        "(sent only over https) is never learned. For an https URL the probe requests the same URL over http "
        "(port 80; skipped when the https URL has an explicit port) without following redirects; for an http "
        "URL it follows the redirects of the first request. A 2xx answer over http, or a redirect that stays "
        "on http, is a finding (Django's W008, the MDN Observatory's redirection test). This is the live "
        "counterpart of PF513 `talisman-https-disabled`, which reads Talisman's `force_https` in the loaded app."
    ),
    bad='''
$ curl -sI http://example.com/
HTTP/1.1 200 OK
''',
    good='''
$ curl -sI http://example.com/
HTTP/1.1 301 Moved Permanently
Location: https://example.com/
''',
    fix_hint="Redirect every http request to https with 301/308 (in the reverse proxy, or Flask-Talisman's "
             "force_https with ProxyFix so the app sees the original scheme).",
    cwe=(319,),
    owasp=(OWASP_A02, OWASP_A05),
    modes=_PROBE,
    implemented_in=_CHECKS,
))

PF604 = REGISTRY.register(Rule(
    id="PF604",
    name="hsts-missing",
    severity=Severity.HIGH,
    summary="An https response has no Strict-Transport-Security header, or its max-age is under one year.",
    rationale=(
        "Without HSTS a browser's first request of every visit may go over http, where it can be intercepted "
        "before the redirect to https (SSL stripping). The header tells the browser to use https only, for "
        "`max-age` seconds. Flask's security docs and the HSTS preload list use one year (31536000 s); Flask-"
        "Talisman sends 31556926. High when the header is missing or `max-age=0` (which switches HSTS off), "
        "medium below six months (the MDN Observatory's threshold, 15552000 s), low between six months and one "
        "year. Only https responses are judged; browsers ignore the header over http."
    ),
    bad='''
Strict-Transport-Security: max-age=3600
''',
    good='''
Strict-Transport-Security: max-age=31536000; includeSubDomains
''',
    fix_hint="Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every https response "
             "(reverse proxy, or Flask-Talisman's defaults).",
    cwe=(319, 523),
    owasp=(OWASP_A02, OWASP_A05),
    modes=_PROBE,
    implemented_in=_CHECKS,
))

PF605 = REGISTRY.register(Rule(
    id="PF605",
    name="insecure-cookie-flags",
    severity=Severity.MEDIUM,
    summary="A cookie the site sets lacks Secure (on https), HttpOnly (session-like cookies) or SameSite.",
    rationale=(
        "Every `Set-Cookie` header the probe sees is checked. `Secure` keeps a cookie off plain http, where it "
        "can be read by anyone on the path; `HttpOnly` keeps a session cookie away from JavaScript, so an XSS "
        "bug cannot steal the login; `SameSite=Lax` (or `Strict`) stops most cross-site request forgery, and "
        "browsers reject `SameSite=None` without `Secure`. Session-like cookies are those whose name contains "
        "`sess` or `login`, or has a word like `session`, `sid`, `remember`, `auth`, `token`, `jwt`; they "
        "need `HttpOnly`, except CSRF cookies (`csrf`, `xsrf`), which double-submit schemes must read from "
        "JavaScript. High for a session-like cookie without `Secure` on https or without `HttpOnly` (MDN "
        "Observatory -40/-30), medium for `SameSite=None` without `Secure`, low for any other cookie without "
        "`Secure` on https and for a missing or invalid `SameSite`. Cookies being deleted (empty value, "
        "`Max-Age=0` or an expiry in the past) are not judged; a `Set-Cookie` value that cannot be parsed is "
        "a note, not a finding."
    ),
    bad='''
Set-Cookie: session=eyJ1c2VyIjoxfQ.Zx...; Path=/
''',
    good='''
Set-Cookie: session=eyJ1c2VyIjoxfQ.Zx...; Secure; HttpOnly; SameSite=Lax; Path=/
''',
    fix_hint="Set SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True and SESSION_COOKIE_SAMESITE='Lax' "
             "(and the REMEMBER_COOKIE_* equivalents); pass secure=True, httponly=True, samesite='Lax' to "
             "response.set_cookie() for your own cookies.",
    cwe=(614, 1004, 1275),
    owasp=(OWASP_A05, OWASP_A07),
    modes=_PROBE,
    implemented_in=_COOKIES,
))

PF606 = REGISTRY.register(Rule(
    id="PF606",
    name="forgeable-session-cookie",
    severity=Severity.CRITICAL,
    summary="The site's Flask session cookie is signed with a guessable key: anyone can forge sessions.",
    rationale=(
        "Flask's session cookie is signed, not encrypted: `<base64 payload>.<timestamp>.<HMAC-SHA1>` with a "
        "key derived from SECRET_KEY. Whoever knows the key can sign any payload - `{\"_user_id\": \"1\"}` logs "
        "them in as the administrator with Flask-Login - and tools like flask-unsign and hashcat (mode 29100) "
        "try tens of thousands of known keys offline in seconds. The probe takes the session cookie the site "
        "sets, and tests its signature offline against the placeholder keys `check` knows, the keys printed in "
        "Flask's documentation, the public flask-unsign wordlist (about 56,000 keys from GitHub and Stack "
        "Overflow) and any `--secret-wordlist FILE`. Nothing forged is ever sent. The report names the cookie, "
        "its payload keys (never values) and only the first two characters of the key. Critical."
    ),
    bad='''
app.config["SECRET_KEY"] = "secret"
''',
    good='''
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]   # python -c 'import secrets; print(secrets.token_hex())'
''',
    fix_hint="Generate a new random key (python -c 'import secrets; print(secrets.token_hex())'), deploy it as a "
             "secret, and treat every session signed with the old one as compromised.",
    cwe=(1391, 321, 798),
    owasp=(OWASP_A02, OWASP_A07),
    modes=_PROBE,
    implemented_in=_SESSION,
))

PF607 = REGISTRY.register(Rule(
    id="PF607",
    name="traceback-exposed",
    severity=Severity.HIGH,
    summary="A page the site serves shows a Python traceback or Werkzeug's error page.",
    rationale=(
        "The probe looks at the main page, the 404 page of a random path and the answer to a query string "
        "that is not valid UTF-8, for `Traceback (most recent call last)` and the Werkzeug debugger's error "
        "page. A traceback hands out file paths, library versions, source lines and sometimes configuration "
        "values; it means debug mode, `PROPAGATE_EXCEPTIONS` with a server that prints errors, gunicorn's "
        "`--reload` error app, or an error handler that formats the exception into the response. The probe "
        "never tries to provoke a server error beyond those two requests."
    ),
    bad='''
@app.errorhandler(Exception)
def oops(exc):
    return f"<pre>{traceback.format_exc()}</pre>", 500
''',
    good='''
@app.errorhandler(Exception)
def oops(exc):
    app.logger.exception("unhandled error")
    return render_template("500.html"), 500
''',
    fix_hint="Switch debug mode off and return a generic error page; log the traceback on the server instead.",
    cwe=(209, 215),
    owasp=(OWASP_A05,),
    modes=_PROBE,
    implemented_in=_CHECKS,
))
