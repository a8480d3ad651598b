"""Pre-send checks: every finding has an id, a severity and a message naming what is at fault.

Errors block approval and sending; warnings are for the editor to weigh. ``check_view`` is pure
(the issue's content and the config in, findings out), with no Session: the part that loads an
issue and its editions from the database is ``compose.issue_checks.check_issue``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlsplit

from markupsafe import escape

from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.rendering import (
    email_render,
    html_audit,
    mjml_schema,
    plaintext,
    safe_markdown,
    templating,
)
from newsletter.rendering.personalise import compile_parts, marker
from newsletter.rendering.sample import sample_fields
from newsletter.rendering.view import BlockView, IssueView, SectionView

SIZE_WARN = 90 * 1024
SIZE_ERROR = 102 * 1024  # Gmail clips messages whose HTML is larger than this
SUBJECT_MAX = 80
UNCONFIGURED_ADDRESS = "Address not configured"
# A phone-height estimate past this is a report, not a digest (the teaser layout keeps a
# month well under it): a warning, never an error.
HEIGHT_WARN_PX = 6000


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str  # error | warning
    message: str
    block_id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def _name(block: BlockView) -> str:
    return f'block {block.block_id} "{block.title}"'


def _https(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() == "https"


def content_findings(view: IssueView, untranslated: str = "warning") -> list[Finding]:
    """Checks of the content; ``untranslated`` is the severity of a block in another language
    than the view's (an error in an edition that does not allow fallback blocks)."""
    out: list[Finding] = []
    if not view.subject.strip():
        out.append(Finding("subject-missing", "error", "the issue has no subject"))
    elif len(view.subject) > SUBJECT_MAX:
        msg = f"the subject has {len(view.subject)} characters; over {SUBJECT_MAX} get cut off"
        out.append(Finding("subject-too-long", "warning", msg))
    if not view.preheader.strip():
        msg = "no preheader: inboxes will show the first words of the email instead"
        out.append(Finding("preheader-missing", "warning", msg))
    if not view.blocks:
        out.append(Finding("empty-issue", "error", "the issue has no blocks"))
    for number, section in enumerate(view.sections, start=1):
        if not section.blocks:
            msg = f'section {number} "{section.heading}" has no blocks (it is left out)'
            out.append(Finding("empty-section", "warning", msg))
    out += _html_findings("the intro", view.intro, None)
    for block in view.blocks:
        out += block_findings(block, view.language, untranslated)
    return out


def block_findings(
    block: BlockView, view_language: str = "", untranslated: str = "warning"
) -> list[Finding]:
    out: list[Finding] = []
    name, bid = _name(block), block.block_id
    if view_language and block.language and block.language != view_language:
        msg = f"{name} is in {block.language}: no ready {view_language} translation to show"
        if untranslated == "error":
            msg += (
                "; add one, or let this edition show blocks untranslated "
                f"(issues translate ISSUE {view_language} --allow-fallback)"
            )
        out.append(Finding("block-untranslated", untranslated, msg, bid))
    if block.status != "ready":
        out.append(Finding("block-not-ready", "error", f"{name} is {block.status}", bid))
    if block.image_url:
        if not (block.image_alt or "").strip():
            out.append(
                Finding("image-alt-missing", "warning", f"{name}: image without alt text", bid)
            )
        if not _https(block.image_url):
            msg = f"{name}: image is not https: {block.image_url}"
            out.append(Finding("image-not-https", "error", msg, bid))
    if block.link_url and not _https(block.link_url) and not block.link_url.startswith("mailto:"):
        msg = f"{name}: link is not https: {block.link_url}"
        out.append(Finding("link-not-https", "error", msg, bid))
    return out + _html_findings(name, block.text, bid)


def _html_findings(name: str, source: str, bid: int | None) -> list[Finding]:
    out: list[Finding] = []
    raw = safe_markdown.audit_html(safe_markdown.raw_html(source))
    for url in raw.refused_links:
        msg = f"{name}: link is not https or mailto and was removed: {url}"
        out.append(Finding("link-not-https", "error", msg, bid))
    removed = sorted(f"<{t}>" for t in raw.removed_tags) + sorted(raw.removed_attributes)
    if removed:
        msg = f"{name}: unsafe or unsupported HTML removed: {', '.join(removed)}"
        out.append(Finding("html-removed", "warning", msg, bid))
    if raw.unbalanced:
        msg = f"{name}: unbalanced HTML repaired: {', '.join(raw.unbalanced[:3])}"
        out.append(Finding("html-repaired", "warning", msg, bid))
    out += sanitised_findings(name, str(safe_markdown.to_html(source)), bid)
    return out


def sanitised_findings(name: str, html: str, bid: int | None) -> list[Finding]:
    """What is still wrong after sanitising: never expected, so an error when it happens."""
    audit = safe_markdown.audit_html(html)
    out = []
    if audit.unbalanced:
        msg = f"{name}: HTML still unbalanced after sanitising: {', '.join(audit.unbalanced[:3])}"
        out.append(Finding("html-unbalanced", "error", msg, bid))
    if not audit.clean:
        left = sorted(audit.removed_tags | audit.removed_attributes) + audit.refused_links
        msg = f"{name}: unsafe HTML left after sanitising: {', '.join(left[:5])}"
        out.append(Finding("html-unsafe", "error", msg, bid))
    return out


def organisation_findings(config: Config) -> list[Finding]:
    out = []
    org = config.organisation
    if not org.postal_address.strip() or org.postal_address == UNCONFIGURED_ADDRESS:
        msg = "organisation.postal_address is not configured (the law requires it in every email)"
        out.append(Finding("address-missing", "error", msg))
    if org.logo_url and not _https(org.logo_url):
        msg = f"organisation.logo_url is not https: {org.logo_url}"
        out.append(Finding("image-not-https", "error", msg))
    for network, url in org.social.items():
        if not _https(url):
            msg = f"organisation.social.{network} is not https: {url}"
            out.append(Finding("link-not-https", "error", msg))
    return out


def base_url_findings(config: Config) -> list[Finding]:
    """public.base_url on this machine, a private network or plain http: every link in the
    email (unsubscribe, preferences, web version, icons) is dead or unsafe for readers. An
    error when the email really goes out (transport smtp), a warning for the outbox."""
    url = config.public.base_url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    severity = "error" if config.sending.transport == "smtp" else "warning"
    out = []
    if _local_host(host):
        msg = f"public.base_url is {url}: readers cannot reach {host}, every link will be dead"
        out.append(Finding("base-url-local", severity, msg))
    if parts.scheme != "https":
        msg = f"public.base_url is not https: {url} (links and unsubscribe go over plain http)"
        out.append(Finding("base-url-not-https", severity, msg))
    return out


def _local_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "." not in host  # a bare name ("intranet") only resolves inside a network
    return not address.is_global


def accessibility_findings(html: str, max_height: int = HEIGHT_WARN_PX) -> list[Finding]:
    """The accessibility pass (``html_audit``) and the phone height estimate, as warnings."""
    problems, height = html_audit.audit(html)
    out = [Finding(p.id, "warning", f"accessibility: {p.message}") for p in problems]
    if height > max_height:
        msg = (
            f"the email is about {height} px tall on a phone (over {max_height}, "
            "rendering.max_height_px): "
            "use the teaser layout or fewer blocks"
        )
        out.append(Finding("email-too-long", "warning", msg))
    return out


def mjml_findings(source: str, config: Config, theme: str) -> list[Finding]:
    out = []
    for problem in mjml_schema.validate(source):
        where = locate(config, theme, problem.needle)
        msg = f"MJML {problem.message}" + (f" (template {where})" if where else "")
        out.append(Finding("mjml-invalid", "error", msg))
    return out


def locate(config: Config, theme: str, needle: str) -> str:
    """The first template line of the theme containing ``needle``: where to fix a problem."""
    for folder in templating.template_dirs(config):
        base = folder / "email" / theme
        for path in sorted(base.rglob("*.j2")) if base.is_dir() else []:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if needle in line:
                    return f"{path.relative_to(folder)}, line {number}"
    return ""


def part_findings(html: str, text: str, config: Config) -> list[Finding]:
    out = []
    unsubscribe = marker("unsubscribe_url")
    for part, body in (("HTML", html), ("text", text)):
        if unsubscribe not in body:
            msg = f"the {part} part has no unsubscribe link"
            out.append(Finding("unsubscribe-missing", "error", msg))
    address = config.organisation.postal_address
    if address and address != UNCONFIGURED_ADDRESS:
        for part, body, shown in (("HTML", html, str(escape(address))), ("text", text, address)):
            if shown not in body:
                msg = f"the {part} part does not show the postal address"
                out.append(Finding("address-missing", "error", msg))
    return out


def size_findings(html: str, view: IssueView, config: Config) -> list[Finding]:
    sample = sample_fields(config.public.base_url, view.issue_id)
    size = len(compile_parts(html, "").fill(sample)[0].encode("utf-8"))
    if size < SIZE_WARN:
        return []
    severity = "error" if size >= SIZE_ERROR else "warning"
    heavy = ", ".join(f"{_name(b)} {kb:.1f} KB" for b, kb in heaviest_blocks(view, config, html))
    msg = f"the HTML is {size / 1024:.1f} KB; Gmail clips it from 102 KB. Heaviest: {heavy}"
    return [Finding("html-size", severity, msg)]


def heaviest_blocks(
    view: IssueView, config: Config, html: str, count: int = 3
) -> list[tuple[BlockView, float]]:
    """Each block's weight: how much smaller the HTML is without it."""
    weights = []
    for block in view.blocks:
        sections = tuple(
            SectionView(s.heading, tuple(b for b in s.blocks if b is not block), s.area)
            for s in view.sections
        )
        without = email_render.mjml_to_html(
            email_render.render_mjml(replace(view, sections=sections), config)[0]
        )
        weights.append((block, (len(html) - len(without)) / 1024))
    return sorted(weights, key=lambda w: -w[1])[:count]


def check_view(view: IssueView, config: Config, untranslated: str = "warning") -> list[Finding]:
    """Every check on one issue's content and on what its templates produce (``untranslated``:
    see ``content_findings``)."""
    findings = (
        content_findings(view, untranslated)
        + organisation_findings(config)
        + base_url_findings(config)
    )
    try:
        email_render.locale_for(view.language)
    except UserError as exc:
        return [*findings, Finding("language-unknown", "error", str(exc))]
    try:
        source, context = email_render.render_mjml(view, config)
    except UserError as exc:
        bid = exc.block_id if isinstance(exc, email_render.BlockTemplateError) else None
        return [*findings, Finding("template-error", "error", str(exc), bid)]
    findings += mjml_findings(source, config, view.theme)
    try:
        html = email_render.mjml_to_html(source, email_render.mjml_template(view))
    except UserError as exc:
        return [*findings, Finding("mjml-error", "error", str(exc))]
    text = plaintext.render_text(view, context)
    findings += part_findings(html, text, config) + accessibility_findings(
        html, config.rendering.max_height_px
    )
    return findings + size_findings(html, view, config)
