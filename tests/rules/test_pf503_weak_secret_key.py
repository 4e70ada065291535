"""PF503 weak-secret-key: short, low-entropy, placeholder or published keys, and SECRET_KEY_FALLBACKS entries."""

import pytest

from flask_preflight.runtime.check_config import key_weakness
from .runtime_apps import QUIET, inspect_app  # noqa: F401


def test_placeholder_key_is_critical_and_never_printed(inspect_app):
    assert inspect_app(QUIET + "app.secret_key = 'change-me-in-production-please!!'\n") == [("PF503", "main.py", 2, 1, "critical")]
    finding = inspect_app.only("PF503")
    assert finding.severity.value == "critical"
    assert "placeholder" in finding.message
    assert finding.evidence == "SECRET_KEY: str, 32 characters, starts with 'ch'"
    text = " ".join((finding.message, finding.evidence, finding.snippet, finding.fix_hint))
    assert "change-me" not in text


def test_key_published_in_flask_docs_is_critical(inspect_app):
    src = QUIET + "app.secret_key = '192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf'\n"
    assert inspect_app(src) == [("PF503", "main.py", 2, 1, "critical")]
    assert inspect_app.only("PF503").severity.value == "critical"
    assert "documentation" in inspect_app.only("PF503").message


def test_short_key_is_high_and_shows_only_its_length(inspect_app):
    assert inspect_app(QUIET + "app.secret_key = 'Zq8#pL2!vR'\n") == [("PF503", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF503")
    assert finding.severity.value == "high"
    assert finding.evidence == "SECRET_KEY: str, 10 characters"
    assert "Zq" not in finding.evidence


def test_each_weak_fallback_is_reported(inspect_app):
    src = QUIET + ("app.config['SECRET_KEY_FALLBACKS'] = ["
                   "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', "
                   "b'secret']\n")
    assert inspect_app(src) == [("PF503", "main.py", 2, 1, "critical"), ("PF503", "main.py", 2, 1, "high")]
    evidence = sorted(f.evidence for f in inspect_app.findings)
    assert evidence == ["SECRET_KEY_FALLBACKS[1]: str, 36 characters, starts with 'aa'",
                        "SECRET_KEY_FALLBACKS[2]: bytes, 6 long"]
    assert all("still accepts" in f.message for f in inspect_app.findings)


def test_strong_text_and_random_bytes_keys_pass(inspect_app):
    assert inspect_app(QUIET + "import os\napp.config['SECRET_KEY_FALLBACKS'] = [os.urandom(24)]\n") == []


@pytest.mark.parametrize("key, weak", [
    ("a" * 31 + "bcdef", "low in entropy"),            # 36 characters, 6 distinct, mostly "a"
    ("aaaa" * 12, "only 1 distinct"),                  # Django's "5 distinct characters" bar
    ("0123456789abcdef0123456789abcdef", None),         # exactly 32 characters: passes (boundary)
    ("0123456789abcdef0123456789abcde", "only 31 characters long"),
    (bytes(range(200, 216)), None),                     # 16 random-looking bytes: passes (boundary)
    (bytes(range(200, 215)), "only 15 bytes long"),
    (b"dev", "a well-known placeholder"),               # printable bytes are judged as text
    ("5f352379324c22463451387a0aec5d2f", "a key published"),
])
def test_thresholds(key, weak):
    result = key_weakness(key)
    if weak is None:
        assert result is None
    else:
        assert result is not None and result.startswith(weak)


@pytest.mark.parametrize("key, reason", [
    ("x", "only 1 character long"),
    ("abcdefg", "only 7 characters long"),
])
def test_very_short_key_is_critical_with_proper_wording(inspect_app, key, reason):
    assert inspect_app(QUIET + f"app.secret_key = {key!r}\n") == [("PF503", "main.py", 2, 1, "critical")]
    finding = inspect_app.only("PF503")
    assert finding.severity.value == "critical"
    assert reason in finding.message


def test_distinct_characters_singular(inspect_app):
    assert inspect_app(QUIET + "app.secret_key = 'z' * 40\n") == [("PF503", "main.py", 2, 1, "high")]
    finding = inspect_app.only("PF503")
    assert "only 1 distinct character:" in finding.message
    assert "characters" not in finding.message.split(":")[0].replace("SECRET_KEY", "")


def test_one_character_key_rates_no_lower_than_a_placeholder(inspect_app):
    assert inspect_app(QUIET + "app.secret_key = '1'\n") == [("PF503", "main.py", 2, 1, "critical")]
    short = inspect_app.only("PF503").severity
    assert inspect_app(QUIET + "app.secret_key = 'change-me-in-production-please!!'\n") == [("PF503", "main.py", 2, 1, "critical")]
    assert short.rank >= inspect_app.only("PF503").severity.rank
