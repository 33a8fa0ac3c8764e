"""Views and API modules reach tenant data only through the scoped access helpers and the
API base class. A bare ``Model.objects`` call there is how a cross-tenant leak starts, so this
test keeps them out (the one allowed form is a viewset's ``queryset = Model.objects.all()``,
which OrgScopedViewSet filters by organisation)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["orgs", "roles", "kras", "kpis", "reviews", "kra_platform"]
BARE = re.compile(r"\b[A-Z]\w*\.(objects|_default_manager)\.")
ALLOWED = re.compile(r"^\s*queryset = [A-Z]\w*\.objects\.all\(\)")


def _view_and_api_modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/management/" in rel:
                continue
            if re.search(r"(^|/)(views|api)(/|\.py$|_)", rel) or path.name.endswith("views.py"):
                yield path


def test_views_and_api_modules_use_no_bare_manager_calls():
    offenders = []
    modules = list(_view_and_api_modules())
    assert modules, "the scan found no view or API modules"
    for path in modules:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if BARE.search(line) and not ALLOWED.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Use a scoped access helper or selector:\n" + "\n".join(offenders)


def test_no_viewset_overrides_get_queryset():
    from orgs.api.base import OrgScopedViewSet

    try:
        type("Sneaky", (OrgScopedViewSet,), {"get_queryset": lambda self: None})
    except TypeError as exc:
        assert "scope_queryset" in str(exc)
    else:
        raise AssertionError("OrgScopedViewSet accepted a get_queryset override")
