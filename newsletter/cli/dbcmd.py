"""`newsletter init` and `newsletter db …`: create the config and database, migrate the schema."""

from __future__ import annotations

from pathlib import Path

import typer

from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.core import db
from newsletter.core.config import DEFAULT_FILE, load_config

db_app = new_app("Create and migrate the database.")

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "config.example.toml"


def init(
    path: Path = typer.Option(Path(DEFAULT_FILE), "--path", help="Where to write the config file."),
) -> None:
    """Create a config file (if none exists) and the database, ready to use."""
    st = state()
    target = st.config_path or path
    if not target.exists():
        target.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        typer.echo(f"wrote {target}")
    config = load_config(target)
    _ = config.secret_key  # creates the secret file on first use
    engine = db.make_engine(config)
    db.upgrade(engine)
    typer.echo(
        f"database ready at {db.database_url(config)} (schema {db.current_revision(engine)})"
    )


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database schema to the newest version, keeping all data."""
    config = state().config
    engine = db.make_engine(config)
    before = db.current_revision(engine)
    db.upgrade(engine, revision)
    typer.echo(f"schema {before or 'empty'} -> {db.current_revision(engine)}")


@db_app.command("status")
def status(as_json: bool = JSON_OPTION) -> None:
    """Show the schema revision of the database and the one this version needs."""
    config = state().config
    engine = db.make_engine(config)
    info = {
        "url": db.database_url(config),
        "current": db.current_revision(engine),
        "head": db.head_revision(engine),
    }
    if as_json:
        print_json(info)
        return
    for key, value in info.items():
        typer.echo(f"{key}: {value}")
    db.check_schema(engine)  # says what to do: init, db upgrade, or a newer newsletter


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
