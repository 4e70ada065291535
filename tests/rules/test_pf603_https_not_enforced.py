"""PF603: plain http is served without a redirect to https."""

import httpx

from probe.test_unit import HARDENED, hardened_site, ids, probe


def test_http_variant_answering_200_is_pf603():
    site = hardened_site({("http", "/"): lambda r: httpx.Response(200, headers=HARDENED, text="hello")})
    result, _ = probe(["https://example.com/"], site)
    assert "PF603" in ids(result)


def test_http_variant_redirecting_to_https_is_fine():
    result, _ = probe(["https://example.com/"], hardened_site())
    assert "PF603" not in ids(result)
