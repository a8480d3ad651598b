"""The sample reader every preview and check fills an issue for: one name, one address, links
as long as the real ones, so a preview looks like a real email and size checks measure truly."""

from __future__ import annotations

from newsletter.rendering.personalise import PersonalFields, archive_url

SAMPLE_NAME = "Ayşe Yılmaz"
SAMPLE_EMAIL = "ayse.yilmaz@example.org"
# A real personal link carries a signed token about this long; checks size the email with it.
SAMPLE_TOKEN = "sample-token-" + "x" * 107


def sample_fields(base_url: str, issue_id: int, name: str = SAMPLE_NAME) -> PersonalFields:
    """The personal parts as the sample reader gets them."""
    base = base_url.rstrip("/")
    return PersonalFields(
        name=name,
        email=SAMPLE_EMAIL,
        unsubscribe_url=f"{base}/unsubscribe/{SAMPLE_TOKEN}",
        preferences_url=f"{base}/preferences/{SAMPLE_TOKEN}",
        view_online_url=archive_url(base, issue_id),
    )
