"""The edge between the configuration and delivery: each component built once, from the section
it needs, by the functions that start work (a send run, the worker, a CLI command).

Below this module nothing reads the ``Config``: the composer gets a ``MessageSettings`` (header
values, the public URL, the checked envelope sender, the signing secret and a DKIM signer loaded
once), the sender threads get the ``[sending]`` section, the transport comes from
``transport_factory``. Every builder raises the UserError a send would meet, naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsletter.core.config import Config, SendingConfig
from newsletter.core.errors import UserError
from newsletter.delivery.dkim_sign import DkimSigner, read_signer
from newsletter.delivery.headers import HeaderSettings, check_value, list_namespace, mailbox
from newsletter.delivery.transport_factory import make_transport

# RFC 2919: a list id is dot-atom text with at least one dot, ASCII only.
_NAMESPACE = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")


@dataclass(frozen=True)
class MessageSettings:
    """What every message of this installation needs, whoever it is for."""

    headers: HeaderSettings
    base_url: str  # public.base_url without a trailing slash
    envelope_sender: str  # the Return-Path address (before VERP)
    verp: bool
    secret: str  # signs the personal links, VERP addresses and archive keys
    signer: DkimSigner | None


def header_settings(config: Config) -> HeaderSettings:
    """The shared header values, from ``[sending]`` and the organisation's name.

    ``list_id`` is the base of every list's List-Id: a list gets ``Name <slug.NAMESPACE>``
    (``headers.list_id``), NAMESPACE being the id in ``sending.list_id`` or, by default,
    ``lists.DOMAIN``; a message of no list (a proof) carries the base itself.
    """
    sending = config.sending
    domain = sending.message_id_domain or sending.from_address.rpartition("@")[2]
    list_id = sending.list_id or f"{config.organisation.name} <lists.{domain}>"
    if sending.list_id:
        _check_list_id(sending.list_id)
    return HeaderSettings(
        from_address=sending.from_address,
        from_name=sending.from_name,
        reply_to=sending.reply_to,
        list_id=list_id,
        feedback_id=sending.feedback_id,
        unsubscribe_mailto=sending.unsubscribe_mailto,
        message_id_domain=domain,
    )


def _check_list_id(value: str) -> None:
    namespace = list_namespace(value)
    if not _NAMESPACE.match(namespace):
        raise UserError(
            f"sending.list_id: {value!r} needs an id of dot-separated words, like "
            "'Our newsletter <news.example.org>' (each list's id is then SLUG.news.example.org)"
        )


def base_url(config: Config) -> str:
    url = config.public.base_url.rstrip("/")
    check_value("public.base_url", url)
    if not url.startswith(("https://", "http://")):
        raise UserError(f"public.base_url: not an http(s) URL: {url!r}")
    return url


def envelope_sender(sending: SendingConfig) -> str:
    """The Return-Path address, checked: a bad one would only show up as bounces lost."""
    key = "sending.envelope_sender" if sending.envelope_sender else "sending.from_address"
    address = sending.envelope_sender or sending.from_address
    try:
        return mailbox(key, address).addr_spec
    except ValueError as exc:  # the email package's own refusal of a malformed part
        raise UserError(f"{key}: not an email address: {address!r} ({exc})") from None


def signer(config: Config) -> DkimSigner | None:
    """The signer of ``[dkim]``, or None when DKIM is off; a bad key file is a UserError."""
    dk = config.dkim
    if not dk.enabled:
        return None
    if not dk.key_file:
        raise UserError("dkim.key_file is empty but dkim.enabled is true")
    return read_signer(dk.domain, dk.selector, config.resolve_path(dk.key_file))


def message_settings(config: Config) -> MessageSettings:
    """Everything the composer needs, checked (public URL, envelope sender, DKIM key)."""
    return MessageSettings(
        headers=header_settings(config),
        base_url=base_url(config),
        envelope_sender=envelope_sender(config.sending),
        verp=config.sending.verp,
        secret=config.secret_key,
        signer=signer(config),
    )


def check_ready(config: Config) -> MessageSettings:
    """Raise the UserError a send would meet (DKIM key, public URL, transport settings) now,
    before any ledger row is written."""
    settings = message_settings(config)
    make_transport(config).close()
    return settings


def warnings(config: Config) -> list[str]:
    """Settings that send but work against the sender's reputation (shown before a send)."""
    found = []
    if config.sending.transport == "smtp" and not base_url(config).startswith("https://"):
        found.append(
            f"public.base_url is {config.public.base_url!r}: one-click unsubscribe "
            "(List-Unsubscribe) needs an https URL; Gmail and Yahoo ignore it otherwise"
        )
    return found
