"""Views and API modules reach tenant data only through the scoped access helpers and the
API base class. A bare ``Model.objects`` call there is how a cross-tenant leak starts, so this
test keeps them out (the one allowed form is a viewset's class-level ``queryset = …``,
which OrgScopedViewSet filters by organisation)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["orgs", "roles", "kras", "kpis", "reviews", "kra_platform"]
MANAGERS = {"objects", "_default_manager"}


def _view_and_api_modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/management/" in rel:
                continue
            if re.search(r"(^|/)(views|api)(/|\.py$|_)", rel) or path.name.endswith("views.py"):
                yield path


def _bare_manager_uses(tree: ast.AST) -> list[int]:
    """Line numbers of ``Model.objects`` outside a class-level ``queryset = …``."""
    allowed: set[int] = set()
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "queryset" for t in stmt.targets
            ):
                allowed.update(id(n) for n in ast.walk(stmt))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in MANAGERS
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
        and id(node) not in allowed
    ]


def test_views_and_api_modules_use_no_bare_manager_calls():
    offenders = []
    modules = list(_view_and_api_modules())
    assert modules, "the scan found no view or API modules"
    for path in modules:
        lines = path.read_text().splitlines()
        for number in _bare_manager_uses(ast.parse("\n".join(lines))):
            offenders.append(f"{path.relative_to(ROOT)}:{number}: {lines[number - 1].strip()}")
    assert not offenders, "Use a scoped access helper or selector:\n" + "\n".join(offenders)


def test_the_lint_catches_a_bare_lookup():
    sample = "def view(request, pk):\n    return Department.objects.get(pk=pk)\n"
    assert _bare_manager_uses(ast.parse(sample)) == [2]
    allowed = "class V:\n    queryset = Department.objects.all()\n"
    assert _bare_manager_uses(ast.parse(allowed)) == []


def test_no_viewset_overrides_get_queryset():
    from orgs.api.base import OrgScopedViewSet

    try:
        type("Sneaky", (OrgScopedViewSet,), {"get_queryset": lambda self: None})
    except TypeError as exc:
        assert "scope_queryset" in str(exc)
    else:
        raise AssertionError("OrgScopedViewSet accepted a get_queryset override")
