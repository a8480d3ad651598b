"""`newsletter blocks import PATH...`: bulletins and Markdown files into draft blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from newsletter.cli.block_options import current_user
from newsletter.cli.blocks_output import when
from newsletter.cli.common import JSON_OPTION, print_json, state
from newsletter.core.clock import utcnow
from newsletter.core.models import Block
from newsletter.library import importer

IMPORTABLE = (".txt", ".md", ".markdown")


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the .txt and .md files directly in it."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in IMPORTABLE)
        else:
            out.append(path)
    return out


def _line(fields: dict[str, Any]) -> str:
    block = Block.model_validate({k: v for k, v in fields.items() if k in Block.model_fields})
    area = fields.get("area") or "no area"
    if fields.get("area") and fields.get("area_suggested"):
        area += ", suggested"
    ident = f"#{fields['id']}" if fields.get("id") else "new"
    places = ", ".join(fields.get("places") or []) or "no place"
    partners = ", ".join(fields.get("partners") or [])
    with_partners = f" (with {partners})" if partners else ""
    return (
        f"  {ident:>5}  {when(block) or 'no date':<17} [{area}] {places}: {fields['title']}"
        f"{with_partners}"
    )


def _guesses(fields: dict[str, Any]) -> str | None:
    """What the officer should check: the guessed fields and how each was had."""
    notes = fields.get("recognised") or {}
    shown = []
    for name in fields.get("guessed") or []:
        how = ((notes.get(name) or {}).get("how") or "").split(";")[0]
        shown.append(f"{name} ({how})" if how else name)
    return "guessed: " + "; ".join(shown) if shown else None


def _details(fields: dict[str, Any]) -> list[str]:
    """Every recognised field with its confidence, for --report."""
    lines = []
    for name, note in (fields.get("recognised") or {}).items():
        value = note["value"]
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        lines.append(f"{name + ':':<12} {shown}  [{note['confidence']}: {note['how']}]")
    return lines


def _print_report(report: importer.FileReport, dry_run: bool, detailed: bool) -> None:
    verb = "would create" if dry_run else "created"
    typer.echo(f"{report.path}: {verb} {len(report.created)}, "
               f"skipped {len(report.skipped)} already imported")  # fmt: skip
    for fields in report.created:
        typer.echo(_line(fields))
        for text in _details(fields) if detailed else filter(None, [_guesses(fields)]):
            typer.echo(f"         {text}")
    for skipped in report.skipped:
        where = f"#{skipped['existing_id']}" if skipped["existing_id"] else "repeated in the file"
        typer.echo(f"  skipped (line {skipped['line']}, already {where}): {skipped['title']}")
    for dropped in report.dropped:
        text = dropped["text"] if len(dropped["text"]) <= 60 else dropped["text"][:57] + "..."
        typer.echo(f"  dropped line {dropped['line']} ({dropped['reason']}): {text}")
    if detailed and report.cleaned:
        typer.echo(f"  cleaned {report.cleaned} no-break or invisible space(s)")


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        paths: list[Path] = typer.Argument(
            ...,
            metavar="PATH...",
            help="Plain-text bulletins (.txt) and Markdown files (.md), or folders of them.",
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Show what would be created; save nothing."
        ),
        year: int | None = typer.Option(
            None,
            "--year",
            metavar="YYYY",
            min=1900,
            max=2100,
            help="Year for dates written without one (default: the year the document names).",
        ),  # fmt: skip
        area: str | None = typer.Option(
            None,
            "--area",
            metavar="AREA",
            help="Give every block this area instead of a suggested one.",
        ),
        language: str | None = typer.Option(
            None, "--language", metavar="CODE", help="Language of the text."
        ),
        author: str | None = typer.Option(
            None, "--author", metavar="NAME", help="Default: your user name."
        ),
        title_case: bool = typer.Option(
            True,
            "--title-case/--keep-case",
            help="Put headings written in capitals in title case (Turkish-aware; keeps IOM, EU).",
        ),
        detailed: bool = typer.Option(
            False, "--report", help="Show every recognised field with its confidence."
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Turn bulletins, press-release pages, overviews, features and Markdown into drafts.

        Each story, release or section becomes a draft with the places, dates and partners its
        text names and a suggested programme area. Values the importer inferred (a year taken
        from the document, the area) are marked as guessed: check them, then confirm with
        'blocks edit ID --confirm' or 'blocks ready ID'. Page headings and logo captions are
        dropped and listed. Importing the same file again creates nothing. A file that cannot
        be read is reported and skipped; the command then exits with status 1.
        """
        options = importer.ImportOptions(
            year=year, area=area, language=language,
            author=author if author is not None else current_user(), dry_run=dry_run,
            title_case=title_case,
        )  # fmt: skip
        reports = importer.import_files(
            state().engine, state().config.library, _expand(paths), options, utcnow()
        )
        failed = [r for r in reports if r.error]
        if as_json:
            print_json({"dry_run": dry_run,
                        "created_ids": [f["id"] for r in reports for f in r.created if f["id"]],
                        "files": [r.__dict__ for r in reports]})  # fmt: skip
        else:
            for report in reports:
                if not report.error:
                    _print_report(report, dry_run, detailed)
        for report in failed:
            typer.echo(f"Error: {report.error}", err=True)
        if failed:
            raise typer.Exit(1)
