"""`newsletter serve`: the public pages (subscribe, confirm, unsubscribe, preferences, archive)."""

from __future__ import annotations

import typer

from newsletter.cli.common import state


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
    uvicorn.run(
        app,
        host=host or config.web.host,
        port=port or config.web.port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info" if app_state.verbose else "warning",
    )


def register(app: typer.Typer) -> None:
    """Adds `newsletter serve` to the root app."""
    app.command("serve")(serve)
