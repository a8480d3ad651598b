"""Configuration: lookup order, environment overrides, and clear errors naming the key."""

from __future__ import annotations

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
        if isinstance(value, dict) and key not in ("social",):
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
    (tmp_path / "newsletter.toml").write_text('[web]\nport = 8001\n')
    other = tmp_path / "other.toml"
    other.write_text('[web]\nport = 8002\n')
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('[web]\nport = 8003\n')
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
        ('[smtp]\nprot = 25\n', "unknown key 'smtp.prot'"),
        ('[nonsense]\na = 1\n', "unknown key 'nonsense'"),
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


def test_secret_from_environment_or_created_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("")
    assert load_config(path, environ={}).secret_key  # env set by the autouse fixture
    import os

    del os.environ["NEWSLETTER_SECRET_KEY"]
    first = load_config(path, environ={}).secret_key
    assert (tmp_path / ".newsletter-secret").stat().st_mode & 0o777 == 0o600
    assert load_config(path, environ={}).secret_key == first
