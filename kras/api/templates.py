"""API for the KRA template library: browse, preview, apply to a role, save a role as a
template, delete one. Applying and saving write KRAs and KPIs, so they are
``kpis.template_library``'s."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from kpis.template_library import template_apply, template_delete, template_save_from_role
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedAPIView
from orgs.api.schema import documents_tenant_errors
from orgs.policy import Action
from roles.models import Role

from .. import library
from ..models import KRATemplate
from ..template_access import (
    may_delete_template,
    org_templates,
    resolve_template,
    template_summary,
)


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
