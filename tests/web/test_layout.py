"""The web package's layout: app.py assembles, routers share only helpers, DB routes are sync.

Read from the source with ``ast``, so a new module that breaks a rule fails here by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import newsletter

PACKAGE = Path(newsletter.__file__).parent
WEB = PACKAGE / "web"
DB_NAMES = {"session_scope", "read_scope", "engine"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.AST) -> set[str]:
    """Every module an import statement names, anywhere in the tree."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_router(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "router" for t in node.targets)
        for node in tree.body
    )


MODULES = sorted(WEB.glob("*.py"))
ROUTERS = {p.stem for p in MODULES if _is_router(_tree(p))}


def test_the_expected_routers_exist() -> None:
    expected = {
        "site", "subscribe", "unsubscribe", "preferences", "archive_pages", "media_files"
    }
    assert expected == ROUTERS


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_imports_inside_functions(path: Path) -> None:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
            assert inner == [], f"{path.name}: import inside {node.name}()"


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_routers_import_neither_the_app_nor_each_other(name: str) -> None:
    imported = _imports(_tree(WEB / f"{name}.py"))
    forbidden = {f"newsletter.web.{other}" for other in ROUTERS | {"app"} if other != name}
    assert imported & forbidden == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_app_imports_the_routers(path: Path) -> None:
    if path.stem == "app":
        return
    imported = _imports(_tree(path))
    assert imported & {f"newsletter.web.{r}" for r in ROUTERS | {"app"}} == set()


def test_the_app_includes_every_router() -> None:
    imported = _imports(_tree(WEB / "app.py"))
    assert {f"newsletter.web.{r}" for r in ROUTERS} <= imported


def test_nothing_below_imports_the_web_package() -> None:
    web = PACKAGE / "web"
    below = [p for p in PACKAGE.rglob("*.py") if not p.is_relative_to(web)]
    below = [p for p in below if p.parent.name != "cli"]
    below = [p for p in below if p.name != "demo.py"]
    users = [p for p in below if any(m.startswith("newsletter.web") for m in _imports(_tree(p)))]
    assert users == []


@pytest.mark.parametrize("name", sorted(ROUTERS))
def test_routes_using_the_database_are_plain_functions(name: str) -> None:
    """An async route doing synchronous database work freezes every page while it waits."""
    for node in _tree(WEB / f"{name}.py").body:
        if not isinstance(node, ast.AsyncFunctionDef):
            continue
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        used |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
        assert used & DB_NAMES == set(), f"{name}.{node.name} is async and uses the database"


def test_publication_rules_live_in_delivery() -> None:
    archive = _imports(_tree(WEB / "archive.py"))
    assert "newsletter.delivery.publication" in archive
    for path in MODULES:  # no web module reads the sends itself
        assert "newsletter.core.models.Send" not in _imports(_tree(path)), path.name
