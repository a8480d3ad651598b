"""The composer's changes to the blocks of an issue, each the CLI command of the same name:
``…/compose`` (the period's ready blocks), ``…/blocks`` (add the picked ones), ``…/move`` (up,
down, to a section), ``…/order`` (the whole order after drag and drop), ``…/override``,
``…/remove`` and ``…/sections/{id}`` (rename, move up or down).

Sections and blocks are named by id in the forms, so a page loaded before a colleague's change
cannot move the wrong one: a section that is gone is refused with a 409 asking to reload.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from newsletter.compose import period, placements
from newsletter.compose.issue_content import sections
from newsletter.core import audit
from newsletter.core.errors import NotFound, UserError
from newsletter.web.admin import composer_order
from newsletter.web.admin import composer_page as page
from newsletter.web.admin import composer_view as view
from newsletter.web.admin.frame import Viewer, admin_of, checked_form, need, text
from newsletter.web.context import web_of

router = APIRouter(include_in_schema=False)

OVERRIDE_FIELDS = ("title", "summary")


@router.post("/admin/issues/{issue_id}/compose")
def compose(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    """Every ready block of the period, as `issues compose` adds them; the period is kept."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        start = view.parse_day("from", text(form, "from"))
        end = view.parse_day("to", text(form, "to"))
        if start is None or end is None:
            raise UserError("from: give the first and the last day of the period")
        added = period.compose(db, web.config, issue_id, start, end, viewer.actor, now)
        if added:
            audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                         note=f"composed {start} to {end}",
                         blocks=[p.block_id for p in added])  # fmt: skip
        return _.ngettext("%(count)s block added.", "%(count)s blocks added.", len(added),
                          count=len(added))  # fmt: skip

    return page.change(request, viewer, issue_id, form, work, "picker", ("from", "to"))


@router.post("/admin/issues/{issue_id}/blocks")
def add(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        chosen = [int(v) for v in form.getlist("block") if isinstance(v, str) and v.isdigit()]
        if not chosen:
            raise UserError("block: tick the blocks to add")
        section = page.section_number(db, issue_id, text(form, "section"))
        placements.add_blocks(db, web.config, issue_id, chosen, viewer.actor, now,
                              section=section)  # fmt: skip
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                     note="blocks added", blocks=chosen)  # fmt: skip
        return _.ngettext("%(count)s block added.", "%(count)s blocks added.", len(chosen),
                          count=len(chosen))  # fmt: skip

    return page.change(request, viewer, issue_id, form, work, "picker", ("block", "section"),
                   anchor="sections")  # fmt: skip


@router.post("/admin/issues/{issue_id}/blocks/{block_id}/move")
def move(
    request: Request,
    issue_id: int,
    block_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    """``direction`` up or down (crossing into the next section at either end), or
    ``section`` (a section id): to the end of that section."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        direction = text(form, "direction")
        if direction in ("up", "down"):
            target = composer_order.step(db, issue_id, block_id, direction)
            if target is None:
                return _("Nothing changed.")
            section, position = target
            placements.move_block(db, web.config, issue_id, block_id, viewer.actor, now,
                                  section=section, position=position)  # fmt: skip
        else:
            number = page.section_number(db, issue_id, text(form, "section"))
            if number is None:
                raise UserError("section: choose the section to move the block to")
            placements.move_block(db, web.config, issue_id, block_id, viewer.actor, now,
                                  section=number)  # fmt: skip
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                     note=f"block {block_id} moved")  # fmt: skip
        return _("Block %(id)s moved.", id=block_id)

    return page.change(request, viewer, issue_id, form, work, f"block-{block_id}", ("section",),
                   anchor=f"p-{block_id}")  # fmt: skip


@router.post("/admin/issues/{issue_id}/order")
def order(
    request: Request,
    issue_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    """The order drag and drop made: every placed block, section by section (``order``)."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        wanted = composer_order.parse_order(text(form, "order"))
        moves = composer_order.apply_order(db, web.config, issue_id, wanted, viewer.actor, now)
        if not moves:
            return _("Nothing changed.")
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now, note="blocks reordered")
        return _("The new order is saved.")

    return page.change(request, viewer, issue_id, form, work, "order", ("order",),
                   anchor="sections")  # fmt: skip


@router.post("/admin/issues/{issue_id}/blocks/{block_id}/override")
def override(
    request: Request,
    issue_id: int,
    block_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    """This issue's title and summary of a block ('' shows the library's), its image hidden."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        placed = placements.placed_blocks(db, issue_id).get(block_id)
        if placed is None:
            raise NotFound(f"block {block_id} is not in issue {issue_id}")
        changes = page.override_changes(placed, form)
        if not changes:
            return _("Nothing changed.")
        placements.set_overrides(db, issue_id, block_id, viewer.actor, now, **changes)
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                     note=f"block {block_id} overridden", fields=sorted(changes))  # fmt: skip
        return _("Block %(id)s changed for this issue.", id=block_id)

    return page.change(request, viewer, issue_id, form, work, f"block-{block_id}", OVERRIDE_FIELDS,
                   anchor=f"p-{block_id}")  # fmt: skip


@router.post("/admin/issues/{issue_id}/blocks/{block_id}/remove")
def remove(
    request: Request,
    issue_id: int,
    block_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        placements.remove_blocks(db, issue_id, [block_id], viewer.actor, now)
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                     note=f"block {block_id} removed")  # fmt: skip
        return _("Block %(id)s taken out of the issue; the library keeps it.", id=block_id)

    return page.change(request, viewer, issue_id, form, work, f"block-{block_id}",
                   anchor="sections")  # fmt: skip


@router.post("/admin/issues/{issue_id}/sections/{section_id}")
def section(
    request: Request,
    issue_id: int,
    section_id: int,
    viewer: Viewer = Depends(need("issues")),
    form: FormData = Depends(checked_form),
) -> Response:
    """Rename a section (``heading``) or move it (``direction`` up or down)."""
    web = web_of(request)
    _ = admin_of(request).gettext(viewer.lang)
    now = web.clock()

    def work(db: Session) -> str:
        rows = sections(db, issue_id)
        number = page.section_number(db, issue_id, str(section_id))
        assert number is not None  # section_number refuses a section not in the issue
        direction = text(form, "direction")
        if direction in ("up", "down"):
            position = int(number) + (-1 if direction == "up" else 1)
            if not 1 <= position <= len(rows):
                return _("Nothing changed.")
            placements.edit_section(db, issue_id, int(number), viewer.actor, now,
                                    position=position)  # fmt: skip
        else:
            heading = view.checked_heading(text(form, "heading"))
            if heading == rows[int(number) - 1].heading:
                return _("Nothing changed.")
            placements.edit_section(db, issue_id, int(number), viewer.actor, now,
                                    heading=heading)  # fmt: skip
        audit.record(db, viewer.actor, "changed", "issue", issue_id, now,
                     note=f"section {number} changed")  # fmt: skip
        return _("Section saved.")

    return page.change(request, viewer, issue_id, form, work, f"section-{section_id}",
                   ("heading",), anchor=f"s-{section_id}")  # fmt: skip
