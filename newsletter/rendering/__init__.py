"""Turning an issue's content into email: author Markdown to safe HTML, the Jinja2 templates,
MJML to responsive HTML, the plain-text part, personalisation by string joins, the MJML schema,
the sample reader, and the pure pre-send checks over a rendered view.

Pure: no Session, no network, time passed in. Works on ``rendering.view`` data, which compose
loads from the database.

May import: core. Never library, audience, or anything above.
"""
