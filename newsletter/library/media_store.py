"""Where the media library's files live: ``[media] folder``, one file per stored version.

Files are ``<stem>-<width>.<ext>``; ``write`` puts each under a hidden temporary name and
renames it, so the web app never serves half a file, and removes what it wrote if any write
fails. ``after_transaction`` ties the files to the row: an upload's files go again if its row
is rolled back, a deleted photo's files go only once the deletion is committed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from newsletter.core.config import Config
from newsletter.core.errors import UserError
from newsletter.library import photos

# The only names /media/ serves: a random hex stem, a width, our own two extensions.
NAME = re.compile(r"^[a-f0-9]{16,64}-\d{2,4}\.(jpg|png)$")
TYPES = {"jpg": "image/jpeg", "png": "image/png"}


def folder_of(config: Config) -> Path:
    return config.resolve_path(config.media.folder)


def served_file(config: Config, name: str) -> Path | None:
    """The file for /media/``name``, or None: only our own names, only in the folder."""
    if not NAME.fullmatch(name):
        return None
    found = folder_of(config) / name
    return found if found.is_file() else None


def content_type(name: str) -> str:
    return TYPES[name.rsplit(".", 1)[-1]]


def write(folder: Path, stem: str, photo: photos.Prepared) -> list[Path]:
    """Each version under a hidden temporary name, then renamed; all or nothing."""
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for version in photo.versions:
            final = folder / f"{stem}-{version.width}.{photo.extension}"
            part = folder / f".{final.name}.part"  # never matches NAME: never served
            written.append(part)
            with open(part, "xb") as out:
                out.write(version.data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(part, final)
            written[-1] = final
    except OSError as exc:
        remove(written)
        raise UserError(
            f"[media] folder {folder}: cannot write the photo there ({exc.strerror or exc})"
        ) from exc
    return written


def remove(files: list[Path]) -> None:
    for file in files:
        file.unlink(missing_ok=True)


def after_transaction(
    session: Session,
    on_commit: Callable[[], None] | None = None,
    on_rollback: Callable[[], None] | None = None,
) -> None:
    """Runs one of the two once the session's transaction ends, whichever way it ends."""
    done = False

    def committed(_session: Any) -> None:
        nonlocal done
        if not done:
            done = True
            if on_commit:
                on_commit()

    def rolled_back(_session: Any) -> None:
        nonlocal done
        if not done:
            done = True
            if on_rollback:
                on_rollback()

    sa.event.listen(session, "after_commit", committed, once=True)
    sa.event.listen(session, "after_rollback", rolled_back, once=True)
