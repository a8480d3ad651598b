"""The media library in the workspace and the public /media/ files, over HTTP with the real
server: permissions, CSRF, multipart uploads, errors beside their field, serving, deleting."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from newsletter.core.account_models import MediaItem
from newsletter.core.config import Config
from newsletter.core.db import read_scope, session_scope
from newsletter.core.models import Block
from newsletter.library import media, media_store
from tests.conftest import write_config
from tests.plugins.admin import form_token
from tests.plugins.web import START, WebServer, text_of

Client = Callable[[str | None], httpx.Client]
LIMIT = 200 * 1024  # [media] max_upload_bytes of these tests
ALT = "Beekeepers lifting a frame of honeycomb in Gaziantep"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """Small limits, so a refused upload is quick to send; ten photos a page."""
    extra = f"[media]\nmax_upload_bytes = {LIMIT}\n\n[workspace]\npage_size = 10\n"
    return write_config(tmp_path, extra)


def jpeg(size: tuple[int, int] = (1500, 1000)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def upload(
    client: httpx.Client, data: bytes, name: str = "bal.jpg", alt: str = ALT, credit: str = ""
) -> httpx.Response:
    token = form_token(client, "/admin/media")
    return client.post(
        "/admin/media",
        data={"alt": alt, "credit": credit, "csrf_token": token},
        files={"file": (name, data, "image/jpeg")},
    )


def rows(engine: Engine) -> list[MediaItem]:
    with read_scope(engine) as db:
        return list(db.exec(select(MediaItem)))


def files(config: Config) -> list[str]:
    folder = media_store.folder_of(config)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def error_beside(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', html)
    assert found, f"no error beside {field}"
    return text_of(found.group(1))


def test_anonymous_people_are_sent_to_sign_in(signed_in: Client) -> None:
    client = signed_in(None)
    for path in ("/admin/media", "/admin/media.json?q=bal", "/admin/media/1"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next=" + path.split("?")[0])
    posted = client.post("/admin/media", files={"file": ("a.jpg", jpeg(), "image/jpeg")})
    assert posted.status_code == 303


@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_every_role_may_use_the_media_library(signed_in: Client, role: str) -> None:
    client = signed_in(role)
    page = client.get("/admin/media")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'name="alt"' in page.text
    assert client.get("/admin/media.json").json() == []


def test_an_upload_without_its_csrf_token_is_refused(
    signed_in: Client, engine: Engine, config: Config
) -> None:
    client = signed_in("editor")
    client.get("/admin/media")
    answer = client.post("/admin/media", data={"alt": ALT},
                         files={"file": ("bal.jpg", jpeg(), "image/jpeg")})  # fmt: skip
    assert answer.status_code == 403
    assert rows(engine) == [] and files(config) == []


def test_an_uploaded_photo_is_listed_and_served(
    signed_in: Client, engine: Engine, config: Config
) -> None:
    client = signed_in("editor")
    answer = upload(client, jpeg(), "C:\\Users\\ali\\bal.jpg", credit="Ali Kaya / Örnek")
    assert answer.status_code == 303
    (item,) = rows(engine)
    assert answer.headers["location"] == f"/admin/media/{item.id}"
    assert item.original_name == "bal.jpg" and item.uploaded_by == "editor@example.org"
    assert files(config) == [f"{item.stem}-1200.jpg", f"{item.stem}-600.jpg"]
    address = f"https://news.example.org/media/{item.stem}-600.jpg"
    listing = client.get("/admin/media")
    assert address in listing.text and f'src="/media/{item.stem}-600.jpg"' in listing.text
    shown = text_of(listing.text)
    assert ALT in shown and "Photo: Ali Kaya / Örnek" in shown and "editor@example.org" in shown
    detail = client.get(f"/admin/media/{item.id}")
    assert "editor@example.org · uploaded" in text_of(detail.text)  # its history

    public = httpx.get(f"{client.base_url}{urlsplit(address).path}")  # no cookies: anyone
    assert public.status_code == 200
    assert public.headers["content-type"] == "image/jpeg"
    assert "immutable" in public.headers["cache-control"]
    assert Image.open(io.BytesIO(public.content)).size == (600, 400)
    head = httpx.head(f"{client.base_url}/media/{item.stem}-1200.jpg")
    assert head.status_code == 200 and head.headers["content-type"] == "image/jpeg"


def test_a_missing_alt_text_is_named_beside_its_field_and_nothing_is_stored(
    signed_in: Client, engine: Engine, config: Config
) -> None:
    client = signed_in("editor")
    answer = upload(client, jpeg(), alt="  ", credit="Ali Kaya")
    assert answer.status_code == 400
    assert error_beside(answer.text, "alt") == "describe the photo for people who cannot see it"
    assert 'value="Ali Kaya"' in answer.text  # what was typed is kept
    assert rows(engine) == [] and files(config) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Minutes of the partners' meeting\n", "minutes.txt",
         "minutes.txt is not a JPEG, PNG or WebP photo"),
        (b"\xff\xd8\xff" + b"\x00" * (LIMIT + 10), "huge.jpg",
         "huge.jpg is 201 KiB; photos up to 200 KiB are accepted"),
        (b"", "", "choose a photo to upload"),
    ],
)  # fmt: skip
def test_a_refused_file_is_named_beside_the_file_field(
    signed_in: Client, engine: Engine, config: Config, data: bytes, name: str, message: str
) -> None:
    answer = upload(signed_in("editor"), data, name)
    assert answer.status_code == 400
    assert error_beside(answer.text, "file") == message
    assert rows(engine) == [] and files(config) == []


def test_a_body_over_the_upload_limit_is_answered_413(web_server: WebServer) -> None:
    # Declared by Content-Length and refused before a byte of it is read, like a proxy would.
    address = urlsplit(web_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(
            b"POST /admin/media HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {LIMIT + 2 * 1024 * 1024}\r\n\r\n".encode()
        )
        assert conn.recv(200).startswith(b"HTTP/1.1 413 ")


def test_names_that_are_not_the_library_s_are_not_served(
    signed_in: Client, engine: Engine, config: Config
) -> None:
    client = signed_in("editor")
    upload(client, jpeg())
    (item,) = rows(engine)
    (media_store.folder_of(config) / f".{item.stem}-600.jpg.part").write_bytes(b"half")
    for name in ("..%2Fnewsletter.toml", "%2e%2e%2fnewsletter.toml", "newsletter.toml",
                 f".{item.stem}-600.jpg.part", f"{item.stem}-600.jpeg", f"{item.stem}-800.jpg",
                 f"{item.stem.upper()}-600.jpg", f"{item.stem}-600.jpg%00.png"):  # fmt: skip
        assert httpx.get(f"{client.base_url}/media/{name}").status_code == 404, name
    assert httpx.get(f"{client.base_url}/media/{item.stem}-600.jpg").status_code == 200


def test_alt_text_and_credit_are_changed_and_recorded(signed_in: Client, engine: Engine) -> None:
    client = signed_in("approver")
    upload(client, jpeg())
    (item,) = rows(engine)
    page = f"/admin/media/{item.id}"
    token = form_token(client, page)
    empty = client.post(page, data={"alt": "", "credit": "", "csrf_token": token})
    assert empty.status_code == 400
    assert error_beside(empty.text, "alt") == "describe the photo for people who cannot see it"
    saved = client.post(page, data={"alt": "Honey jars at the market", "credit": "Ece Demir",
                                    "csrf_token": token})  # fmt: skip
    assert saved.status_code == 303
    (item,) = rows(engine)
    assert (item.alt, item.credit) == ("Honey jars at the market", "Ece Demir")
    assert "approver@example.org · changed" in text_of(client.get(page).text)
    assert client.post(page, data={"alt": "x"}).status_code == 403  # no CSRF token


def test_delete_asks_first_and_is_refused_while_a_block_shows_it(
    signed_in: Client, engine: Engine, config: Config
) -> None:
    client = signed_in("editor")
    upload(client, jpeg())
    (item,) = rows(engine)
    with session_scope(engine) as db:
        block = Block(title="Honey harvest", image_url=media.url(config, item), image_alt=ALT)
        db.add(block)
        db.flush()
        block_id = block.id
    page = f"/admin/media/{item.id}"
    shown = client.get(page)
    assert "data-confirm=" in shown.text and f'href="/admin/blocks/{block_id}"' in shown.text
    token = form_token(client, page)
    refused = client.post(f"{page}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    assert f"block {block_id} shows this photo" in text_of(refused.text)
    assert len(files(config)) == 2
    with session_scope(engine) as db:
        db.get(Block, block_id).image_url = None  # type: ignore[union-attr]
    assert client.post(f"{page}/delete", data={}).status_code == 403  # no CSRF token
    deleted = client.post(f"{page}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/admin/media"
    assert rows(engine) == [] and files(config) == []
    assert httpx.get(f"{client.base_url}/media/{item.stem}-600.jpg").status_code == 404
    assert client.get(page).status_code == 404


def test_search_paging_and_the_picker_json(
    signed_in: Client, engine: Engine, config: Config
) -> None:
    small = jpeg((700, 350))
    with session_scope(engine) as db:
        for n in range(11):
            alt = "Şanlıurfa kitap kulübü" if n == 4 else f"Workshop day {n}"
            media.save_upload(db, config, small, f"p{n}.jpg", alt, "Örnek", "cli:ali", START)
    client = signed_in("editor")
    first, second = client.get("/admin/media"), client.get("/admin/media?page=2")
    assert text_of(first.text).count("Photo: Örnek") == 10
    assert text_of(second.text).count("Photo: Örnek") == 1 and "Workshop day 0" in second.text
    found = client.get("/admin/media?q=SANLIURFA")
    assert "kitap kulübü" in found.text and "Workshop day" not in found.text
    assert "No photo matches" in text_of(client.get("/admin/media?q=tractor").text)
    picked = client.get("/admin/media.json?q=kitap")
    assert picked.headers["content-type"] == "application/json"
    assert picked.headers["cache-control"] == "no-store"
    (entry,) = picked.json()
    assert set(entry) == {"id", "url", "alt", "credit", "width", "height"}
    assert entry["url"].startswith("https://news.example.org/media/")
    assert entry["url"].endswith("-600.jpg")
    assert (entry["width"], entry["height"], entry["credit"]) == (600, 300, "Örnek")
    assert len(client.get("/admin/media.json?limit=3").json()) == 3
