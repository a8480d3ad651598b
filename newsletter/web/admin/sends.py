"""The approver's send pages (``/admin/sends``, ``/admin/sends/{id}``): issue 12."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
