"""The signing secret and the SMTP password: read once, from the environment or the secret file.

Both are held as pydantic ``SecretStr`` so a config in a repr, a log line or a dump never shows
them. The signing secret keys every link token and suppression hash, so it must be long enough
to guess at no better than chance: 32 characters, from the environment or the file alike.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from newsletter.core.errors import ConfigError

SECRET_ENV = "NEWSLETTER_SECRET_KEY"
PASSWORD_ENV = "NEWSLETTER_SMTP_PASSWORD"
MIN_LENGTH = 32
_HOW = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def from_environment(environ: Mapping[str, str]) -> SecretStr | None:
    """$NEWSLETTER_SECRET_KEY when set, checked for length; None when unset or empty."""
    value = environ.get(SECRET_ENV, "")
    if not value:
        return None
    if len(value) < MIN_LENGTH:
        raise ConfigError(
            f"environment variable {SECRET_ENV}: the signing secret must be at least "
            f"{MIN_LENGTH} characters (it has {len(value)}); {_HOW}"
        )
    return SecretStr(value)


def smtp_password(environ: Mapping[str, str]) -> SecretStr:
    return SecretStr(environ.get(PASSWORD_ENV, ""))


def read_file(path: Path) -> SecretStr | None:
    """The secret kept in ``path``, checked for length; None if there is no such file."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the signing secret ({why})") from exc
    if len(key) < MIN_LENGTH:
        raise ConfigError(
            f"{path}: the signing secret is shorter than {MIN_LENGTH} characters; "
            f"replace it (links already sent stop working) or {_HOW.replace('make', 'write')}"
        )
    return SecretStr(key)


def read_or_create_file(path: Path) -> SecretStr:
    """The secret in ``path``, first writing a random one (mode 600) if the file is absent.

    The secret is written to a temporary file and hard-linked into place, so the file appears
    whole and two processes starting at once agree: the second link fails, and it reads the
    first one's secret instead of a half-written file.
    """
    found = read_file(path)
    if found is not None:
        return found
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    created = read_file(path)
    if created is None:  # removed again between the two steps
        raise ConfigError(f"{path}: the signing secret file disappeared while being created")
    return created
