"""Object policy in one place: the API bases and ``org_view`` fetch the object a request acts
on, check the declared object action (or rule) on ``policy_object(obj)``, and only then let
the view run. No view checks an object by hand, so none can forget to."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import mixins, serializers
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from kpis.models import KPI
from orgs import policy
from orgs.api.base import OrgScopedAPIView, OrgScopedViewSet
from orgs.models import Department
from orgs.policy import Action
from orgs.tenancy import get_department_for_member
from orgs.views.base import org_view
from tests.factories import DepartmentFactory
from tests.kras.test_kras_support import make_head, make_kpi, make_kra, make_role

pytestmark = pytest.mark.django_db


# --- the one check: an Action, or an object rule ----------------------------------------------


def test_require_takes_an_object_rule_for_a_decision_that_is_not_one_action(alice, bob):
    def owns(member, obj):
        return obj == member.pk

    policy.require(bob, owns, bob.pk)
    with pytest.raises(PermissionDenied, match="owns"):
        policy.require(bob, owns, alice.pk)
    with pytest.raises(PermissionDenied):
        policy.require(bob, Action.MANAGE_OBJECTIVES)


# --- viewsets: existing objects through get_object, new ones before perform_create ------------


class _DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


def _not_frozen(member, department) -> bool:
    return not department.name.startswith("Frozen")


class _Departments(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrgScopedViewSet,
):
    queryset = Department.objects.order_by("id")
    serializer_class = _DepartmentSerializer
    object_actions = {"POST": _not_frozen, "PATCH": _not_frozen}
    created: list[str] = []

    def perform_create(self, serializer):
        self.created.append(serializer.validated_data["name"])
        serializer.instance = serializer.save(org=self.org)


def _call(member, method, body=None, **route):
    factory = APIRequestFactory()
    request = getattr(factory, method)("/", body, format="json")
    force_authenticate(request, user=member.user)
    actions = {"post": "create"} if not route else {"patch": "partial_update"}
    return _Departments.as_view(actions)(request, org_slug=member.org.slug, **route)


def test_a_create_is_checked_on_the_new_object_before_perform_create_runs(alice):
    _Departments.created = []

    refused = _call(alice, "post", {"name": "Frozen assets"})
    accepted = _call(alice, "post", {"name": "Sales"})

    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert _Departments.created == ["Sales"]
    assert list(Department.objects.filter(org=alice.org).values_list("name", flat=True)) == [
        "Sales"
    ]


def test_a_write_to_an_existing_object_is_checked_on_it_before_the_body_is_read(alice):
    frozen = DepartmentFactory(org=alice.org, name="Frozen")

    response = _call(alice, "patch", {"name": ""}, pk=frozen.pk)

    # Refused for the object, not answered for the (invalid) body.
    assert response.status_code == 403
    frozen.refresh_from_db()
    assert frozen.name == "Frozen"


def test_another_organisations_object_is_not_found_before_any_check(alice, charlie):
    theirs = DepartmentFactory(org=charlie.org, name="Frozen")

    response = _call(alice, "patch", {"name": "Mine now"}, pk=theirs.pk)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Frozen"


@pytest.fixture
def head_and_sales(org_a):
    return make_head(org_a)


def test_a_head_is_refused_a_kpi_of_another_department_before_the_body_is_read(
    api, org_a, head_and_sales
):
    """KPIs are managed with their KRA (``policy_object``): a head of Sales may not touch
    Finance's, and is told so even when the change would be invalid anyway."""
    finance = DepartmentFactory(org=org_a, name="Finance")
    books = make_kra(org_a, role=make_role(org_a, finance, title="Accountant"), title="Books")
    kpi = make_kpi(books, target=Decimal(15))
    client = api(head_and_sales[0])

    response = client.patch(
        reverse("api:kpi-detail", args=["acme", kpi.pk]),
        {"weight": "a lot", "target": "1"},
        format="json",
    )

    assert response.status_code == 403
    kpi.refresh_from_db()
    assert kpi.target == Decimal(15)
    assert KPI.objects.filter(kra=books).count() == 1


# --- API views: tenant_object ------------------------------------------------------------------


class _DepartmentView(OrgScopedAPIView):
    object_actions = {"GET": _not_frozen}
    fetched: list[int] = []

    def tenant_object(self):
        department = get_department_for_member(self.membership, self.kwargs["pk"])
        self.fetched.append(department.pk)
        return department

    def get(self, request, org_slug, pk):
        return Response({"name": self.object.name})


def _get(view, member, method="get", **kwargs):
    request = getattr(APIRequestFactory(), method)("/")
    force_authenticate(request, user=member.user)
    return view.as_view()(request, org_slug=member.org.slug, **kwargs)


def test_an_api_view_gets_its_object_fetched_once_and_checked(alice, charlie):
    _DepartmentView.fetched = []
    sales = DepartmentFactory(org=alice.org, name="Sales")
    frozen = DepartmentFactory(org=alice.org, name="Frozen")
    theirs = DepartmentFactory(org=charlie.org, name="Theirs")

    assert _get(_DepartmentView, alice, pk=sales.pk).data == {"name": "Sales"}
    assert _get(_DepartmentView, alice, pk=frozen.pk).status_code == 403
    assert _get(_DepartmentView, alice, pk=theirs.pk).status_code == 404
    assert _DepartmentView.fetched == [sales.pk, frozen.pk]


def test_describing_an_api_view_fetches_no_object(alice):
    _DepartmentView.fetched = []
    sales = DepartmentFactory(org=alice.org, name="Sales")

    assert _get(_DepartmentView, alice, method="options", pk=sales.pk).status_code == 200
    assert _DepartmentView.fetched == []


def test_an_object_action_without_an_object_is_a_configuration_error(alice):
    class Forgetful(OrgScopedAPIView):
        object_action = Action.MANAGE_KRA

        def post(self, request, org_slug):
            return Response({})

    with pytest.raises(ImproperlyConfigured, match="Forgetful.*tenant_object"):
        _get(Forgetful, alice, method="post")


# --- pages: org_view(fetch=…) -----------------------------------------------------------------


def _page(member, view, **kwargs):
    request = RequestFactory().post("/")
    request.user = member.user
    return view(request, org_slug=member.org.slug, **kwargs)


def _seen(request, member, department):
    return HttpResponse(f"{member.pk}:{department.name}")


def test_a_page_receives_its_fetched_and_checked_object(alice, charlie):
    view = org_view(Action.VIEW_ORG, fetch=get_department_for_member, object_action=_not_frozen)(
        _seen
    )
    sales = DepartmentFactory(org=alice.org, name="Sales")

    assert _page(alice, view, pk=sales.pk).content.decode() == f"{alice.pk}:Sales"
    with pytest.raises(PermissionDenied):
        _page(alice, view, pk=DepartmentFactory(org=alice.org, name="Frozen").pk)
    with pytest.raises(Http404):
        _page(alice, view, pk=DepartmentFactory(org=charlie.org, name="Theirs").pk)


def test_a_page_checks_its_action_on_the_policy_object(alice, bob):
    """The object action defaults to the page's action; ``policy_object`` says what it is
    decided on (here the department's parent)."""
    view = org_view(
        Action.VIEW_ORG,
        fetch=get_department_for_member,
        object_action=_not_frozen,
        policy_object=lambda department: department.parent,
    )(_seen)
    frozen = DepartmentFactory(org=alice.org, name="Frozen")
    below = DepartmentFactory(org=alice.org, name="Below", parent=frozen)
    with pytest.raises(PermissionDenied):
        _page(alice, view, pk=below.pk)

    managing = org_view(Action.MANAGE_DEPARTMENTS, fetch=get_department_for_member)(_seen)
    assert _page(alice, managing, pk=below.pk).status_code == 200
    with pytest.raises(PermissionDenied):
        _page(bob, managing, pk=below.pk)
