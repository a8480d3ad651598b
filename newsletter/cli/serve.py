"""`newsletter serve`: the public pages (subscribe, confirm, unsubscribe, preferences, archive)."""

from __future__ import annotations

import socket

import typer

from newsletter.cli.common import state
from newsletter.core.errors import UserError


def serve(
    host: str | None = typer.Option(None, "--host", help="Address to listen on [web.host]."),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port to listen on [web.port]."
    ),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1",
        "--forwarded-allow-ips",
        help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, '*').",
    ),
) -> None:
    """Serve the public web pages until interrupted (Ctrl-C).

    Example: newsletter serve --host 127.0.0.1 --port 8000, behind a reverse proxy that
    forwards https://news.example.org (the [public] base_url every email links to).
    """
    import uvicorn

    from newsletter.web.app import create_app

    app_state = state()
    config = app_state.config
    app = create_app(config)  # opens the database now: a missing schema fails here, clearly
    for warning in config.warnings:  # e.g. an http base_url, fine on this machine only
        typer.echo(f"Warning: {warning}", err=True)
    host, port = host or config.web.host, port or config.web.port
    sock = listen(host, port)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            server_header=False,
            log_level="info" if app_state.verbose else "warning",
        )
    )
    server.run(sockets=[sock])


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a busy port is a one-line error, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def register(app: typer.Typer) -> None:
    """Adds `newsletter serve` to the root app."""
    app.command("serve")(serve)
