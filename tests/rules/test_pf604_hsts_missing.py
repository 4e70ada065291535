"""PF604: HTTPS responses without Strict-Transport-Security, or with a short max-age."""

import httpx

from probe.test_unit import HARDENED, hardened_site, ids, probe


def test_missing_hsts_is_pf604():
    headers = {k: v for k, v in HARDENED.items() if k != "Strict-Transport-Security"}
    site = hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=headers, text="hi")})
    result, _ = probe(["https://example.com/"], site)
    assert "PF604" in ids(result)


def test_one_year_hsts_is_fine_and_a_day_is_not():
    ok, _ = probe(["https://example.com/"], hardened_site())
    assert "PF604" not in ids(ok)
    short = {**HARDENED, "Strict-Transport-Security": "max-age=86400"}
    site = hardened_site({("https", "/"): lambda r: httpx.Response(200, headers=short, text="hi")})
    result, _ = probe(["https://example.com/"], site)
    assert "PF604" in ids(result)
