"""Security headers, CSRF, the body size cap and redirects, tested over HTTP."""

from __future__ import annotations

import http.client

import httpx
import pytest

from newsletter.core.clock import FixedClock
from newsletter.core.config import load_config
from newsletter.web.security import CSRF_COOKIE, Csrf, CsrfError, local_path
from tests.plugins.web import START, csrf_from, serve, text_of


def _form(web: httpx.Client, **fields: str) -> dict[str, str]:
    page = web.get("/subscribe")
    return {"csrf_token": csrf_from(page.text), "email": "ayse@example.org", "name": "Ayşe",
            "language": "tr", "lists": "aylik-bulten", "consent": "yes", **fields}  # fmt: skip


@pytest.mark.parametrize("path", ["/subscribe", "/archive", "/no-such-page", "/unsubscribe/bad"])
def test_every_page_has_security_headers(web: httpx.Client, public_lists, path: str) -> None:
    headers = web.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # no script is allowed at all
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_form_pages_set_a_strict_csrf_cookie_and_others_none(web: httpx.Client, public_lists):
    page = web.get("/subscribe")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(CSRF_COOKIE + "=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in web.get("/archive").headers
    # The same browser keeps its cookie: a second page load does not replace it.
    assert "set-cookie" not in web.get("/subscribe").headers


def test_post_without_csrf_token_is_refused(web: httpx.Client, public_lists) -> None:
    fields = _form(web)
    del fields["csrf_token"]
    response = web.post("/subscribe", data=fields)
    assert response.status_code == 403
    assert "Form expired" in text_of(response.text)


def test_post_without_the_cookie_is_refused(web_server, public_lists) -> None:
    with httpx.Client(base_url=web_server.url) as first:
        fields = _form(first)
    with httpx.Client(base_url=web_server.url) as attacker:
        response = attacker.post("/subscribe", data=fields)
    assert response.status_code == 403


def test_token_of_another_browser_is_refused(web_server, public_lists) -> None:
    with httpx.Client(base_url=web_server.url) as other:
        foreign = csrf_from(other.get("/subscribe").text)
    with httpx.Client(base_url=web_server.url) as mine:
        fields = _form(mine, csrf_token=foreign)
        assert mine.post("/subscribe", data=fields).status_code == 403


def test_tampered_token_is_refused(web: httpx.Client, public_lists) -> None:
    fields = _form(web)
    fields["csrf_token"] = fields["csrf_token"][:-2] + "xx"
    assert web.post("/subscribe", data=fields).status_code == 403


def test_csrf_signer_unit() -> None:
    csrf = Csrf("a-secret-that-is-long-enough-for-tests-000000")
    other = Csrf("another-secret-that-is-long-enough-1111111111")

    class Req:
        def __init__(self, cookie: str | None) -> None:
            self.cookies = {CSRF_COOKIE: cookie} if cookie else {}

    token = other._signer.dumps("value")
    with pytest.raises(CsrfError):
        csrf.check(Req("value"), token)  # type: ignore[arg-type]
    with pytest.raises(CsrfError):
        csrf.check(Req(None), csrf._signer.dumps("value"))  # type: ignore[arg-type]
    csrf.check(Req("value"), csrf._signer.dumps("value"))  # type: ignore[arg-type]


def test_declared_oversized_body_is_refused(web: httpx.Client, public_lists) -> None:
    fields = _form(web, name="Ç" * 40000)  # 80 kB encoded, over the 64 kB default
    response = web.post("/subscribe", data=fields)
    assert response.status_code == 413
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_streamed_oversized_body_is_refused(web: httpx.Client, public_lists) -> None:
    def chunks():
        yield b"email=a%40example.org&name="
        for _ in range(100):
            yield b"x" * 1000

    response = web.post(
        "/subscribe",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_malformed_multipart_is_a_clear_400(web: httpx.Client, public_lists) -> None:
    response = web.post(
        "/unsubscribe/whatever",
        content=b"--x\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code in (400, 403)
    assert response.status_code != 500


def test_uploaded_files_are_refused(web: httpx.Client, public_lists) -> None:
    response = web.post(
        "/subscribe", files={"email": ("a.txt", b"ayse@example.org")}, data={"x": "1"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/preferences/abc?saved=1", "/preferences/abc?saved=1"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_local_path_allows_only_this_site(target: str | None, expected: str) -> None:
    assert local_path(target) == expected


def _raw_get(base_url: str, path: str) -> tuple[int, dict[str, str], str]:
    """A GET with the path sent exactly as given (httpx would read "//host" as a host)."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example/subscribe/", "/subscribe/"])
def test_no_route_redirects_off_site(web_server, public_lists, path: str) -> None:
    status, headers, _body = _raw_get(web_server.url, path)
    location = {k.lower(): v for k, v in headers.items()}.get("location", "")
    assert status == 404
    assert not location.startswith(("//", "http")), location


def test_language_switch_link_never_leaves_the_site(web_server) -> None:
    status, _headers, body = _raw_get(web_server.url, "//evil.example/x")
    assert status == 404
    assert 'href="//evil.example' not in body
    assert 'href="/?lang=tr"' in body


HSTS = "max-age=31536000"


@pytest.mark.parametrize("path", ["/healthz", "/subscribe", "/archive", "/no-such-page"])
def test_https_sites_send_hsts(web: httpx.Client, public_lists, path: str) -> None:
    # The test config's [public] base_url is https://news.example.org.
    assert web.get(path).headers["strict-transport-security"] == HSTS


def test_hsts_also_on_refusals_and_server_errors(web: httpx.Client, engine, config) -> None:
    too_big = web.post("/subscribe", content=b"x" * (config.web.max_body_bytes + 1),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert too_big.status_code == 413
    assert too_big.headers["strict-transport-security"] == HSTS
    with engine.begin() as conn:  # break the database under the running app
        conn.exec_driver_sql("ALTER TABLE lists RENAME TO lists_gone")
    broken = web.get("/subscribe")
    assert broken.status_code == 500
    assert broken.headers["strict-transport-security"] == HSTS


def test_plain_http_sites_send_no_hsts(
    monkeypatch: pytest.MonkeyPatch, config_path, engine, public_lists
) -> None:
    monkeypatch.setenv("NEWSLETTER_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    server = serve(load_config(config_path), FixedClock(START))
    plain = next(server)
    try:
        for path in ("/healthz", "/subscribe", "/no-such-page"):
            response = httpx.get(plain.url + path)
            assert "strict-transport-security" not in response.headers, path
            assert response.headers["x-frame-options"] == "DENY"
    finally:
        server.close()
