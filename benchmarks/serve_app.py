"""The small, realistic Flask app that ``bench_serve.py`` serves with ``flask run`` and ``flask-preflight serve``.

It does what a typical small app does per request, no more: one JSON endpoint that builds a page of items
and serialises it, and one HTML page rendered from a Jinja template (with inheritance, a loop, autoescaping
and ``url_for``). No database or sleep: the benchmark compares the servers, so the app's own cost should be
real but small, and identical for both.

The configuration is security-neutral on purpose, so that ``flask-preflight serve`` does not refuse it:
``SECRET_KEY`` comes from the environment (the benchmark sets a random one; without it the app refuses to
start, as a production app should), debug and testing are off and the session cookie is HttpOnly with
SameSite=Lax, request bodies are capped, only loopback host names are trusted
and the usual security headers are set. ``flask-preflight inspect benchmarks/serve_app.py:app`` has no high or critical finding.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List

from flask import Flask, jsonify, render_template, request
from jinja2 import DictLoader

TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{% endblock %} - Shop</title></head>
<body>
<nav><a href="{{ url_for('index') }}">Home</a> <a href="{{ url_for('items') }}">API</a></nav>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "index.html": """{% extends "base.html" %}
{% block title %}Items{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<table>
  <tr><th>id</th><th>name</th><th>price</th><th>tags</th></tr>
  {% for item in items %}
  <tr><td>{{ item.id }}</td><td>{{ item.name }}</td><td>{{ "%.2f"|format(item.price) }}</td>
      <td>{{ item.tags|join(", ") }}</td></tr>
  {% endfor %}
</table>
{% endblock %}
""",
}

PAGE_SIZE = 20


def _items(page: int) -> List[Dict[str, Any]]:
    """A deterministic page of items (what a small query would return)."""
    start = (page - 1) * PAGE_SIZE
    return [{"id": i, "name": f"Item <{i}>", "price": 1.5 * (i % 37) + 0.99,
             "tags": ["new", "sale"] if i % 3 == 0 else ["stock"]} for i in range(start, start + PAGE_SIZE)]


def create_app() -> Flask:
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("SECRET_KEY is not set (bench_serve.py sets a random one)")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=1024 * 1024,
        TRUSTED_HOSTS=["127.0.0.1", "localhost"],  # the benchmark only talks to loopback
    )
    app.jinja_loader = DictLoader(TEMPLATES)

    @app.after_request
    def security_headers(response: Any) -> Any:
        # what Flask-Talisman or a proxy would add; a few header writes per request, as in production
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'")
        return response

    @app.get("/")
    def index() -> str:
        return render_template("index.html", title="Items", items=_items(1))

    @app.get("/api/items")
    def items() -> Any:
        page = max(1, min(request.args.get("page", 1, type=int), 1000))
        return jsonify(page=page, page_size=PAGE_SIZE, items=_items(page))

    return app


app = create_app()
