"""The app factory, shared page parts, error pages and `newsletter serve`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsletter.core.config import load_config
from newsletter.core.errors import UserError
from newsletter.web.app import create_app
from newsletter.web.site import readable_brand
from tests.plugins.smtp import free_port
from tests.plugins.web import text_of


def test_importing_the_app_touches_no_database(tmp_path: Path) -> None:
    code = "import newsletter.web.app, newsletter.web.subscribe, newsletter.web.preferences"
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    assert list(tmp_path.iterdir()) == []


def test_factory_refuses_a_database_without_schema(config_path: Path) -> None:
    with pytest.raises(UserError, match="newsletter init"):
        create_app(load_config(config_path))


def test_pages_have_language_title_and_stylesheet(web: httpx.Client, public_lists) -> None:
    response = web.get("/subscribe", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert response.status_code == 200
    assert '<html lang="en"' in response.text
    assert "<title>Subscribe · Örnek Kuruluş</title>" in response.text
    assert response.headers["content-language"] == "en"
    css = web.get("/static/site.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--brand: #0033a0" in css.text
    again = web.get("/static/site.css", headers={"If-None-Match": css.headers["etag"]})
    assert again.status_code == 304


def test_unknown_page_is_a_friendly_404(web: httpx.Client) -> None:
    response = web.get("/no/such/page", headers={"Accept-Language": "tr"})
    assert response.status_code == 404
    assert "Sayfa bulunamadı" in text_of(response.text)
    assert '<html lang="tr"' in response.text


def test_wrong_method_is_405(web: httpx.Client) -> None:
    response = web.delete("/subscribe")
    assert response.status_code == 405
    assert "Not allowed" in text_of(response.text)


def test_healthz(web: httpx.Client) -> None:
    assert web.get("/healthz").text == "ok\n"


@pytest.mark.parametrize(
    ("given", "used"),
    [("#0033a0", "#0033a0"), ("#ffcc00", "#1b1b1b"), ("#fff", "#1b1b1b"), ("nonsense", "#1b1b1b")],
)
def test_brand_colour_is_used_only_with_enough_contrast(given: str, used: str) -> None:
    assert readable_brand(given) == used


def test_serve_command_help(cli) -> None:
    result = cli("serve", "--help")
    assert result.exit_code == 0
    assert "--port" in result.stdout and "--forwarded-allow-ips" in result.stdout


def test_serve_without_database_fails_cleanly(tmp_path: Path, config_path: Path) -> None:
    from typer.testing import CliRunner

    from newsletter.cli.main import app

    result = CliRunner().invoke(app, ["--config", str(config_path), "serve"])
    assert result.exit_code == 1
    assert "Error: no database" in result.stderr


def test_serve_command_answers_over_http(config_path: Path, engine) -> None:
    port = free_port()
    exe = Path(sys.executable).parent / "newsletter"
    proc = subprocess.Popen(
        [str(exe), "--config", str(config_path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/subscribe", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.status_code == 200
        assert "server" not in response.headers
    finally:
        proc.terminate()
        proc.wait(10)


def test_server_error_is_a_friendly_page_with_headers(web: httpx.Client, engine) -> None:
    with engine.begin() as conn:  # break the database under the running app
        conn.exec_driver_sql("ALTER TABLE lists RENAME TO lists_gone")
    response = web.get("/subscribe", headers={"Accept-Language": "tr"})
    assert response.status_code == 500
    assert "Bir sorun oluştu" in text_of(response.text)
    assert "Traceback" not in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_serve_refuses_a_bad_port(cli) -> None:
    result = cli("serve", "--port", "70000")
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.stderr


def test_serve_on_a_busy_port_fails_with_a_message(config_path: Path, engine) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        exe = Path(sys.executable).parent / "newsletter"
        done = subprocess.run(
            [str(exe), "--config", str(config_path), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "address already in use" in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("path", ["/healthz", "/static/site.css", "/subscribe", "/archive"])
def test_read_only_pages_answer_head(web: httpx.Client, public_lists, path: str) -> None:
    response = web.head(path)
    assert response.status_code == 200
    assert response.content == b""


def test_head_never_confirms(web: httpx.Client) -> None:
    assert web.head("/confirm/anything").status_code == 405


def test_social_icons_are_served_from_the_site_and_nothing_else(web) -> None:
    icon = web.get("/static/social/facebook.png")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/png"
    assert icon.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert web.head("/static/social/x.png").status_code == 200
    for name in ("nope", "..%2Fsite", "draw"):
        assert web.get(f"/static/social/{name}.png").status_code == 404
