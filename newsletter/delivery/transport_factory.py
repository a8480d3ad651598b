"""The transport chosen by ``sending.transport``, built from its own settings section.

This is the one place that reads ``[smtp]`` (and the SMTP password) into ``SmtpSettings``; the
transports themselves never see the configuration. Called at the edges (a send run, the worker's
confirmation round, a proof) once per run.
"""

from __future__ import annotations

from newsletter.core.config import Config
from newsletter.delivery.outbox_transport import OutboxTransport
from newsletter.delivery.smtp_transport import SmtpSettings, SmtpTransport
from newsletter.delivery.transport import Transport


def smtp_settings(config: Config) -> SmtpSettings:
    """``[smtp]``, the password from the environment and ``ca_file`` resolved to a path."""
    smtp = config.smtp
    ca_file = str(config.resolve_path(smtp.ca_file)) if smtp.ca_file else ""
    return SmtpSettings(
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        username=smtp.username,
        password=config.smtp_password,
        ca_file=ca_file,
        timeout=smtp.timeout_seconds,
        message_deadline=smtp.message_deadline_seconds,
        max_messages_per_connection=smtp.max_messages_per_connection,
        pool_size=smtp.pool_size,
        local_hostname=smtp.local_hostname,
    )


def make_transport(config: Config) -> Transport:
    """The transport chosen by ``sending.transport``: SMTP, or the outbox folder."""
    if config.sending.transport == "smtp":
        return SmtpTransport(smtp_settings(config))
    return OutboxTransport(config.resolve_path(config.sending.outbox_dir))
