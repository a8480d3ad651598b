"""The admin's list pages: ``/admin/lists``, the lists with their member counts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from newsletter.audience import lists
from newsletter.core.db import read_scope
from newsletter.web.admin.frame import Viewer, admin_of, need
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)


@router.api_route("/admin/lists", methods=READ)
def lists_page(request: Request, viewer: Viewer = Depends(need("lists"))) -> Response:
    web = web_of(request)
    with read_scope(web.engine) as db:
        found = lists.all_lists(db)
        counts = lists.counts(db)
    rows = [(m, counts.get(m.id or 0, lists.ListCounts())) for m in found]
    return admin_of(request).render(request, viewer, "lists.html", rows=rows)
