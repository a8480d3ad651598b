"""Errors a user can fix: the CLI prints them as one line, the web app as a message."""


class UserError(Exception):
    """A mistake in input, config or usage. The message names the file, line, field or value."""


class ConfigError(UserError):
    """The configuration file or environment holds an unknown key or a wrong value."""


class NotFound(UserError):
    """A named thing (block, issue, list, subscriber) does not exist."""


class StateError(UserError):
    """The action is not allowed in the thing's current state (e.g. deleting a sent block)."""
