"""Configuration: lookup order, environment overrides, and clear errors naming the key."""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

import pytest

from newsletter.core.config import Config, load_config
from newsletter.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _keys(model: type, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, field in model.model_fields.items():
        if name == "source":
            continue
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, Config.__mro__[1]) and ann.model_fields:
            out |= _keys(ann, f"{prefix}{name}.")
        else:
            out.add(prefix + name)
    return out


def _flatten(data: dict, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict) and key not in ("social", "consent_texts"):
            out |= _flatten(value, f"{prefix}{key}.")
        else:
            out.add(prefix + key)
    return out


def test_example_documents_every_key() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    missing = _keys(Config) - _flatten(example)
    assert not missing, f"config.example.toml lacks: {sorted(missing)}"


def test_example_equals_builtin_defaults() -> None:
    loaded = load_config(ROOT / "config.example.toml", environ={})
    assert loaded.model_dump(exclude={"source"}) == Config().model_dump(exclude={"source"})


def test_every_example_key_has_a_comment() -> None:
    lines = (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[") and not line.startswith("[["):
            assert lines[i - 1].strip() == "" or lines[i - 1].startswith("#"), line


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(environ={})
    assert config.database.url.startswith("sqlite:///")
    assert config.sending.transport == "outbox"
    assert config.source is None


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "newsletter.toml").write_text("[web]\nport = 8001\n")
    other = tmp_path / "other.toml"
    other.write_text("[web]\nport = 8002\n")
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[web]\nport = 8003\n")
    assert load_config(environ={}).web.port == 8001
    assert load_config(environ={"NEWSLETTER_CONFIG": str(other)}).web.port == 8002
    assert load_config(explicit, environ={"NEWSLETTER_CONFIG": str(other)}).web.port == 8003


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[smtp]\nport = 25\nhost = "a"\n')
    environ = {"NEWSLETTER_SMTP_PORT": "2525", "NEWSLETTER_LIBRARY_LANGUAGES": '["tr"]'}
    config = load_config(path, environ=environ)
    assert config.smtp.port == 2525 and config.smtp.host == "a"
    assert config.library.languages == ["tr"]


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.toml"
    path.parent.mkdir()
    path.write_text('[sending]\noutbox_dir = "out"\n')
    config = load_config(path, environ={})
    assert config.resolve_path(config.sending.outbox_dir) == path.parent.resolve() / "out"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[smtp]\nport = "abc"\n', "smtp.port"),
        ("[smtp]\nprot = 25\n", "unknown key 'smtp.prot'"),
        ("[nonsense]\na = 1\n", "unknown key 'nonsense'"),
        ('[sending]\ntransport = "pigeon"\n', "sending.transport"),
        ('[smtp]\npassword = "hunter2"\n', "NEWSLETTER_SMTP_PASSWORD"),
        ('[security]\nsecret_key = "x"\n', "NEWSLETTER_SECRET_KEY"),
        ("[smtp\nport = 1\n", "c.toml"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_config(path, environ={})


def test_bad_environment_values_name_the_variable() -> None:
    with pytest.raises(ConfigError, match="NEWSLETTER_SMTP_PORT"):
        load_config(environ={"NEWSLETTER_SMTP_PORT": "many"})
    with pytest.raises(ConfigError, match="NEWSLETTER_SMTP_COLOUR"):
        load_config(environ={"NEWSLETTER_SMTP_COLOUR": "x"})
    with pytest.raises(ConfigError, match="NEWSLETTER_BOGUS_X"):
        load_config(environ={"NEWSLETTER_BOGUS_X": "x"})


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", environ={})


def test_secret_from_the_given_environment_not_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.environ holds the autouse fixture's secret; load_config must use the environ it is given.
    path = tmp_path / "c.toml"
    path.write_text("")
    given = "a-secret-given-to-load-config-0123456789abcdef"
    config = load_config(path, environ={"NEWSLETTER_SECRET_KEY": given})
    assert config.secret_key == given
    monkeypatch.setenv("NEWSLETTER_SECRET_KEY", "changed-after-loading-0123456789abcdefghijkl")
    assert config.secret_key == given
    from_file = load_config(path, environ={}).secret_key
    assert from_file != os.environ["NEWSLETTER_SECRET_KEY"]
    assert from_file == (tmp_path / ".newsletter-secret").read_text().strip()


def test_smtp_password_from_the_given_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", "from-os-environ")
    assert load_config(environ={}).smtp_password == ""
    config = load_config(environ={"NEWSLETTER_SMTP_PASSWORD": "parola"})
    monkeypatch.setenv("NEWSLETTER_SMTP_PASSWORD", "changed-later")
    assert config.smtp_password == "parola"


def test_secret_file_created_once_with_mode_600(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("")
    config = load_config(path, environ={})
    secret_file = tmp_path / ".newsletter-secret"
    assert not secret_file.exists()  # created on first use, not by every command that loads
    first = config.secret_key
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert len(first) >= 32
    assert load_config(path, environ={}).secret_key == first


def test_secret_file_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("")
    secret_file = tmp_path / ".newsletter-secret"
    secret_file.write_text("first-secret-in-the-file-0123456789abcdef\n")
    config = load_config(path, environ={})
    # Rewritten, then gone: a config already loaded keeps the secret it read, without the file.
    secret_file.write_text("second-secret-in-the-file-0123456789abcdef\n")
    assert config.secret_key == "first-secret-in-the-file-0123456789abcdef"
    secret_file.unlink()
    assert {config.secret_key for _ in range(15)} == {"first-secret-in-the-file-0123456789abcdef"}
    assert not secret_file.exists()


def test_a_short_secret_file_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("")
    (tmp_path / ".newsletter-secret").write_text("short\n")
    with pytest.raises(ConfigError, match=r"\.newsletter-secret: the signing secret is shorter"):
        load_config(path, environ={})


@pytest.mark.parametrize("value", ["x", "k" * 31])
def test_a_short_environment_secret_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"NEWSLETTER_SECRET_KEY": value})
    message = str(caught.value)
    assert message.startswith("environment variable NEWSLETTER_SECRET_KEY: ")
    assert "32 characters" in message and "\n" not in message
    assert "k" * 31 not in message  # the secret itself is never echoed
    assert load_config(environ={"NEWSLETTER_SECRET_KEY": "a" * 32}).secret_key == "a" * 32


def test_secrets_never_appear_in_repr_str_dump_or_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret, password = "the-signing-secret-0123456789abcdefghij", "the-smtp-password-parola"
    config = load_config(
        environ={"NEWSLETTER_SECRET_KEY": secret, "NEWSLETTER_SMTP_PASSWORD": password}
    )
    assert config.secret_key == secret and config.smtp_password == password
    logging.getLogger("test").warning("config %s %r", config, config)
    shown = [
        repr(config),
        str(config),
        config.model_dump_json(),
        str(config.model_dump()),
        repr(config.model_copy()),
        caplog.text,
    ]
    for text in shown:
        assert secret not in text and password not in text
    assert "**********" not in config.model_dump_json()  # not even a masked placeholder field


def test_a_copied_config_keeps_its_secrets() -> None:
    secret = "kept-across-copies-0123456789abcdefghijkl"
    config = load_config(environ={"NEWSLETTER_SECRET_KEY": secret})
    assert config.model_copy(deep=True).secret_key == secret
