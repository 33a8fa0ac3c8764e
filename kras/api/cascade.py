"""API for the cascade (the tree, and "still holds" confirmations) and the KRA template
library (browse, preview, apply to a role, save a role as a template, delete one)."""

from __future__ import annotations

from drf_spectacular.helpers import lazy_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from kpis.template_services import template_apply, template_delete, template_save_from_role
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedAPIView
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department
from orgs.policy import Action
from orgs.tenancy import scoped
from roles.models import Role

from .. import library, selectors
from ..access import get_kra_for_member
from ..models import KRA, KRATemplate
from ..services import kra_confirm_still_holds
from ..services.cascade import confirm_checker, may_confirm
from ..template_access import (
    may_delete_template,
    org_templates,
    resolve_template,
    template_summary,
)

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


# --- the template library -------------------------------------------------------------------


class TemplateKPISerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(required=False, default="")
    measure_type = serializers.CharField()
    currency_code = serializers.CharField(required=False, default="")
    unit = serializers.CharField(allow_blank=True)
    direction = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True, required=False, default=None)
    target = serializers.FloatField(allow_null=True, required=False, default=None)
    target_low = serializers.FloatField(allow_null=True, required=False, default=None)
    target_high = serializers.FloatField(allow_null=True, required=False, default=None)
    frequency = serializers.CharField()
    aggregation = serializers.CharField()
    weight = serializers.FloatField()


class TemplateKRASerializer(serializers.Serializer):
    title = serializers.CharField()
    definition = serializers.CharField(required=False, default="")
    area = serializers.CharField(allow_null=True, required=False, default=None)
    theme = serializers.CharField(allow_null=True, required=False, default=None)
    weight = serializers.FloatField()
    kpis = TemplateKPISerializer(many=True)


class TemplateSummarySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="“<family>.<role>” in the library, “org-<id>” for own")
    source = serializers.ChoiceField(choices=["library", "organization"])
    category = serializers.CharField()
    name = serializers.CharField()
    purpose = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    kra_count = serializers.IntegerField()
    kpi_count = serializers.IntegerField()
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    may_delete = serializers.BooleanField()


class TemplateDetailSerializer(TemplateSummarySerializer):
    areas_of_focus = serializers.ListField(child=serializers.CharField())
    kras = TemplateKRASerializer(many=True)


class TemplateSaveSerializer(serializers.Serializer):
    role = OrgPrimaryKeyRelatedField(model=Role, help_text="The role whose KRAs to save")
    name = serializers.CharField(max_length=150)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


@documents_tenant_errors
class TemplateListView(OrgScopedAPIView):
    """The library's role templates and the organisation's own, filtered by ``q`` (title,
    purpose, KRAs, KPIs) and ``source``. POST saves a role's current KRAs and KPIs as a
    new template of the organisation (managers of the role, org admins)."""

    required_action = Action.VIEW_ROLES
    write_action = Action.SAVE_KRA_TEMPLATE
    object_action = Action.SAVE_KRA_TEMPLATE
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    def tenant_object(self):
        """A save acts on the role the body names."""
        if self.request.method != "POST":
            return None
        self.payload = TemplateSaveSerializer(data=self.request.data, context={"org": self.org})
        self.payload.is_valid(raise_exception=True)
        return self.payload.validated_data["role"]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Search text"),
            OpenApiParameter("source", OpenApiTypes.STR, enum=["library", "organization"]),
        ],
        responses=TemplateSummarySerializer(many=True),
    )
    def get(self, request, org_slug):
        query = request.query_params.get("q", "")
        source = request.query_params.get("source", "")
        items = []
        if source in ("", "library"):
            items += library.search(query)
        if source in ("", "organization"):
            items += list(org_templates(self.membership, query=query))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, request, view=self)
        data = [template_summary(self.membership, t) for t in page]
        return paginator.get_paginated_response(TemplateSummarySerializer(data, many=True).data)

    @extend_schema(request=TemplateSaveSerializer, responses={201: TemplateDetailSerializer})
    def post(self, request, org_slug):
        data = self.payload.validated_data
        template = template_save_from_role(
            role=self.object,
            actor=self.membership,
            name=data["name"],
            category=data.get("category", ""),
            description=data.get("description", ""),
        )
        body = template_summary(self.membership, template, detail=True)
        return Response(TemplateDetailSerializer(body).data, status=status.HTTP_201_CREATED)


@documents_tenant_errors
class TemplateDetailView(OrgScopedAPIView):
    """One template with its KRAs and KPIs. DELETE removes one of the organisation's own
    (whoever saved it, or an org admin); library templates cannot be deleted."""

    required_action = Action.VIEW_ROLES
    object_actions = {"DELETE": may_delete_template}

    def tenant_object(self):
        return resolve_template(self.membership, self.kwargs["key"])

    @extend_schema(responses=TemplateDetailSerializer)
    def get(self, request, org_slug, key):
        body = template_summary(self.membership, self.object, detail=True)
        return Response(TemplateDetailSerializer(body).data)

    @extend_schema(responses={204: None})
    def delete(self, request, org_slug, key):
        template_delete(template=self.object, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateApplySerializer(serializers.Serializer):
    role = OrgPrimaryKeyRelatedField(model=Role, help_text="The role to build")
    replace = serializers.BooleanField(
        default=False, help_text="Retire the role's current KRAs first."
    )


class TemplateAppliedSerializer(serializers.Serializer):
    role = serializers.IntegerField()
    kras = serializers.ListField(child=serializers.IntegerField(), help_text="New KRAs' ids")
    kpis = serializers.IntegerField(help_text="How many KPIs were created")
    areas_created = serializers.IntegerField()
    retired = serializers.IntegerField(help_text="How many KRAs “replace” retired")
    purpose_set = serializers.BooleanField()


@documents_tenant_errors
class TemplateApplyView(OrgScopedAPIView):
    """Build a role's KRAs and KPIs from a template (managers of the role, org admins). A
    role that already has KRAs is refused unless ``replace``."""

    required_action = Action.VIEW_ROLES
    write_action = Action.MANAGE_KRA
    object_action = Action.MANAGE_KRA

    def tenant_object(self):
        """The role to build, named in the body (the template is only read)."""
        self.template = resolve_template(self.membership, self.kwargs["key"])
        self.payload = TemplateApplySerializer(data=self.request.data, context={"org": self.org})
        self.payload.is_valid(raise_exception=True)
        return self.payload.validated_data["role"]

    @extend_schema(request=TemplateApplySerializer, responses={201: TemplateAppliedSerializer})
    def post(self, request, org_slug, key):
        role, template = self.object, self.template
        result = template_apply(
            role=role,
            actor=self.membership,
            template_key=None if isinstance(template, KRATemplate) else template.key,
            template=template if isinstance(template, KRATemplate) else None,
            replace=self.payload.validated_data["replace"],
        )
        body = {
            "role": role.pk,
            "kras": [k.pk for k in result.kras],
            "kpis": result.kpis,
            "areas_created": result.areas_created,
            "retired": result.retired,
            "purpose_set": result.purpose_set,
        }
        return Response(TemplateAppliedSerializer(body).data, status=status.HTTP_201_CREATED)
