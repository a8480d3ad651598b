"""How `blocks list` and `blocks show` look on a terminal (JSON output is in the commands)."""

from __future__ import annotations

import typer
from rich.table import Table

from newsletter.cli.common import console
from newsletter.core.config import LibraryConfig
from newsletter.core.models import Block
from newsletter.library.areas import area_name


def when(block: Block) -> str:
    if block.event_date is None:
        return ""
    start, end = block.event_date, block.event_date_end
    if not end or end == start:
        return f"{start:%Y-%m-%d}"
    # Only what changes after the start, so a range stays narrow: 2021-04-07..09
    shown = "%d" if (end.year, end.month) == (start.year, start.month) else "%m-%d"
    return f"{start:%Y-%m-%d}..{end.strftime(shown if end.year == start.year else '%Y-%m-%d')}"


def table(found: list[Block]) -> None:
    if not found:
        typer.echo("no blocks match (try --all to include archived blocks)")
        return
    grid = Table(show_edge=False, pad_edge=False, header_style="bold", box=None)
    languages = {b.language for b in found}
    columns = [
        ("id", {"justify": "right", "no_wrap": True}),
        ("date", {"no_wrap": True}),
        ("status", {"no_wrap": True}),
        ("area", {"no_wrap": True}),
        *([("lang", {"no_wrap": True})] if len(languages) > 1 else []),
        # Ratios, not fixed widths: on a narrow terminal rich would otherwise crop places away.
        ("title", {"overflow": "fold", "ratio": 3}),
        ("places", {"overflow": "fold", "ratio": 2}),
    ]
    for name, kwargs in columns:
        grid.add_column(name, **kwargs)  # type: ignore[arg-type]
    for b in found:
        # A trailing "?" marks what the importer guessed and nobody has confirmed yet.
        date_cell = when(b) + ("?" if "event_date" in b.guessed and b.event_date else "")
        area_cell = (b.area or "") + ("?" if "area" in b.guessed and b.area else "")
        cells = [str(b.id), date_cell, b.status, area_cell]
        cells += [b.language] if len(languages) > 1 else []
        grid.add_row(*cells, b.title, ", ".join(b.places))
    console.print(grid)
    typer.echo(f"{len(found)} block{'s' if len(found) != 1 else ''}")
    if any(b.guessed for b in found):
        typer.echo("? guessed by the importer: check, then 'blocks edit ID --confirm'")


def _guessed(block: Block) -> str:
    if not block.guessed:
        return ""
    return f"{', '.join(block.guessed)} (check, then: newsletter blocks edit {block.id} --confirm)"


def details(block: Block, library: LibraryConfig) -> None:
    rows = [
        ("id", str(block.id)),
        ("status", block.status),
        ("kind", block.kind),
        ("area", f"{block.area} ({area_name(library, block.area)})" if block.area else ""),
        ("date", when(block)),
        ("language", block.language),
        ("translation", block.translation_group or ""),
        ("tags", ", ".join(block.tags)),
        ("places", ", ".join(block.places)),
        ("partners", ", ".join(block.partners)),
        ("image", block.image_url or ""),
        ("image alt", block.image_alt or ""),
        ("image credit", block.image_credit or ""),
        ("link", f"{block.link_url or ''} {block.link_label or ''}".strip()),
        ("author", block.author),
        ("guessed", _guessed(block)),
        (
            "source",
            f"{block.source_file}, line {block.source_position}" if block.source_file else "",
        ),
        ("created", f"{block.created_at:%Y-%m-%d %H:%M} UTC"),
        ("updated", f"{block.updated_at:%Y-%m-%d %H:%M} UTC"),
    ]
    typer.echo(block.title)
    typer.echo("=" * min(len(block.title), 78))
    for label, value in rows:
        if value:
            typer.echo(f"{label + ':':<14}{value}")
    if block.summary:
        typer.echo(f"\n{block.summary}")
    typer.echo(f"\n{block.body}" if block.body else "\n(no body)")
