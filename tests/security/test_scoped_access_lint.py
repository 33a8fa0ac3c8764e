"""Views and API modules reach tenant data only through the scoped access helpers and the
two API bases. A bare ``Model.objects`` call there is how a cross-tenant leak starts, so this
test keeps them out (the one allowed form is a viewset's class-level ``queryset = …``,
which OrgScopedViewSet filters by organisation), with ``get_object_or_404(Model, …)`` and a
model's ``_default_manager``; every API view is built on OrgScopedViewSet or OrgScopedAPIView
and every tenant page on ``org_view``; and the bases refuse, when a class is created or a
request served, each way around them."""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import generics, mixins, serializers
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from orgs.models import Department, Membership
from orgs.policy import Action
from tests.factories import DepartmentFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ["orgs", "roles", "kras", "kpis", "reviews", "kra_platform"]
#: A manager reached through a model class: ``Department.objects``.
MANAGERS = {"objects", "_default_manager"}
#: Managers no view has a reason to name, whatever they are reached through
#: (``type(obj)._default_manager``, ``self.queryset.model._base_manager``).
RAW_MANAGERS = {"_default_manager", "_base_manager"}
#: API views that are not tenant endpoints, and why.
NOT_TENANT_VIEWS = {
    "orgs.api.auth.TokenObtainView": "exchanges a password for a token: no organisation is "
    "in its URL, the organisation is named in the body and checked like a sign-in",
    "kra_platform.api_docs.SwaggerView": "the API's documentation page: the schema, no "
    "organisation's data",
}


def _view_and_api_modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or "/management/" in rel:
                continue
            # ``measurement_views.py`` is a views module; ``reviews.py`` (the reviews'
            # services) is not.
            if re.search(r"(^|/)(views|api)(/|\.py$|_)", rel) or re.search(
                r"(^|_)views\.py$", path.name
            ):
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
        and id(node) not in allowed
        and (
            node.attr in RAW_MANAGERS
            or (
                node.attr in MANAGERS
                and isinstance(node.value, ast.Name)
                and node.value.id[:1].isupper()
            )
        )
    ]


def _bare_get_object_or_404(tree: ast.AST) -> list[int]:
    """Line numbers of ``get_object_or_404(Model, …)``: a model class, so every
    organisation's rows (a queryset's ``Model.objects…`` is caught above)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        first = node.args[0]
        if (
            name == "get_object_or_404"
            and isinstance(first, ast.Name | ast.Attribute)
            and (first.id if isinstance(first, ast.Name) else first.attr)[:1].isupper()
        ):
            found.append(node.lineno)
    return found


def test_views_and_api_modules_use_no_bare_manager_calls():
    offenders = []
    modules = list(_view_and_api_modules())
    assert modules, "the scan found no view or API modules"
    for path in modules:
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        for number in sorted(_bare_manager_uses(tree) + _bare_get_object_or_404(tree)):
            offenders.append(f"{path.relative_to(ROOT)}:{number}: {lines[number - 1].strip()}")
    assert not offenders, "Use a scoped access helper or selector:\n" + "\n".join(offenders)


def test_the_lint_catches_a_bare_lookup():
    sample = "def view(request, pk):\n    return Department.objects.get(pk=pk)\n"
    assert _bare_manager_uses(ast.parse(sample)) == [2]
    allowed = "class V:\n    queryset = Department.objects.all()\n"
    assert _bare_manager_uses(ast.parse(allowed)) == []


def test_the_lint_catches_a_default_manager_however_it_is_reached():
    sample = (
        "def view(request, member, pk):\n"
        "    Department._default_manager.get(pk=pk)\n"
        "    type(member)._default_manager.get(pk=pk)\n"
        "    member.org.__class__._base_manager.all()\n"
    )
    assert _bare_manager_uses(ast.parse(sample)) == [2, 3, 4]


def test_the_lint_catches_get_object_or_404_with_a_model():
    sample = (
        "def view(request, member, pk):\n"
        "    get_object_or_404(Department, pk=pk)\n"
        "    shortcuts.get_object_or_404(models.Department, pk=pk)\n"
        "    get_object_or_404(scoped(Department, member.org), pk=pk)\n"
    )
    assert _bare_get_object_or_404(ast.parse(sample)) == [2, 3]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_every_api_view_is_built_on_a_scoped_base():
    """An API view that is neither an OrgScopedViewSet nor an OrgScopedAPIView (a bare
    APIView, a generic view, one with a mixin of its own) resolves no organisation and
    scopes nothing. (Pages are functions under ``org_view``: the route test below.)"""
    from orgs.api.base import OrgScopedAPIView, OrgScopedViewSet

    offenders, seen = [], set()
    for path in _view_and_api_modules():
        module = importlib.import_module(_module_name(path))
        for name, cls in inspect.getmembers(module, inspect.isclass):
            qualified = f"{cls.__module__}.{cls.__qualname__}"
            if cls.__module__ != module.__name__ or not issubclass(cls, APIView):
                continue
            seen.add(qualified)
            if qualified in NOT_TENANT_VIEWS or cls in (OrgScopedViewSet, OrgScopedAPIView):
                continue
            if not issubclass(cls, OrgScopedViewSet | OrgScopedAPIView):
                offenders.append(qualified)
    assert len(seen) > 10, f"the scan found too few view classes: {sorted(seen)}"
    assert not (set(NOT_TENANT_VIEWS) - seen), "NOT_TENANT_VIEWS names a view that is gone"
    assert not offenders, "Build these on OrgScopedViewSet or OrgScopedAPIView:\n" + "\n".join(
        offenders
    )


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_tenant_route_goes_through_org_view_or_a_scoped_base():
    from orgs.api.base import OrgScopedAPIView, OrgScopedViewSet

    offenders, tenant_routes = [], 0
    for route, callback in _routes():
        if "<slug:org_slug>" not in route:
            continue
        tenant_routes += 1
        cls = getattr(callback, "cls", None)
        if getattr(callback, "org_view", False):
            continue
        if cls is not None and issubclass(cls, OrgScopedViewSet | OrgScopedAPIView):
            continue
        offenders.append(f"{route} ({callback.__module__}.{callback.__name__})")
    assert tenant_routes > 50
    assert not offenders, "Decorate with org_view or build on a scoped API base:\n" + "\n".join(
        offenders
    )


# --- each way around the bases is refused -------------------------------------------------------


def test_no_viewset_overrides_get_queryset():
    from orgs.api.base import OrgScopedViewSet

    with pytest.raises(TypeError, match="Sneaky defines get_queryset.*scope_queryset"):
        type("Sneaky", (OrgScopedViewSet,), {"get_queryset": lambda self: None})


def test_a_mixin_placed_before_the_base_may_not_bring_get_queryset():
    from orgs.api.base import OrgScopedViewSet

    class EveryOrganisation:
        def get_queryset(self):
            return Department.objects.all()

    with pytest.raises(TypeError, match=r"Sneaky \(through .*EveryOrganisation\) defines "):

        class Sneaky(EveryOrganisation, mixins.ListModelMixin, OrgScopedViewSet):
            queryset = Department.objects.all()


def test_a_viewset_may_not_override_get_object_or_filter_queryset_or_initial():
    from orgs.api.base import OrgScopedViewSet

    for hook, instead in (
        ("get_object", "policy_object"),
        ("filter_queryset", "scope_queryset"),
        ("initial", "required_action"),
    ):
        with pytest.raises(TypeError, match=f"defines {hook}.*{instead}"):
            type("Sneaky", (OrgScopedViewSet,), {hook: lambda self, *a, **k: None})


def test_a_subclass_of_a_checked_viewset_is_checked_too():
    from orgs.api.base import OrgScopedViewSet

    class Departments(mixins.ListModelMixin, OrgScopedViewSet):
        queryset = Department.objects.all()

    with pytest.raises(TypeError, match="Narrower defines get_object"):
        type("Narrower", (Departments,), {"get_object": lambda self: None})


def test_an_api_view_may_not_be_a_generic_queryset_view_or_resolve_its_own_membership():
    from orgs.api.base import OrgScopedAPIView

    with pytest.raises(TypeError, match="OrgScopedViewSet"):
        type("Listing", (OrgScopedAPIView, generics.ListAPIView), {})
    with pytest.raises(TypeError, match="defines initial"):
        type("Sneaky", (OrgScopedAPIView,), {"initial": lambda self, *a, **k: None})
    with pytest.raises(TypeError, match="defines get_object.*tenant_object"):
        type("Sneaky", (OrgScopedAPIView,), {"get_object": lambda self: None})


def test_the_unscoped_mixin_is_not_importable_under_its_old_public_name():
    import orgs.api.base as base

    with pytest.raises(ImportError):
        from orgs.api.base import OrgScopedMixin  # noqa: F401
    assert not hasattr(base, "OrgScopedMixin")
    assert set(base.__all__) == {
        "OrgPrimaryKeyRelatedField",
        "OrgScopedAPIView",
        "OrgScopedViewSet",
        "OrgSuspendedError",
        "exception_handler",
    }


class _DepartmentNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


def _list(view_class, member):
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=member.user)
    view = view_class.as_view({"get": "list"})
    return view(request, org_slug=member.org.slug)


def test_scope_queryset_returning_another_models_rows_fails_the_request(alice):
    from orgs.api.base import OrgScopedViewSet

    class Departments(mixins.ListModelMixin, OrgScopedViewSet):
        queryset = Department.objects.all()
        serializer_class = _DepartmentNameSerializer

        def scope_queryset(self, queryset):
            return Membership.objects.all()

    with pytest.raises(ImproperlyConfigured, match="returned Membership rows.*Department"):
        _list(Departments, alice)


def test_whatever_scope_queryset_returns_is_filtered_by_the_organisation(alice, charlie):
    """Even a queryset built afresh in the hook answers only the caller's organisation (the
    test's connection bypasses row-level security, so only the base stands in the way)."""
    from orgs.api.base import OrgScopedViewSet

    ours = DepartmentFactory(org=alice.org, name="Ours")
    DepartmentFactory(org=charlie.org, name="Theirs")

    class Departments(mixins.ListModelMixin, OrgScopedViewSet):
        queryset = Department.objects.all()
        serializer_class = _DepartmentNameSerializer
        required_action = Action.VIEW_ORG

        def scope_queryset(self, queryset):
            return Department.objects.order_by("name")

    response = _list(Departments, alice)

    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [ours.pk]
