"""The apps depend one way, down the cascade: kra_platform ← orgs ← roles ← kras ← kpis ←
reviews ← demo. A module imports only from apps to the left of its own (and kra_platform,
the leftmost, imports no domain app), read from the source with ``ast`` so that an import
inside a function counts as much as one at the top.

Pages compose reads of several apps (the home page shows objectives from kras), so a page,
API or URL module (``views*``, ``api*``, ``urls*``) may also import the selectors of an app
to its right, and nothing else of it. What the code needs beyond that is listed in
EXCEPTIONS, each with its reason; an exception that is no longer needed fails the suite
too, so the rule stays exactly as strict as the code allows.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("kra_platform", "orgs", "roles", "kras", "kpis", "reviews", "demo")
PAGE_MODULE = re.compile(r"^(views|api|urls)")

_TEMPLATES = (
    "applying or saving a KRA template writes KRAs and KPIs, so kpis.template_library "
    "lives right of both; its pages and endpoints sit with the template library in kras"
)
_NEW_ROLE_FROM_TEMPLATE = (
    "the new-role page's “start from a template” step (a helper of the roles/views/ pages) "
    "lists the KRA template library and builds the role through kpis.template_library"
)

_READINESS = (
    "a role's readiness checks its KRAs and their KPIs, so it lives in kpis; the role's KRA "
    "panel and the readiness endpoint that show it live with the KRAs in kras"
)

#: (importing module, imported module) → why the import points right.
EXCEPTIONS = {
    ("kra_platform.urls", "orgs.api.auth"): (
        "the project's root URL configuration mounts the token endpoint at /api/v1/auth/, "
        "outside any organisation"
    ),
    ("kra_platform.urls", "orgs.views.account"): (
        "the project's root URL configuration mounts the account pages (sign-in links, "
        "passwords, the organisation picker) outside any organisation"
    ),
    ("kras.api.templates", "kpis.template_library"): _TEMPLATES,
    ("kras.views.templates", "kpis.template_library"): _TEMPLATES,
    ("kras.api.kras", "kpis.api"): (
        "a KRA's answer nests its KPIs with the KPI endpoint's own serializer, so both "
        "answers show a KPI alike"
    ),
    ("kras.views.kras", "kpis.readiness"): _READINESS,
    ("kras.api.kras", "kpis.readiness"): _READINESS,
    ("roles.template_choice", "kpis.template_library"): _NEW_ROLE_FROM_TEMPLATE,
    ("roles.template_choice", "kras.library"): _NEW_ROLE_FROM_TEMPLATE,
    ("roles.template_choice", "kras.models"): _NEW_ROLE_FROM_TEMPLATE,
    ("roles.template_choice", "kras.template_access"): _NEW_ROLE_FROM_TEMPLATE,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved;
    ``from package import name`` counts as ``package.name`` when that is a module."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _is_module(candidate) else target)
    return found


def _app_of(dotted: str) -> str | None:
    top = dotted.split(".")[0]
    return top if top in ORDER else None


def is_selectors(dotted: str) -> bool:
    last = dotted.split(".")[-1]
    return last == "selectors" or last.endswith("_selectors")


def is_page_module(module: str) -> bool:
    return any(PAGE_MODULE.match(part) for part in module.split(".")[1:])


def rightward_imports(module: str, imported: set[str]) -> set[tuple[str, str]]:
    """The imports of ``module`` that point to an app right of its own and that no general
    rule allows."""
    app = module.split(".")[0]
    found = set()
    for target in imported:
        target_app = _app_of(target)
        if target_app is None or target_app == app:
            continue
        if app != "kra_platform" and ORDER.index(target_app) < ORDER.index(app):
            continue
        if app != "kra_platform" and is_page_module(module) and is_selectors(target):
            continue
        found.add((module, target))
    return found


def project_modules() -> list[Path]:
    paths = []
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            paths.append(path)
    return paths


def all_rightward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in project_modules():
        module = module_name(path)
        imported = imported_modules(path.read_text(), module, path.name == "__init__.py")
        found |= rightward_imports(module, imported)
    return found


def test_no_app_imports_from_an_app_to_its_right():
    found = all_rightward_imports()
    unexplained = sorted(found - set(EXCEPTIONS))
    assert not unexplained, (
        "these imports point right, against the cascade (move the code to the app on the "
        "right, or read through that app's selectors from a page module):\n"
        + "\n".join(f"{module} imports {target}" for module, target in unexplained)
    )


def test_every_listed_exception_is_still_needed():
    stale = sorted(set(EXCEPTIONS) - all_rightward_imports())
    assert not stale, "no longer imported: drop these from EXCEPTIONS:\n" + "\n".join(
        f"{module} → {target}" for module, target in stale
    )


def test_every_app_of_ours_has_its_place_in_the_order():
    ours = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert ours == set(ORDER)
    installed = [app for app in settings.INSTALLED_APPS if app in ORDER]
    assert installed == list(ORDER)


def test_the_demo_builder_is_an_app_of_its_own():
    assert not (ROOT / "orgs" / "demo.py").exists()
    modules = {module_name(path) for path in project_modules()}
    assert {"demo.seed", "demo.management.commands.seed_demo"} <= modules
    assert "demo.management.commands.bench_pages" in modules


# --- the checks themselves -----------------------------------------------------------------


def test_the_scan_finds_what_it_looks_for():
    source = (
        "from kras.models import KRA\n"
        "from . import selectors\n"
        "from ..services import objective_create\n"
        "def later():\n"
        "    import kpis.models\n"
        "    from kras import selectors\n"
    )
    imported = imported_modules(source, "orgs.views.home")
    assert {"kras.models", "orgs.views", "orgs.services", "kpis.models"} <= imported
    assert "kras.selectors" in imported
    # A page module may read the selectors of an app to its right, and nothing else of it.
    assert rightward_imports("orgs.views.home", imported) == {
        ("orgs.views.home", "kras.models"),
        ("orgs.views.home", "kpis.models"),
    }
    # Any other module may not even do that.
    assert ("orgs.selectors", "kras.selectors") in rightward_imports(
        "orgs.selectors", {"kras.selectors"}
    )
    # Leftward imports are always fine; kra_platform may import no domain app at all.
    assert not rightward_imports("kpis.services", {"kras.models", "orgs.audit", "kra_platform"})
    assert rightward_imports("kra_platform.celery", {"orgs.models"})
    assert rightward_imports("kra_platform.views", {"orgs.selectors"})
    assert imported_modules("from .. import services\n", "kras.services", True) == {"kras.services"}
