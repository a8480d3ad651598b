"""The media library: photos uploaded for blocks, stored as files and listed as ``MediaItem`` rows.

An upload is two steps, so the slow one holds no database lock: ``prepare_upload`` checks the
alt text, the credit and the file and re-encodes it (``photos.prepare``); ``store`` writes the
versions to ``[media] folder`` and adds the row and its audit event. ``save_upload`` does both.

Files are ``<stem>-<width>.<ext>`` with a random stem (``media_store``: written under a
temporary name and renamed; removed if the row is not committed, and a deleted photo's files
only once the deletion is). The web app serves them at
``[public] base_url/media/<name>`` (``url``); names are random and never reused, so they may be
cached for ever.

A photo a block shows, or that a frozen issue (sent or approved) contains, is not deleted:
emails already in readers' inboxes load it from this server.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PureWindowsPath
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from newsletter.core import audit
from newsletter.core.account_models import MediaItem
from newsletter.core.config import Config
from newsletter.core.errors import NotFound, StateError, UserError
from newsletter.core.models import Block, IssueSnapshot
from newsletter.core.safe_text import fold_line, problem
from newsletter.core.textmatch import fold
from newsletter.library import media_store, photos

ALT_MAX = 300
CREDIT_MAX = 200
SUBJECT = "media"


@dataclass(frozen=True)
class Upload:
    """A checked upload, ready for ``store``."""

    original_name: str
    alt: str
    credit: str
    photo: photos.Prepared


@dataclass(frozen=True)
class Usage:
    blocks: list[int]  # blocks showing the photo
    issues: list[int]  # issues frozen with it


def original_name(filename: str) -> str:
    """The file's own name, without the folders some browsers send, on one line."""
    return fold_line(PureWindowsPath(filename or "").name)[:200]


def check_text(alt: str, credit: str, name: str = "") -> tuple[str, str]:
    """Alt text (required, one line, at most ALT_MAX) and credit (optional, one line)."""
    alt, credit = alt.strip(), credit.strip()
    if not alt:
        raise UserError("alt: describe the photo for people who cannot see it")
    for field, value, limit in (("alt", alt, ALT_MAX), ("credit", credit, CREDIT_MAX)):
        found = problem(value)
        if found:
            raise UserError(f"{field}: {found}; write it on one line")
        if len(value) > limit:
            raise UserError(f"{field}: keep it to {limit} characters (it has {len(value)})")
    if name and fold(alt) in {fold(name), fold(Path(name).stem)}:
        raise UserError("alt: this is the file's name; say what the photo shows")
    return alt, credit


def prepare_upload(config: Config, data: bytes, filename: str, alt: str, credit: str) -> Upload:
    """Checks the texts and the file and re-encodes it; no database, no files written."""
    name = original_name(filename)
    alt, credit = check_text(alt, credit, name)
    if not data:
        raise UserError("file: choose a photo to upload")
    return Upload(name, alt, credit, photos.prepare(data, name, config.media))


def store(session: Session, config: Config, upload: Upload, actor: str, now: datetime) -> MediaItem:
    """Writes the versions and adds the row; the files go again if the row does not."""
    photo = upload.photo
    stem = secrets.token_hex(16)
    written = media_store.write(media_store.folder_of(config), stem, photo)
    item = MediaItem(
        stem=stem, original_name=upload.original_name, extension=photo.extension,
        width=photo.versions[-1].width, height=photo.versions[-1].height,
        widths=[v.width for v in photo.versions], bytes=photo.bytes, alt=upload.alt,
        credit=upload.credit, uploaded_by=actor, created_at=now,
    )  # fmt: skip
    try:
        session.add(item)
        session.flush()
        audit.record(session, actor, "uploaded", SUBJECT, item.id, now, name=item.original_name,
                     widths=item.widths)  # fmt: skip
        session.flush()
    except BaseException:
        media_store.remove(written)
        raise
    media_store.after_transaction(session, on_rollback=lambda: media_store.remove(written))
    return item


def save_upload(
    session: Session,
    config: Config,
    data: bytes,
    filename: str,
    alt: str,
    credit: str,
    actor: str,
    now: datetime,
) -> MediaItem:
    """``prepare_upload`` then ``store``, for callers that already hold the session."""
    return store(session, config, prepare_upload(config, data, filename, alt, credit), actor, now)


def file_name(item: MediaItem, width: int) -> str:
    return f"{item.stem}-{width}.{item.extension}"


def pick_width(item: MediaItem, width: int = 600) -> int:
    """The widest stored version not wider than ``width``, else the narrowest."""
    stored = sorted(item.widths) or [item.width]
    fitting = [w for w in stored if w <= width]
    return fitting[-1] if fitting else stored[0]


def path(item: MediaItem, width: int = 600) -> str:
    """The version's address on this site (the workspace's thumbnails)."""
    return "/media/" + file_name(item, pick_width(item, width))


def url(config: Config, item: MediaItem, width: int = 600) -> str:
    """The public address of the version for ``width`` (the one an email links)."""
    return config.public.base_url.rstrip("/") + path(item, width)


def urls(config: Config, item: MediaItem) -> list[tuple[int, str]]:
    """Every stored version: (width, public address), narrowest first."""
    return [(w, url(config, item, w)) for w in sorted(item.widths)]


def srcset(config: Config, item: MediaItem) -> str:
    """``"https://…-600.jpg 600w, https://…-1200.jpg 1200w"`` for an <img srcset>."""
    return ", ".join(f"{address} {width}w" for width, address in urls(config, item))


def height_at(item: MediaItem, width: int) -> int:
    return max(1, round(item.height * width / item.width)) if item.width else 0


def get(session: Session, media_id: int) -> MediaItem:
    item = session.get(MediaItem, media_id)
    if item is None:
        raise NotFound(f"media: there is no photo {media_id}")
    return item


def by_url(session: Session, config: Config, address: str) -> MediaItem | None:
    """The library's photo a block's image address points to (any width), or None."""
    found = re.search(r"/media/([a-f0-9]{16,64})-\d{2,4}\.(?:jpg|png)$", address or "")
    if not found or not (address or "").startswith(config.public.base_url.rstrip("/") + "/"):
        return None
    return session.exec(select(MediaItem).where(MediaItem.stem == found.group(1))).first()


def _matching_ids(session: Session, search: str | None) -> list[int] | None:
    """Ids whose alt, credit or name hold every word, ignoring case and Turkish letters; the
    texts are folded here because SQLite's LIKE folds only ASCII. None: no search."""
    words = fold(search or "").split()
    if not words:
        return None
    rows = session.exec(
        select(MediaItem.id, MediaItem.alt, MediaItem.credit, MediaItem.original_name)
    ).all()
    return [r[0] for r in rows if all(w in fold(" ".join(r[1:])) for w in words)]  # type: ignore[misc]


def list_media(
    session: Session, offset: int = 0, limit: int = 50, search: str | None = None
) -> list[MediaItem]:
    """Newest first; ``search`` keeps photos whose alt, credit or file name has every word."""
    query = select(MediaItem)
    ids = _matching_ids(session, search)
    if ids is not None:
        query = query.where(col(MediaItem.id).in_(ids))
    query = query.order_by(col(MediaItem.id).desc()).offset(max(0, offset)).limit(max(0, limit))
    return list(session.exec(query))


def count_media(session: Session, search: str | None = None) -> int:
    ids = _matching_ids(session, search)
    if ids is not None:
        return len(ids)
    return session.exec(select(sa.func.count()).select_from(MediaItem)).one()


def update_text(
    session: Session, media_id: int, alt: str, credit: str, actor: str, now: datetime
) -> MediaItem:
    """New alt text and credit; an audit event names what changed (none if nothing did)."""
    item = get(session, media_id)
    alt, credit = check_text(alt, credit)
    changes = {
        name: [old, new]
        for name, old, new in (("alt", item.alt, alt), ("credit", item.credit, credit))
        if old != new
    }
    if changes:
        item.alt, item.credit = alt, credit
        session.add(item)
        audit.record(session, actor, "changed", SUBJECT, item.id, now, **changes)
        session.flush()
    return item


def used_by(session: Session, item: MediaItem) -> Usage:
    """Blocks whose image is one of the photo's versions, and issues frozen with it."""
    pattern = f"%/media/{item.stem}-%"  # the stem is hex: nothing to escape
    blocks = session.exec(select(Block.id).where(col(Block.image_url).like(pattern))).all()
    issues = session.exec(
        select(IssueSnapshot.issue_id).where(col(IssueSnapshot.html).like(pattern)).distinct()
    ).all()
    return Usage(sorted(b for b in blocks if b is not None), sorted(issues))


def delete(session: Session, config: Config, media_id: int, actor: str, now: datetime) -> MediaItem:
    """Removes the row, and the files once that is committed; refused while it is in use."""
    item = get(session, media_id)
    usage = used_by(session, item)
    if usage.blocks:
        shown = ", ".join(str(b) for b in usage.blocks)
        raise StateError(
            f"media {media_id}: block {shown} shows this photo; choose another photo there first"
        )
    if usage.issues:
        shown = ", ".join(str(i) for i in usage.issues)
        raise StateError(
            f"media {media_id}: issue {shown} was frozen with this photo, and the emails sent "
            "and the archive load it from here; it cannot be deleted"
        )
    files = [media_store.folder_of(config) / file_name(item, w) for w in item.widths]
    audit.record(session, actor, "deleted", SUBJECT, item.id, now, name=item.original_name,
                 alt=item.alt)  # fmt: skip
    session.delete(item)
    session.flush()
    media_store.after_transaction(session, on_commit=lambda: media_store.remove(files))
    return item


def as_json(config: Config, item: MediaItem) -> dict[str, Any]:
    """What the block form's picker needs: the 600 px address and its alt text and credit."""
    width = pick_width(item)
    return {
        "id": item.id,
        "url": url(config, item),
        "alt": item.alt,
        "credit": item.credit,
        "width": width,
        "height": height_at(item, width),
    }
