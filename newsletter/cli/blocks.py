"""`newsletter blocks …`."""

from __future__ import annotations

from newsletter.cli.common import new_app

app = new_app("blocks")
