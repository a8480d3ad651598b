"""Config values checked at load: ranges, URL schemes, strict booleans, one-line header values.

Every refusal is one line naming the key and the file or environment variable it came from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsletter.core.config import Config, load_config
from newsletter.core.errors import ConfigError


def _refused(tmp_path: Path, toml: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{path}: "), message
    return message


def _accepted(tmp_path: Path, toml: str):
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    return load_config(path, environ={})


@pytest.mark.parametrize(
    ("section", "key", "bad", "good"),
    [
        ("web", "port", 0, 1),
        ("web", "port", 65536, 65535),
        ("web", "port", -80, 8080),
        ("smtp", "port", 0, 25),
        ("smtp", "port", 70000, 465),
        ("web", "max_body_bytes", -1, 65536),
        ("web", "max_body_bytes", 0, 1024),
        ("web", "max_body_bytes", 100, 2048),  # too small for the subscribe form
        ("web", "rate_limit_per_ip_per_hour", 0, 1),
        ("web", "rate_limit_per_address_per_hour", -5, 1),
        ("sending", "rate_per_second", -0.5, 0.0),
        ("sending", "rate_per_second", "nan", 2.5),
        ("sending", "rate_per_hour", -1, 0),
        ("sending", "batch_size", 0, 1),
        ("sending", "batch_size", 1_000_000, 10_000),
        ("sending", "max_attempts", 0, 1),
        ("sending", "retry_base_seconds", 0.0, 0.01),
        ("sending", "retry_base_seconds", "inf", 30.0),
        ("sending", "retry_max_age_hours", 0.0, 0.5),
        ("sending", "policy_failures_to_pause", 0, 1),
        ("smtp", "timeout_seconds", 0.0, 0.1),
        ("smtp", "timeout_seconds", -30.0, 30.0),
        ("smtp", "max_messages_per_connection", 0, 1),
        ("smtp", "pool_size", 0, 1),
        ("smtp", "pool_size", 500, 50),
        ("scheduler", "grace_minutes", -1, 0),
        ("scheduler", "poll_seconds", 0.0, 0.2),
        ("scheduler", "lease_seconds", 0.0, 5.0),
        ("subscribers", "confirm_days", 0, 1),
        ("subscribers", "confirm_days", -7, 7),
        ("subscribers", "confirm_days", 1000, 365),
    ],
)
def test_numbers_out_of_range_are_refused(
    tmp_path: Path, section: str, key: str, bad: object, good: object
) -> None:
    # nan and inf are TOML float literals: written bare, they are numbers, not strings.
    message = _refused(tmp_path, f"[{section}]\n{key} = {bad}\n")
    assert f"key '{section}.{key}'" in message
    config = _accepted(tmp_path, f"[{section}]\n{key} = {good}\n")
    assert getattr(getattr(config, section), key) == good


def test_an_out_of_range_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"NEWSLETTER_WEB_MAX_BODY_BYTES": "-1"})
    message = str(caught.value)
    assert message.startswith("environment variable NEWSLETTER_WEB_MAX_BODY_BYTES: ")
    assert "web.max_body_bytes" in message and "1024" in message


def test_range_messages_read_plainly(tmp_path: Path) -> None:
    message = _refused(tmp_path, "[smtp]\nport = 70000\n")
    expected = "key 'smtp.port': Input should be less than or equal to 65535 (got 70000)"
    assert message.endswith(expected)


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("public.base_url", "javascript:alert(1)", "https"),
        ("public.base_url", "ftp://news.example.org", "https"),
        ("public.base_url", "news.example.org", "https"),
        ("public.base_url", "http://news.example.org", "http only"),
        ("public.base_url", "https://", "host"),
        ("public.base_url", "https://news.example.org/?a=1", "query"),
        ("public.base_url", "https://news.example.org/#top", "fragment"),
        ("public.base_url", "https://news.example.org/a b", "space"),
        ("public.base_url", "https://example.org@evil.example", "user name"),
        ("public.base_url", "http://localhost:99999", "valid URL"),
        ("organisation.website", "javascript:alert(1)", "https"),
        ("organisation.website", "http://example.org", "http only"),
        ("organisation.logo_url", "data:image/png;base64,AAAA", "https"),
        ("organisation.logo_url", "http://example.org/logo.png", "http only"),
    ],
)
def test_urls_must_be_https(tmp_path: Path, key: str, value: str, why: str) -> None:
    section, name = key.split(".")
    message = _refused(tmp_path, f'[{section}]\n{name} = "{value}"\n')
    assert f"key '{key}'" in message and why in message


def test_social_links_must_be_https(tmp_path: Path) -> None:
    message = _refused(tmp_path, '[organisation]\nsocial = { mastodon = "javascript:alert(1)" }\n')
    assert "key 'organisation.social'" in message and "mastodon" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8000/news",
        "http://[::1]:8080",
        "http://127.0.0.2",
        "http://news.localhost",
    ],
)
def test_http_on_loopback_is_allowed_with_a_warning(tmp_path: Path, url: str) -> None:
    config = _accepted(tmp_path, f'[public]\nbase_url = "{url}"\n')
    assert config.public.base_url == url
    assert len(config.warnings) == 1
    assert config.warnings[0].startswith(f"public.base_url is '{url}': ")
    assert "\n" not in config.warnings[0]


def test_https_urls_give_no_warning(tmp_path: Path) -> None:
    config = _accepted(
        tmp_path,
        '[public]\nbase_url = "https://news.example.org/bulten"\n'
        '[organisation]\nwebsite = "https://example.org"\nlogo_url = ""\n'
        'social = { mastodon = "https://mastodon.example/@ornek" }\n',
    )
    assert config.warnings == []


def test_warnings_name_each_loopback_url(tmp_path: Path) -> None:
    config = _accepted(
        tmp_path,
        '[organisation]\nwebsite = "http://localhost"\nlogo_url = "http://127.0.0.1/l.png"\n'
        'social = { web = "http://localhost/me" }\n',
    )
    keys = [w.split(" is ")[0] for w in config.warnings]
    assert keys == [
        "public.base_url",
        "organisation.website",
        "organisation.logo_url",
        "organisation.social.web",
    ]


def test_a_url_in_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^environment variable NEWSLETTER_PUBLIC_BASE_URL: "):
        load_config(environ={"NEWSLETTER_PUBLIC_BASE_URL": "javascript:alert(1)"})


@pytest.mark.parametrize(
    ("section", "key"), [("database", "echo"), ("sending", "verp"), ("dkim", "enabled")]
)
@pytest.mark.parametrize("value", ['"yes"', '"true"', "1", '"false"', "0"])
def test_booleans_in_the_file_must_be_true_or_false(
    tmp_path: Path, section: str, key: str, value: str
) -> None:
    message = _refused(tmp_path, f"[{section}]\n{key} = {value}\n")
    assert f"key '{section}.{key}'" in message and "true or false, without quotes" in message


def test_toml_booleans_are_read(tmp_path: Path) -> None:
    config = _accepted(tmp_path, "[database]\necho = true\n[sending]\nverp = false\n")
    assert config.database.echo is True and config.sending.verp is False


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("false", False)])
def test_environment_booleans_are_json(raw: str, value: bool) -> None:
    assert load_config(environ={"NEWSLETTER_DATABASE_ECHO": raw}).database.echo is value


@pytest.mark.parametrize("raw", ["yes", "1", "True", "on", ""])
def test_other_environment_booleans_are_refused(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"NEWSLETTER_SENDING_VERP": raw})
    message = str(caught.value)
    assert message.startswith("environment variable NEWSLETTER_SENDING_VERP: ")
    assert "true or false" in message and "\n" not in message


def test_environment_text_starting_with_a_bracket_is_text() -> None:
    # Only lists and tables are JSON; a name like this used to fail as "invalid JSON".
    config = load_config(environ={"NEWSLETTER_SENDING_FROM_NAME": "[Bülten] Örnek"})
    assert config.sending.from_name == "[Bülten] Örnek"


HEADER_KEYS = [
    "organisation.name",
    "organisation.postal_address",
    "organisation.contact_email",
    "sending.from_address",
    "sending.from_name",
    "sending.reply_to",
    "sending.envelope_sender",
    "sending.message_id_domain",
    "sending.list_id",
    "sending.feedback_id",
    "sending.unsubscribe_mailto",
    "smtp.host",
    "smtp.username",
    "smtp.local_hostname",
    "dkim.domain",
    "dkim.selector",
    "web.consent_version",
]
BAD_TEXT = [
    ("Örnek\\r\\nBcc: everyone@example.org", "carriage return"),
    ("Örnek\\nBcc: x@example.org", "line break"),
    ("Örnek\\u0000", "NUL"),
    ("Örnek\\u0007", "control character U+0007"),
    ("\\u202eexample.org", "bidi control U+202E"),
    ("Örnek\\u2066x", "bidi control U+2066"),
]


@pytest.mark.parametrize("key", HEADER_KEYS)
@pytest.mark.parametrize(("value", "why"), BAD_TEXT)
def test_header_values_must_be_one_clean_line(
    tmp_path: Path, key: str, value: str, why: str
) -> None:
    section, name = key.split(".")
    message = _refused(tmp_path, f'[{section}]\n{name} = "{value}"\n')
    assert f"key '{key}'" in message and why in message


def test_header_values_from_the_environment_name_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"NEWSLETTER_SENDING_FROM_NAME": "Örnek\r\nBcc: x@example.org"})
    message = str(caught.value)
    assert message.startswith("environment variable NEWSLETTER_SENDING_FROM_NAME: ")
    assert "carriage return" in message and "\n" not in message


def test_text_in_lists_and_tables_is_checked(tmp_path: Path) -> None:
    message = _refused(tmp_path, '[library]\npartners = ["EU", "ILO\\nX"]\n')
    assert "key 'library.partners'" in message and "item 2" in message
    message = _refused(tmp_path, '[organisation]\nsocial = { "x\\u202e" = "https://x.example" }\n')
    assert "key 'organisation.social'" in message and "U+202E" in message
    message = _refused(
        tmp_path, '[[library.areas]]\nslug = "a"\nname = "A\\u0000"\nkeywords = []\n'
    )
    assert "key 'library.areas'" in message and "NUL" in message


def test_arabic_marks_and_consent_paragraphs_are_allowed(tmp_path: Path) -> None:
    config = _accepted(
        tmp_path,
        '[organisation]\nname = "منظمة\\u200f Örnek"\n'
        '[web]\nconsent_text = """I agree.\nI can unsubscribe at any time."""\n',
    )
    assert config.organisation.name == "منظمة\u200f Örnek"
    assert config.web.consent_text == "I agree.\nI can unsubscribe at any time."
    message = _refused(tmp_path, '[web]\nconsent_text = "I agree\\u202e."\n')
    assert "key 'web.consent_text'" in message


@pytest.mark.parametrize("colour", ["red; } body { display:none", "#12345", "0033a0", "#0033a0 "])
def test_brand_colour_must_be_a_hex_colour(tmp_path: Path, colour: str) -> None:
    message = _refused(tmp_path, f'[organisation]\nbrand_colour = "{colour}"\n')
    assert "key 'organisation.brand_colour'" in message and "#rrggbb" in message


@pytest.mark.parametrize("colour", ["#b3261e", "#FFF", "#0033A0"])
def test_hex_colours_are_accepted(tmp_path: Path, colour: str) -> None:
    config = _accepted(tmp_path, f'[organisation]\nbrand_colour = "{colour}"\n')
    assert config.organisation.brand_colour == colour


def test_the_example_states_every_enforced_range() -> None:
    # Each constrained number's comment in config.example.toml names its bounds.
    text = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text("utf-8")
    blocks = re.split(r"\n(?=\[)", text)
    for section, model_field in Config.model_fields.items():
        if section == "source":
            continue
        block = next(b for b in blocks if b.startswith(f"[{section}]"))
        for key, field in model_field.annotation.model_fields.items():  # type: ignore[union-attr]
            bounds = [m for m in field.metadata if type(m).__name__ in ("Ge", "Gt", "Le", "Lt")]
            if not bounds:
                continue
            stated = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", _comment_above(block, key))}
            for bound in bounds:
                limit = float(getattr(bound, type(bound).__name__.lower()))
                assert limit in stated, f"{section}.{key}: the example does not state {bound}"


def _comment_above(block: str, key: str) -> str:
    lines = block.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
    found = []
    for line in reversed(lines[:index]):
        if not line.strip() or line.startswith("["):
            break
        if line.startswith("#"):
            found.append(line)
    return " ".join(found)
