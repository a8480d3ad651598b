"""`newsletter users …`: the people who sign in to the workspace, and their roles.

The terminal is trusted like an admin (whoever runs it can read the database anyway), so these
commands need no sign-in; the audit trail names the actor "cli:<login name>". Passwords are
never taken as arguments (they would land in the shell history and the process list): they
are typed twice, hidden, or read as one line from stdin with --password-stdin.
"""

from __future__ import annotations

import getpass
import sys

import typer

from newsletter.accounts import passwords, users
from newsletter.accounts.roles import check_role
from newsletter.cli.common import JSON_OPTION, new_app, print_json, state
from newsletter.core.account_models import ROLES
from newsletter.core.clock import utcnow
from newsletter.core.errors import UserError

app = new_app("Workspace users: add them, give them a role, disable them, set passwords.")

ROLE_HELP = f"One of {', '.join(ROLES)}."
PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password as one line from stdin (for scripts)."
)
TRIES = 3  # typed passwords refused before giving up
NO_USERS = "no users yet: create the first admin with `newsletter users add EMAIL --role admin`"


def actor() -> str:
    """How the audit trail names this terminal: "cli:" and the login name."""
    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no login name at all (a container without USER or a passwd entry)
        return "cli"


def interactive() -> bool:
    """Whether a person is at the keyboard and sees the questions: a script, a pipe or a test
    run from a terminal (stdout captured) is never asked. Tests replace this to act as one."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def new_password(from_stdin: bool, prompt: str = "Password") -> str:
    """A new password: one line of stdin, or typed twice, hidden, checked before the repeat."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        passwords.check_policy(password)
        return password
    for _ in range(TRIES):
        password = typer.prompt(prompt, hide_input=True)
        try:
            passwords.check_policy(password)
        except UserError as exc:
            typer.echo(f"{exc}; try again", err=True)
            continue
        if typer.prompt(f"{prompt} again", hide_input=True) == password:
            return password
        typer.echo("the two passwords differ; try again", err=True)
    raise UserError(f"password: not set after {TRIES} tries")


def ask_email() -> str:
    """An address typed at the terminal, asked again while it is not one."""
    for _ in range(TRIES):
        try:
            return users.normalise_email(typer.prompt("E-mail address"))
        except UserError as exc:
            typer.echo(str(exc), err=True)
    raise UserError(f"email: no address after {TRIES} tries")


def add_user(email: str, role: str, name: str, password: str) -> str:
    """Adds the user; the line to print."""
    with state().session() as session:
        user = users.add(session, email, role, password, utcnow(), name=name, actor=actor())
        return f"added {user.role} {user.email} (user {user.id})"


@app.command("add")
def add(
    email: str = typer.Argument(..., metavar="EMAIL", help="Their e-mail address: the sign-in."),
    role: str = typer.Option(..., "--role", metavar="|".join(ROLES), help=ROLE_HELP),
    name: str = typer.Option("", "--name", metavar="NAME", help="The name the workspace shows."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Add a user who signs in with EMAIL and a password (at least 10 characters)."""
    # Checked before the password is asked for: nobody types one twice to learn of a typo.
    key = users.normalise_email(email)
    check_role(role)
    with state().session() as session:
        if users.find(session, key) is not None:
            raise UserError(f"email: a user {key} already exists")
    typer.echo(add_user(email, role, name, new_password(password_stdin)))


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """Every user with their role and whether they may sign in."""
    with state().session() as session:
        rows = [users.to_json(u) for u in users.list_users(session)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(NO_USERS)
        return
    typer.echo(f"{'id':>4}  {'email':<36} {'role':<9} {'status':<9} name")
    for row in rows:
        status = "disabled" if row["disabled"] else "active"
        typer.echo(f"{row['id']:>4}  {row['email']:<36} {row['role']:<9} {status:<9} {row['name']}")


@app.command("edit")
def edit(
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
    name: str | None = typer.Option(None, "--name", metavar="NAME", help="New name."),
    role: str | None = typer.Option(None, "--role", metavar="|".join(ROLES), help=ROLE_HELP),
) -> None:
    """Change a user's name or role (the last admin keeps the admin role)."""
    if name is None and role is None:
        raise UserError("nothing to change: give --name or --role")
    with state().session() as session:
        user = users.by_email(session, email)
        users.edit(session, user.id or 0, utcnow(), actor=actor(), name=name, role=role)
        typer.echo(f"updated {user.email}: {user.role}" + (f", {user.name}" if user.name else ""))


def _set_disabled(email: str, disabled: bool) -> None:
    with state().session() as session:
        user = users.by_email(session, email)
        users.set_disabled(session, user.id or 0, disabled, utcnow(), actor=actor())
    told = "disabled (signed out everywhere)" if disabled else "enabled"
    typer.echo(f"{user.email}: {told}")


@app.command("disable")
def disable(
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
) -> None:
    """Stop a user signing in; their open sessions end now. The last admin cannot be."""
    _set_disabled(email, True)


@app.command("enable")
def enable(
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
) -> None:
    """Let a disabled user sign in again."""
    _set_disabled(email, False)


@app.command("passwd")
def passwd(
    email: str = typer.Argument(..., metavar="EMAIL", help="The user's e-mail address."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Set a user's password; their open sessions end and a sign-in lock lifts."""
    with state().session() as session:
        user_id = users.by_email(session, email).id or 0
    password = new_password(password_stdin, "New password")
    with state().session() as session:
        user = users.set_password(session, user_id, password, utcnow(), actor=actor())
    typer.echo(f"{user.email}: password changed (signed out everywhere)")
