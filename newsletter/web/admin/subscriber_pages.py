"""The admin's subscriber pages.

- ``/admin/subscribers``: search (``q``: case, accents and the Turkish dotted and dotless i
  ignored), ``status`` and ``list`` filters, paging by ``[workspace] page_size``.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from newsletter.audience import lists, roster
from newsletter.core.db import read_scope
from newsletter.core.errors import NotFound, UserError
from newsletter.web.admin.frame import Viewer, admin_of, need
from newsletter.web.context import READ, web_of

router = APIRouter(include_in_schema=False)

MAX_QUERY = 200  # characters of a subscriber search kept


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


@router.api_route("/admin/subscribers", methods=READ)
def subscribers_page(request: Request, viewer: Viewer = Depends(need("subscribers"))) -> Response:
    web = web_of(request)
    params = request.query_params
    shown = {"q": params.get("q", "").strip()[:MAX_QUERY], "status": params.get("status", ""),
             "list": params.get("list", "")}  # fmt: skip
    page = _page_number(params.get("page"))
    size = web.config.workspace.page_size
    filters = roster.Filters(shown["list"] or None, shown["status"] or None, None,
                             shown["q"] or None)  # fmt: skip
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    total = 0
    with read_scope(web.engine) as db:
        all_lists = lists.all_lists(db)
        try:
            rows, total = roster.listing(db, filters, size, (page - 1) * size)
        except NotFound as exc:
            errors = {"list": str(exc)}
        except UserError as exc:
            errors = {"status": str(exc)}
    exact = total <= roster.COUNT_LIMIT
    pages = max(1, math.ceil(min(total, roster.COUNT_LIMIT) / size))
    if not exact and len(rows) == size:
        pages = max(pages, page + 1)  # more than the count stops at: the next page exists
    _ = admin_of(request).gettext(viewer.lang)
    statuses = [(s, _(s)) for s in roster.SUBSCRIPTION_STATUSES + roster.SUBSCRIBER_STATUSES]
    return admin_of(request).render(
        request, viewer, "subscribers.html", 400 if errors else 200, rows=rows,
        total=min(total, roster.COUNT_LIMIT), exact=exact, page=page, pages=pages,
        first=(page - 1) * size + 1, shown=shown, errors=errors, statuses=statuses,
        lists=[(m.slug, m.name) for m in all_lists],
    )  # fmt: skip
