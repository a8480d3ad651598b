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
    admin: str | None = typer.Option(
        None, "--admin", metavar="EMAIL", help="Also add this first admin of the workspace."
    ),
    admin_name: str = typer.Option("", "--admin-name", metavar="NAME", help="The admin's name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="With --admin: read the password as one line from stdin."
    ),
) -> None:
    """Create a config file (if none exists) and the database, ready to use.

    Without users yet, it offers to add the first admin of the workspace (at a terminal), or
    adds --admin EMAIL (the password typed twice, or one line of stdin with --password-stdin).
    """
    from newsletter.accounts import users
    from newsletter.cli import users as user_commands
    from newsletter.core.clock import utcnow
    from newsletter.core.errors import UserError

    if password_stdin and admin is None:
        raise UserError("--password-stdin goes with --admin EMAIL")
    key = users.normalise_email(admin) if admin is not None else None
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
    with db.session_scope(engine) as session:
        existing = users.count(session)
        taken = key is not None and users.find(session, key) is not None
    if key is None:
        if existing:
            return
        if not user_commands.interactive():
            typer.echo(user_commands.NO_USERS)
            return
        if not typer.confirm("Create the first admin now?", default=True):
            typer.echo(user_commands.NO_USERS)
            return
        key = user_commands.ask_email()
        admin_name = typer.prompt("Name", default="", show_default=False)
    elif taken:
        typer.echo(f"{key} already has an account: left as it is")
        return
    password = user_commands.new_password(password_stdin)
    with db.session_scope(engine) as session:
        user = users.add(session, key, "admin", password, utcnow(), name=admin_name,
                         actor=user_commands.actor())  # fmt: skip
        typer.echo(f"added admin {user.email} (user {user.id})")
    typer.echo(f"Start `newsletter serve` and sign in at {config.public.base_url}/admin/login")


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
