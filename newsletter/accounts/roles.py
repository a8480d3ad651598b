"""Roles and what each may do. Each role includes everything of the roles below it:

- **editor**: blocks, media, imports, issues; submit an issue for review;
- **approver**: also approve or send back, send tests, schedule and send;
- **admin**: also lists, subscribers, users and settings.
"""

from __future__ import annotations

from newsletter.core.account_models import ROLES
from newsletter.core.errors import UserError

RANK = {role: rank for rank, role in enumerate(ROLES)}

# What a permission needs; the pages and the API ask for a permission, never a role by name.
NEEDS: dict[str, str] = {
    "blocks": "editor",
    "media": "editor",
    "import": "editor",
    "issues": "editor",
    "submit": "editor",
    "approve": "approver",
    "test_send": "approver",
    "schedule": "approver",
    "send": "approver",
    "sends": "approver",
    "lists": "admin",
    "subscribers": "admin",
    "users": "admin",
    "settings": "admin",
}


def check_role(role: str) -> str:
    if role not in RANK:
        raise UserError(f"role: {role!r} is not a role (choose {', '.join(ROLES)})")
    return role


def at_least(role: str, needed: str) -> bool:
    return RANK.get(role, -1) >= RANK[needed]


def may(role: str, permission: str) -> bool:
    """Whether someone with ``role`` may do ``permission`` (an unknown permission: nobody)."""
    needed = NEEDS.get(permission)
    return needed is not None and at_least(role, needed)
