"""The `newsletter` command (Typer): an entry point only. Each command parses its input, calls the
capability's service functions and prints the result (or JSON with --json); no business logic.
Command modules are imported when their command runs, so start-up stays fast.

May import: everything. Nothing imports cli.
"""
