"""PF607: a Python traceback or Werkzeug's error page in an error response."""

import httpx

from probe.test_unit import HARDENED, hardened_site, ids, probe


TRACE = "Traceback (most recent call last):\n  File \"/srv/app/views.py\", line 3, in index\nKeyError: 'x'"


def test_traceback_on_the_404_page_is_pf607():
    site = hardened_site()
    site.default = lambda r: httpx.Response(404, headers=HARDENED, text=TRACE)
    result, _ = probe(["https://example.com/"], site)
    assert "PF607" in ids(result)


def test_plain_404_page_is_fine():
    result, _ = probe(["https://example.com/"], hardened_site())
    assert "PF607" not in ids(result)
