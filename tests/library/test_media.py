"""The media library with real photos made by Pillow here, real files and a real SQLite file:
re-encoding, metadata removal, refusals, and files that follow their rows."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from newsletter.core import audit, db
from newsletter.core.account_models import AuditEvent, MediaItem
from newsletter.core.config import Config, MediaConfig, load_config
from newsletter.core.errors import ConfigError, NotFound, StateError, UserError
from newsletter.core.models import Block, Issue, IssueSnapshot
from newsletter.library import media, media_store, photos
from tests.conftest import write_config

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ACTOR = "editor@example.org"
BASE = "https://news.example.org/media/"


def photo(size: tuple[int, int], fmt: str = "JPEG", mode: str = "RGB", **save: object) -> bytes:
    """A photo-like picture: a gradient, so resizing and encoding have real work to do."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))  # see-through at the top
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def gps_exif() -> bytes:
    """EXIF as a phone writes it: turned a quarter (orientation 6), with a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Örnek Phone Co"  # camera make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (37.0, 3.0, 55.5), 3: "E", 4: (37.0, 22.0, 58.25)})
    return exif.tobytes()


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def stored(config: Config) -> list[str]:
    folder = media_store.folder_of(config)
    return sorted(os.listdir(folder)) if folder.exists() else []


def save(session: Session, config: Config, data: bytes, name: str = "saha.jpg", **kw: str):
    alt = kw.get("alt", "Women packing dried apricots at a cooperative in Malatya")
    return media.save_upload(session, config, data, name, alt, kw.get("credit", ""), ACTOR, NOW)


@pytest.fixture
def small_config(tmp_path: Path) -> Config:
    """Limits at their lowest: 100 KiB uploads, one million pixels."""
    folder = tmp_path / "small"
    folder.mkdir()
    extra = "[media]\nmax_upload_bytes = 102400\nmax_pixels = 1000000\n"
    return load_config(write_config(folder, extra))


@pytest.fixture
def small_engine(small_config: Config) -> Iterator[Engine]:
    engine = db.make_engine(small_config)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("with_profile", [True, False])  # converted to sRGB, or not
def test_a_phone_photo_is_turned_upright_and_loses_gps_camera_and_profile(
    session: Session, config: Config, with_profile: bool
) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    extra = {"icc_profile": profile} if with_profile else {}
    data = photo((3000, 2000), exif=gps_exif(), comment=b"Ali's phone", **extra)
    with Image.open(io.BytesIO(data)) as source:  # the test photo really carries all of it
        assert source.getexif().get_ifd(0x8825)[2] == (37.0, 3.0, 55.5)
        assert source.info.get("comment") and bool(source.info.get("icc_profile")) == with_profile
    item = save(session, config, data)
    assert (item.width, item.height, item.widths) == (1200, 1800, [600, 1200])
    for width in item.widths:
        raw = (media_store.folder_of(config) / media.file_name(item, width)).read_bytes()
        assert b"Exif" not in raw and b"Ali's phone" not in raw and b"Phone Co" not in raw
        with Image.open(io.BytesIO(raw)) as out:
            assert out.format == "JPEG" and out.width == width
            assert out.height == width * 3 // 2  # portrait: the orientation was applied
            assert not out.getexif() and "icc_profile" not in out.info
            assert "comment" not in out.info and "xmp" not in out.info


def test_a_large_photo_is_stored_at_600_and_1200_with_its_aspect(
    session: Session, config: Config
) -> None:
    item = save(session, config, photo((3000, 2000)), credit="Deniz Yılmaz / Örnek")
    assert item.extension == "jpg" and item.widths == [600, 1200]
    names = stored(config)
    assert names == sorted(media.file_name(item, w) for w in (600, 1200))
    assert all(media_store.NAME.fullmatch(n) for n in names)
    sizes = [Image.open(media_store.folder_of(config) / n).size for n in names]
    assert sorted(sizes) == [(600, 400), (1200, 800)]
    total = sum((media_store.folder_of(config) / n).stat().st_size for n in names)
    assert item.bytes == total and item.original_name == "saha.jpg"
    assert item.uploaded_by == ACTOR and item.credit == "Deniz Yılmaz / Örnek"
    assert media.url(config, item) == f"{BASE}{item.stem}-600.jpg"
    assert media.url(config, item, 1200) == f"{BASE}{item.stem}-1200.jpg"
    assert media.url(config, item, 2000) == f"{BASE}{item.stem}-1200.jpg"
    assert media.srcset(config, item) == (
        f"{BASE}{item.stem}-600.jpg 600w, {BASE}{item.stem}-1200.jpg 1200w"
    )
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.subject, event.subject_id) == ("uploaded", "media", item.id)


def test_a_small_photo_is_never_upscaled(session: Session, config: Config) -> None:
    item = save(session, config, photo((400, 300)))
    assert item.widths == [400] and (item.width, item.height) == (400, 300)
    assert stored(config) == [f"{item.stem}-400.jpg"]
    assert media.url(config, item) == f"{BASE}{item.stem}-400.jpg"  # the one there is
    between = save(session, config, photo((900, 600)))
    assert between.widths == [600]  # 1200 would be upscaled


def test_a_transparent_png_stays_png_and_keeps_its_alpha(session: Session, config: Config) -> None:
    item = save(session, config, photo((800, 400), "PNG", "RGBA"), "logo.png")
    assert item.extension == "png" and item.widths == [600]
    with Image.open(media_store.folder_of(config) / media.file_name(item, 600)) as out:
        assert out.format == "PNG" and out.mode == "RGBA" and out.size == (600, 300)
        assert out.getchannel("A").getextrema()[0] < 50
    opaque = save(session, config, photo((800, 400), "PNG", "RGB"), "chart.png")
    assert opaque.extension == "jpg"  # nothing to see through: the smaller JPEG


def test_webp_is_accepted_and_stored_as_jpeg(session: Session, config: Config) -> None:
    item = save(session, config, photo((1300, 650), "WEBP"), "kahve.webp")
    assert item.extension == "jpg" and item.widths == [600, 1200]
    see_through = save(session, config, photo((700, 350), "WEBP", "RGBA"), "kahve.webp")
    assert see_through.extension == "png"


WHOLE = photo((1600, 1200), quality=95)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Dear colleagues,\nplease find the photos attached.\n", "notes.txt",
         "file: notes.txt is not a JPEG, PNG or WebP photo"),
        (photo((640, 480), "GIF", "RGB"), "anim.gif", "file: anim.gif is not a JPEG, PNG or WebP"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "report.pdf",
         "file: report.pdf is not a JPEG, PNG or WebP photo"),
        (WHOLE[: len(WHOLE) // 2], "cut.jpg",
         "file: cut.jpg is damaged or incomplete and cannot be read as a JPEG, PNG or WebP photo"),
        (photo((80, 60)), "icon.jpg", "file: icon.jpg is only 80 px wide"),
        (b"", "empty.jpg", "file: choose a photo to upload"),
    ],
)  # fmt: skip
def test_what_is_not_a_usable_photo_is_refused_and_nothing_is_written(
    session: Session, config: Config, data: bytes, name: str, message: str
) -> None:
    with pytest.raises(UserError) as refused:
        save(session, config, data, name)
    assert str(refused.value).startswith(message)
    assert stored(config) == [] and session.exec(select(MediaItem)).all() == []


@pytest.mark.parametrize("claimed", [(50_000, 50_000), (8_000, 6_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    session: Session, config: Config, claimed: tuple[int, int]
) -> None:
    # 2.5 billion pixels trips Pillow's own limit; 48 million only [media] max_pixels.
    with pytest.raises(UserError, match="decompression bomb") as refused:
        save(session, config, png_claiming(*claimed), "bomb.png")
    assert "40,000,000 pixels" in str(refused.value)
    assert stored(config) == []


def test_a_real_photo_over_a_lower_max_pixels_is_refused(
    small_engine: Engine, small_config: Config
) -> None:
    with db.session_scope(small_engine) as session:
        with pytest.raises(UserError, match="more than 1,000,000 pixels"):
            save(session, small_config, photo((1250, 1000)))
        assert save(session, small_config, photo((1000, 1000))).widths == [600]


def test_a_file_over_the_size_limit_is_refused(small_engine: Engine, small_config: Config) -> None:
    data = photo((800, 600))
    padded = data + b"\x00" * (110 * 1024 - len(data))  # viewers ignore what follows the image
    with db.session_scope(small_engine) as session, pytest.raises(UserError) as refused:
        save(session, small_config, padded, "big.jpg")
    assert str(refused.value) == "file: big.jpg is 110 KiB; photos up to 100 KiB are accepted"
    assert stored(small_config) == []


@pytest.mark.parametrize(
    ("alt", "credit", "message"),
    [
        ("   ", "", "alt: describe the photo for people who cannot see it"),
        ("Two lines\nof alt", "", "alt: contains a line break (LF); write it on one line"),
        ("x" * 301, "", "alt: keep it to 300 characters (it has 301)"),
        ("SAHA", "", "alt: this is the file's name; say what the photo shows"),
        ("A market stall", "Ayşe\u202eKaya", "credit: contains the bidi control U+202E"),
    ],
)
def test_alt_text_is_required_and_texts_are_one_line(
    session: Session, config: Config, alt: str, credit: str, message: str
) -> None:
    with pytest.raises(UserError) as refused:
        save(session, config, photo((700, 500)), alt=alt, credit=credit)
    assert str(refused.value).startswith(message)
    assert stored(config) == []


def test_files_are_removed_when_the_row_is_rolled_back(engine: Engine, config: Config) -> None:
    with pytest.raises(RuntimeError), db.session_scope(engine) as session:
        save(session, config, photo((700, 500)))
        assert len(stored(config)) == 1
        raise RuntimeError("the request failed after the upload")
    assert stored(config) == []


def test_files_are_removed_when_the_insert_fails(
    session: Session, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError, match="locked"):
        save(session, config, photo((700, 500)))
    assert stored(config) == []


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the folder should be")
    config = load_config(write_config(tmp_path, '[media]\nfolder = "taken/media"\n'))
    upload = media.prepare_upload(config, photo((700, 500)), "a.jpg", "A field", "")
    with pytest.raises(UserError, match=r"^\[media\] folder .*taken/media: cannot write"):
        media_store.write(media_store.folder_of(config), "ab" * 16, upload.photo)


def test_widths_outside_the_email_range_are_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"media\.widths"):
        load_config(write_config(tmp_path, "[media]\nwidths = [600, 12000]\n"))
    # A config built in code skips that check; the upload still refuses the width.
    unchecked = MediaConfig.model_construct(
        **{**MediaConfig().model_dump(), "widths": [600, 12000]}
    )
    with pytest.raises(ConfigError, match=r"\[media\] widths"):
        photos.prepare(photo((700, 500)), "a.jpg", unchecked)


def test_listing_counting_and_searching_ignore_case_and_turkish_letters(
    session: Session, config: Config
) -> None:
    first = save(session, config, photo((700, 500)), "atolye.jpg", alt="Bir atölye, Şanlıurfa")
    second = save(session, config, photo((700, 500)), "pazar.jpg", alt="Market day",
                  credit="İlker Öztürk")  # fmt: skip
    third = save(session, config, photo((700, 500)), "IZMIR-port.png", alt="Boats at dawn")
    assert [i.id for i in media.list_media(session)] == [third.id, second.id, first.id]
    assert [i.id for i in media.list_media(session, 1, 1)] == [second.id]
    assert media.count_media(session) == 3
    assert [i.id for i in media.list_media(session, search="SANLIURFA atolye")] == [first.id]
    assert [i.id for i in media.list_media(session, search="ilker")] == [second.id]
    assert [i.id for i in media.list_media(session, search="izmir")] == [third.id]
    assert media.count_media(session, "market boats") == 0 and media.count_media(session, "  ") == 3


def test_alt_and_credit_changes_are_recorded(session: Session, config: Config) -> None:
    item = save(session, config, photo((700, 500)))
    media.update_text(session, item.id, "Apricots drying in the sun", "Ece Demir", ACTOR, NOW)
    media.update_text(session, item.id, "Apricots drying in the sun", "Ece Demir", ACTOR, NOW)
    events = audit.for_subject(session, "media", item.id)
    assert [e.action for e in events] == ["uploaded", "changed"]  # the repeat changed nothing
    assert events[1].details["credit"] == ["", "Ece Demir"]
    assert media.get(session, item.id).alt == "Apricots drying in the sun"
    with pytest.raises(UserError, match="^alt: describe"):
        media.update_text(session, item.id, "", "", ACTOR, NOW)
    with pytest.raises(NotFound, match="no photo 99"):
        media.update_text(session, 99, "Boats", "", ACTOR, NOW)


def test_delete_removes_the_files_only_once_committed(engine: Engine, config: Config) -> None:
    with db.session_scope(engine) as session:
        item_id = save(session, config, photo((1300, 900))).id
    with pytest.raises(RuntimeError), db.session_scope(engine) as session:
        media.delete(session, config, item_id, ACTOR, NOW)
        raise RuntimeError("rolled back")
    assert len(stored(config)) == 2  # the row is back, so are its files
    with db.session_scope(engine) as session:
        media.delete(session, config, item_id, ACTOR, NOW)
        assert len(stored(config)) == 2  # not yet committed
    assert stored(config) == []
    with db.session_scope(engine) as session:
        assert session.get(MediaItem, item_id) is None
        assert [e.action for e in audit.for_subject(session, "media", item_id)][-1] == "deleted"


def test_a_photo_in_use_is_not_deleted(session: Session, config: Config) -> None:
    item = save(session, config, photo((1300, 900)))
    block = Block(title="Apricot harvest", image_url=media.url(config, item, 1200), image_alt="x")
    session.add(block)
    session.flush()
    assert media.used_by(session, item).blocks == [block.id]
    with pytest.raises(StateError, match=f"block {block.id} shows this photo"):
        media.delete(session, config, item.id, ACTOR, NOW)
    block.image_url = None
    issue = Issue(title="November", subject="Our November")
    session.add(issue)
    session.flush()
    html = f'<img src="{media.url(config, item)}" alt="x">'
    session.add(IssueSnapshot(issue_id=issue.id, language="en", subject="s", html=html))
    session.flush()
    with pytest.raises(StateError, match=f"issue {issue.id} was frozen with this photo"):
        media.delete(session, config, item.id, ACTOR, NOW)
    assert len(stored(config)) == 2


def test_served_names_are_only_the_library_s_own(session: Session, config: Config) -> None:
    item = save(session, config, photo((700, 500)))
    name = media.file_name(item, 600)
    assert media_store.served_file(config, name) == media_store.folder_of(config) / name
    assert media_store.content_type(name) == "image/jpeg"
    (media_store.folder_of(config) / f".{item.stem}-600.jpg.part").write_bytes(b"half")
    for wrong in (f"../{name}", f"{item.stem}-600.jpeg", f"{item.stem.upper()}-600.jpg",
                  f".{item.stem}-600.jpg.part", "newsletter.toml", f"{item.stem}-600.jpg/",
                  f"{'a' * 16}-600.jpg", f"..%2F{name}", f"{item.stem}-6.jpg"):  # fmt: skip
        assert media_store.served_file(config, wrong) is None, wrong


def test_by_url_and_the_picker_s_json(session: Session, config: Config) -> None:
    item = save(session, config, photo((1300, 650)), credit="Ece Demir")
    assert media.by_url(session, config, media.url(config, item, 1200)) == item
    assert media.by_url(session, config, f"https://elsewhere.example/media/{item.stem}-600.jpg")\
        is None  # fmt: skip
    assert media.by_url(session, config, "https://news.example.org/about") is None
    assert media.as_json(config, item) == {
        "id": item.id, "url": f"{BASE}{item.stem}-600.jpg", "alt": item.alt,
        "credit": "Ece Demir", "width": 600, "height": 300,
    }  # fmt: skip


def test_the_widths_a_photo_gets() -> None:
    assert photos.targets(3000, [600, 1200]) == [600, 1200]
    assert photos.targets(1200, [600, 1200]) == [600, 1200]
    assert photos.targets(1199, [600, 1200]) == [600]
    assert photos.targets(250, [600, 1200]) == [250]
