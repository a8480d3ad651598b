"""Configuration: built-in defaults, a TOML file, then NEWSLETTER_* environment variables.

Lookup order for the file: ``--config PATH``, else ``$NEWSLETTER_CONFIG``, else
``./newsletter.toml``, else the defaults alone. Every key is documented in
``config.example.toml``; a test keeps the two in step. Secrets are never read from the file:
they come from the environment given to ``load_config`` (or the secret file), once, and are held
out of every repr and dump (``config_secrets``). Values are checked at load (``config_values``):
ranges, https URLs, strict booleans, one-line text. ``Config.warnings`` lists what loads but is
only fit for testing (plain http on this machine), for the CLI to show.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_origin

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, StrictBool, ValidationError

from newsletter.core import config_secrets
from newsletter.core.config_values import (
    BaseUrl,
    HexColour,
    LanguageTexts,
    OptionalWebUrl,
    Port,
    Section,
    WebLinks,
    WebUrl,
    url_warnings,
)
from newsletter.core.errors import ConfigError
from newsletter.core.library_defaults import DEFAULT_AREAS, DEFAULT_PARTNERS, Area

ENV_PREFIX = "NEWSLETTER_"
DEFAULT_FILE = "newsletter.toml"


class OrganisationConfig(Section):
    name: str = "Our Organisation"
    postal_address: str = "Address not configured"
    website: WebUrl = "https://example.org"
    logo_url: OptionalWebUrl = ""
    brand_colour: HexColour = "#0033a0"
    contact_email: str = "newsletter@example.org"
    social: WebLinks = {}


class DatabaseConfig(Section):
    url: str = "sqlite:///newsletter.db"
    echo: StrictBool = False


class LibraryConfig(Section):
    default_language: str = "en"
    languages: list[str] = ["en", "tr", "ar"]
    areas: list[Area] = Field(default_factory=lambda: list(DEFAULT_AREAS))
    partners: list[str] = Field(default_factory=lambda: list(DEFAULT_PARTNERS))
    editor: str = ""


class RenderingConfig(Section):
    templates_dir: str = ""
    theme: str = "monthly"
    # `issues check` warns above this estimated height on a phone: a report, not a digest.
    max_height_px: int = Field(6000, ge=1000, le=100_000)


class PublicConfig(Section):
    base_url: BaseUrl = "http://127.0.0.1:8000"


class WebConfig(Section):
    host: str = "127.0.0.1"
    port: Port = 8000
    consent_text: str = (
        "I agree to receive this newsletter by email. I can unsubscribe at any time with the "
        "link in every email; my data is handled as described in the privacy notice."
    )
    consent_text_tr: str = (
        "Bu bülteni e-postayla almayı kabul ediyorum. Her e-postadaki bağlantıyla aboneliğimi "
        "istediğim zaman iptal edebilirim; verilerim gizlilik bildiriminde açıklandığı gibi "
        "işlenir."
    )
    # Per language code, beside the two above (an entry for "tr" wins over consent_text_tr).
    consent_texts: LanguageTexts = {
        "ar": "أوافق على تلقّي هذه النشرة عبر البريد الإلكتروني. يمكنني إلغاء اشتراكي في أي وقت "
        "عبر الرابط الموجود في كل رسالة، وتُعالَج بياناتي كما هو موضّح في إشعار الخصوصية."
    }
    consent_version: str = "2026-11"
    # 0 would refuse every request: a form needs at least one.
    rate_limit_per_ip_per_hour: int = Field(20, ge=1)
    rate_limit_per_address_per_hour: int = Field(5, ge=1)
    # Below 1 KiB the subscribe form and even the one-click unsubscribe POST get a 413.
    max_body_bytes: int = Field(65536, ge=1024, le=10 * 1024 * 1024)

    def consent_text_for(self, language: str) -> str:
        """The consent text a page in ``language`` shows, and records word for word: its entry
        in consent_texts, else consent_text_tr for Turkish, else consent_text ("" skips one)."""
        turkish = self.consent_text_tr if language == "tr" else ""
        return self.consent_texts.get(language) or turkish or self.consent_text


class SendingConfig(Section):
    transport: Literal["outbox", "smtp"] = "outbox"
    outbox_dir: str = "outbox"
    from_address: str = "newsletter@example.org"
    from_name: str = "Our Organisation"
    reply_to: str = ""
    envelope_sender: str = ""
    verp: StrictBool = False
    message_id_domain: str = ""
    list_id: str = ""
    feedback_id: str = ""
    unsubscribe_mailto: str = ""
    rate_per_second: float = Field(0.0, ge=0)  # 0: unlimited
    rate_per_hour: int = Field(0, ge=0)  # 0: unlimited
    # A claim is one transaction holding its rows in memory: keep it a bounded size.
    batch_size: int = Field(500, gt=0, le=10_000)
    max_attempts: int = Field(5, gt=0, le=100)
    # 0 would retry a 4xx at once, in a loop, against a server asking us to wait.
    retry_base_seconds: float = Field(30.0, gt=0)
    retry_max_age_hours: float = Field(24.0, gt=0)
    policy_failures_to_pause: int = Field(10, gt=0)
    # The circuit breaker: this many connection failures, unknown outcomes or temporary
    # failures of different recipients in a row mean the server is in trouble, not them.
    breaker_failures: int = Field(5, gt=0, le=1000)
    breaker_backoff_seconds: float = Field(300.0, gt=0)
    # A send that delivered less than this share never ends "done" and "sent" silently.
    min_delivered_share: float = Field(0.5, ge=0, le=1)


class SmtpConfig(Section):
    host: str = "localhost"
    port: Port = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    ca_file: str = ""
    timeout_seconds: float = Field(30.0, gt=0)
    message_deadline_seconds: float = Field(300.0, gt=0)
    max_messages_per_connection: int = Field(100, gt=0)
    # More parallel connections than this get a sender throttled or refused by most servers.
    pool_size: int = Field(2, gt=0, le=50)
    local_hostname: str = ""


class DkimConfig(Section):
    enabled: StrictBool = False
    domain: str = ""
    selector: str = ""
    key_file: str = ""


class SchedulerConfig(Section):
    timezone: str = "Europe/Istanbul"
    grace_minutes: int = Field(60, ge=0)  # 0: a missed send is never sent late
    poll_seconds: float = Field(15.0, gt=0)
    lease_seconds: float = Field(120.0, gt=0)
    stop_grace_seconds: float = Field(30.0, ge=0)


class SubscribersConfig(Section):
    folder: str = "subscribers"
    confirm_days: int = Field(7, ge=1, le=365)


class BouncesConfig(Section):
    # What `bounces import` does to a person (audience/bounce_rules.py).
    hard_threshold: int = Field(1, ge=1, le=10)  # hard bounces within the window that act
    soft_threshold: int = Field(3, ge=1, le=100)  # soft bounces within the window that act
    window_days: int = Field(30, ge=1, le=365)


class SecurityConfig(Section):
    secret_file: str = ".newsletter-secret"


class WorkspaceConfig(Section):
    """The browser workspace under /admin: sessions, the sign-in throttle, the approval rule."""

    # A session unused this long signs out; none lasts longer than session_max_hours.
    session_idle_minutes: int = Field(120, ge=5, le=7 * 24 * 60)
    session_max_hours: int = Field(12, ge=1, le=24 * 30)
    # Failed sign-ins within the window that lock an account, and that lock one address.
    login_failures_per_account: int = Field(5, ge=1, le=100)
    login_failures_per_ip: int = Field(20, ge=1, le=1000)
    login_window_minutes: int = Field(15, ge=1, le=24 * 60)
    # A one-person office may let the author approve their own issue.
    allow_self_approval: StrictBool = False
    # Rows per page in the workspace's listings.
    page_size: int = Field(50, ge=10, le=500)


class MediaConfig(Section):
    """Photos uploaded in the workspace, re-encoded and served under [public] base_url/media/."""

    folder: str = "media"
    max_upload_bytes: int = Field(15 * 1024 * 1024, ge=100 * 1024, le=200 * 1024 * 1024)
    # Pixels a decoded image may have: larger is refused as a decompression bomb.
    max_pixels: int = Field(40_000_000, ge=1_000_000, le=200_000_000)
    # The widths stored: 600 for the email, 1200 for high-density screens (100 to 4000 each).
    widths: list[Annotated[int, Field(ge=100, le=4000)]] = Field([600, 1200], min_length=1)


class ApiConfig(Section):
    """The JSON API under /api/v1: requests one token may make per minute (a short burst may
    go over the average, never over ``burst``)."""

    requests_per_minute: int = Field(120, ge=1, le=100_000)
    burst: int = Field(30, ge=1, le=10_000)


class Config(Section):
    organisation: OrganisationConfig = OrganisationConfig()
    database: DatabaseConfig = DatabaseConfig()
    library: LibraryConfig = LibraryConfig()
    rendering: RenderingConfig = RenderingConfig()
    public: PublicConfig = PublicConfig()
    web: WebConfig = WebConfig()
    sending: SendingConfig = SendingConfig()
    smtp: SmtpConfig = SmtpConfig()
    dkim: DkimConfig = DkimConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    subscribers: SubscribersConfig = SubscribersConfig()
    security: SecurityConfig = SecurityConfig()
    bounces: BouncesConfig = BouncesConfig()
    workspace: WorkspaceConfig = WorkspaceConfig()
    media: MediaConfig = MediaConfig()
    api: ApiConfig = ApiConfig()

    # Where the file was found (None: defaults only). Relative paths resolve against its folder.
    source: Path | None = None

    # Resolved once by load_config; private, so no repr, str or dump ever shows them.
    _secret_key: SecretStr | None = PrivateAttr(default=None)
    _smtp_password: SecretStr = PrivateAttr(default=SecretStr(""))
    _warnings: list[str] = PrivateAttr(default_factory=list)

    def resolve_path(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder (or the working folder)."""
        path = Path(value).expanduser()
        if path.is_absolute():
            return path
        base = self.source.parent if self.source else Path.cwd()
        return base / path

    @property
    def smtp_password(self) -> str:
        """$NEWSLETTER_SMTP_PASSWORD of the environment given to load_config ("" if unset)."""
        return self._smtp_password.get_secret_value()

    @property
    def secret_key(self) -> str:
        """The signing secret: $NEWSLETTER_SECRET_KEY of the environment given to load_config,
        else the secret file, created on first use (not at load: most commands never sign)."""
        if self._secret_key is None:
            path = self.resolve_path(self.security.secret_file)
            self._secret_key = config_secrets.read_or_create_file(path)
        return self._secret_key.get_secret_value()

    @property
    def warnings(self) -> list[str]:
        """Settings that load but only suit testing (http on this machine), one line each."""
        return list(self._warnings)

    def _urls(self) -> list[tuple[str, str]]:
        org = self.organisation
        urls = [("public.base_url", self.public.base_url), ("organisation.website", org.website)]
        urls += [("organisation.logo_url", org.logo_url)] if org.logo_url else []
        return urls + [(f"organisation.social.{k}", v) for k, v in org.social.items()]


SECRET_ENV = {config_secrets.SECRET_ENV, config_secrets.PASSWORD_ENV, "NEWSLETTER_CONFIG"}
SECTIONS = [name for name in Config.model_fields if name != "source"]


def find_config_file(
    explicit: str | Path | None = None, environ: dict[str, str] | None = None
) -> Path | None:
    """``--config PATH``, else $NEWSLETTER_CONFIG, else ./newsletter.toml, else None."""
    environ = os.environ if environ is None else environ
    if explicit:
        path, origin = Path(explicit), ""
    elif environ.get(ENV_PREFIX + "CONFIG"):
        path, origin = Path(environ[ENV_PREFIX + "CONFIG"]), " (from NEWSLETTER_CONFIG)"
    else:
        local = Path(DEFAULT_FILE)
        return local if local.is_file() else None
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}{origin}")
    return path


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    """NEWSLETTER_<SECTION>_<KEY>=value, matched against known sections and keys."""
    out: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in SECRET_ENV:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in SECTIONS if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(f"environment variable {name}: no such config section")
        key = rest[len(section) + 1 :]
        fields = Config.model_fields[section].annotation.model_fields  # type: ignore[union-attr]
        if key not in fields:
            raise ConfigError(f"environment variable {name}: no key {section}.{key}")
        value = _env_value(name, raw, fields[key].annotation)
        out.setdefault(section, {})[key] = value
    return out


def _env_value(name: str, raw: str, annotation: Any) -> Any:
    """Lists and tables are JSON, booleans the JSON words true/false, the rest plain text
    (numbers are parsed by the model, so its range messages apply)."""
    if annotation is bool:
        if raw not in ("true", "false"):
            raise ConfigError(f"environment variable {name}: write true or false (got {raw!r})")
        return raw == "true"
    if get_origin(annotation) in (list, dict) or (
        isinstance(annotation, type) and issubclass(annotation, BaseModel)
    ):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"environment variable {name}: invalid JSON ({exc}); "
                'write a list as ["a", "b"], a table as {"k": "v"}'
            ) from exc
    return raw


def _merge(data: dict[str, Any], overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for section, values in overrides.items():
        target = merged.setdefault(section, {})
        if isinstance(target, dict):
            target.update(values)
    return merged


def _explain(exc: ValidationError, origin: str, from_env: dict[str, dict[str, Any]]) -> ConfigError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    loc = [str(p) for p in err["loc"]]
    if len(loc) >= 2 and loc[1] in from_env.get(loc[0], {}):
        origin = f"environment variable {ENV_PREFIX}{loc[0].upper()}_{loc[1].upper()}"
    if err["type"] == "extra_forbidden":
        return ConfigError(f"{origin}: unknown key '{key}'")
    given = err.get("input")
    shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "bool_type":  # a quoted "true", "yes" or 1: say what is accepted
        message = "write true or false, without quotes"
    return ConfigError(f"{origin}: key '{key}': {message}{shown}")


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Load the configuration; raises ConfigError naming the key at fault."""
    environ = dict(os.environ if environ is None else environ)
    file = find_config_file(path, environ)
    data = _read_toml(file) if file else {}
    for forbidden in ("secret_key", "password"):
        for section, values in data.items():
            if isinstance(values, dict) and forbidden in values:
                raise ConfigError(
                    f"{file}: key '{section}.{forbidden}' is a secret: set it in the environment "
                    f"(NEWSLETTER_{'SECRET_KEY' if forbidden == 'secret_key' else 'SMTP_PASSWORD'})"
                )
    env_secret = config_secrets.from_environment(environ)
    overrides = _env_overrides(environ)
    merged = _merge(data, overrides)
    origin = str(file) if file else "configuration"
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        raise _explain(exc, origin, overrides) from exc
    config.source = file.resolve() if file else None
    config._smtp_password = config_secrets.smtp_password(environ)
    # An existing secret file is read now, so a short one is refused before any work starts.
    secret_file = config.resolve_path(config.security.secret_file)
    config._secret_key = env_secret or config_secrets.read_file(secret_file)
    config._warnings = url_warnings(config._urls())
    return config
