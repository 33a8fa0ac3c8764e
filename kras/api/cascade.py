"""API for the cascade: the tree, and "still holds" confirmations. The KRA template library's
endpoints are in ``kras.api.templates``."""

from __future__ import annotations

from drf_spectacular.helpers import lazy_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from orgs.api.base import OrgScopedAPIView
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department
from orgs.policy import Action
from orgs.tenancy import scoped

from .. import selectors
from ..access import get_kra_for_member
from ..models import KRA
from ..services import kra_confirm_still_holds
from ..services.cascade import confirm_checker, may_confirm

# --- the cascade tree -----------------------------------------------------------------------


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")


class LadderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["objective", "kra"])
    id = serializers.IntegerField()
    title = serializers.CharField()


class NeedsReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(source="needs_review_reason")
    link = serializers.CharField(source="needs_review_link")
    since = serializers.DateTimeField(source="needs_review_since", allow_null=True)


class CascadeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="kra.pk")
    level = serializers.CharField(source="kra.level")
    title = serializers.CharField(source="kra.title")
    definition = serializers.CharField(source="kra.definition")
    weight = serializers.DecimalField(source="kra.weight", max_digits=5, decimal_places=2)
    status = serializers.CharField(source="kra.status")
    department = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    answerable = serializers.SerializerMethodField(
        help_text="Who answers for the KRA: its owner, else its department's head."
    )
    aligned = serializers.BooleanField(help_text="Reaches an active strategic objective.")
    ladders_to = serializers.SerializerMethodField()
    needs_review = serializers.SerializerMethodField()
    context = serializers.BooleanField(
        help_text="Shown only because a KRA below it matches the filters."
    )
    may_confirm = serializers.SerializerMethodField()
    holders = PersonRefSerializer(many=True, help_text="The first people holding the role.")
    holder_count = serializers.IntegerField()
    children = serializers.SerializerMethodField()

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_department(self, node):
        kra = node.kra
        department = kra.department or (kra.role.department if kra.role_id else None)
        return NamedRefSerializer(department).data if department is not None else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_role(self, node):
        return NamedRefSerializer(node.kra.role).data if node.kra.role_id else None

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_owner(self, node):
        return PersonRefSerializer(node.kra.owner).data if node.kra.owner_id else None

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_answerable(self, node):
        person = node.answerable
        return PersonRefSerializer(person).data if person is not None else None

    @extend_schema_field(LadderSerializer(allow_null=True))
    def get_ladders_to(self, node):
        via = node.via
        if via is None:
            return None
        kind = "kra" if isinstance(via, KRA) else "objective"
        return {"kind": kind, "id": via.pk, "title": via.title}

    @extend_schema_field(NeedsReviewSerializer(allow_null=True))
    def get_needs_review(self, node):
        if node.kra.status != "needs_review":
            return None
        return NeedsReviewSerializer(node.kra).data

    def get_may_confirm(self, node) -> bool:
        return node.kra.status == "needs_review" and self.context["may_confirm"](node.kra)

    @extend_schema_field(lazy_serializer("kras.api.cascade.CascadeNodeSerializer")(many=True))
    def get_children(self, node):
        return CascadeNodeSerializer(node.children, many=True, context=self.context).data


class CascadeObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="objective.pk")
    title = serializers.CharField(source="objective.title")
    horizon_years = serializers.IntegerField(source="objective.horizon_years")
    kras = serializers.SerializerMethodField()

    @extend_schema_field(CascadeNodeSerializer(many=True))
    def get_kras(self, item):
        return CascadeNodeSerializer(item.nodes, many=True, context=self.context).data


class CascadeTreeSerializer(serializers.Serializer):
    objectives = CascadeObjectiveSerializer(many=True)
    unaligned = CascadeNodeSerializer(
        many=True, help_text="KRAs that reach no active strategic objective."
    )
    kra_count = serializers.IntegerField()
    needs_review_count = serializers.IntegerField()


def _flag(value: str | None) -> bool:
    return value in ("1", "true", "on")


@documents_tenant_errors
class CascadeView(OrgScopedAPIView):
    """The cascade: objectives → KRAs laddering to them → role KRAs → the people holding each
    role. ``department`` (with the departments below it), ``needs_review`` and ``unaligned``
    keep the matching KRAs, with those above them as context."""

    required_action = Action.VIEW_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter("department", OpenApiTypes.INT, description="A department's id"),
            OpenApiParameter("needs_review", OpenApiTypes.BOOL, description="Only flagged KRAs"),
            OpenApiParameter(
                "unaligned", OpenApiTypes.BOOL, description="Only KRAs reaching no objective"
            ),
        ],
        responses=CascadeTreeSerializer,
    )
    def get(self, request, org_slug):
        params = request.query_params
        department = None
        if params.get("department"):
            try:
                department = scoped(Department, self.org).filter(pk=int(params["department"]))
                department = department.first()
            except ValueError:
                department = None
            if department is None:
                # A filter naming no department of this organisation matches nothing.
                return Response(CascadeTreeSerializer(selectors.CascadeTree()).data)
        tree = selectors.cascade_tree(
            self.org,
            department=department,
            needs_review_only=_flag(params.get("needs_review")),
            unaligned_only=_flag(params.get("unaligned")),
        )
        context = {"may_confirm": confirm_checker(self.membership)}
        return Response(CascadeTreeSerializer(tree, context=context).data)


class ConfirmedKRASerializer(serializers.ModelSerializer):
    class Meta:
        model = KRA
        fields = ["id", "level", "title", "status", "needs_review_reason", "needs_review_since"]


@documents_tenant_errors
class KRAConfirmView(OrgScopedAPIView):
    """Confirm that a KRA flagged for review still holds (whoever may manage the KRA, and
    its named owner)."""

    required_action = Action.VIEW_ROLES
    object_actions = {"POST": may_confirm}

    def tenant_object(self):
        return get_kra_for_member(self.membership, self.kwargs["pk"])

    @extend_schema(request=None, responses=ConfirmedKRASerializer)
    def post(self, request, org_slug, pk):
        kra = kra_confirm_still_holds(kra=self.object, actor=self.membership)
        return Response(ConfirmedKRASerializer(kra).data)
