"""Agreements over the API: the same services, and the same messages, as the pages.

Everyone in the organisation may call these endpoints; what each member may do to one
agreement is the services' to decide (the person, their management line and HR read it;
the management line and HR draft it; the person, the manager of record and HR sign it in
turn; HR voids it: docs/DOMAIN.md rules R29 to R36). The list holds only the agreements the
caller may read; an agreement they may not read answers 403.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from kras.models import KRA, StrategicObjective
from orgs import policy
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Membership
from orgs.policy import Action
from orgs.tenancy import get_membership_for_member
from roles.models import Role

from .. import selectors, services
from ..diff import version_diff
from ..models import (
    Agreement,
    AgreementComment,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    GrowthGoal,
    Signature,
)
from ..pdf import agreement_pdf
from ..selectors import agreement_delegates, agreements_visible_to
from ..services.amendments import agreements_amend_for_role

# --- serializers ------------------------------------------------------------------------------


class AgreementSerializer(serializers.ModelSerializer):
    employee_name = serializers.CharField(source="employee.user.get_full_name", read_only=True)
    manager_name = serializers.SerializerMethodField()
    role_title = serializers.CharField(source="role.title", read_only=True)
    version = serializers.SerializerMethodField()
    content_hash = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "employee",
            "employee_name",
            "manager",
            "manager_name",
            "role",
            "role_title",
            "period_start",
            "period_end",
            "status",
            "version",
            "content_hash",
            "supersedes",
            "void_reason",
            "created_at",
            "updated_at",
            "status_changed_at",
            "activated_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_manager_name(self, obj) -> str:
        return obj.manager.user.get_full_name() if obj.manager_id else ""

    def get_version(self, obj) -> int | None:
        return obj.current_version.number if obj.current_version_id else None

    def get_content_hash(self, obj) -> str | None:
        return obj.current_version.content_hash if obj.current_version_id else None


class AgreementCreateSerializer(serializers.Serializer):
    employee = OrgPrimaryKeyRelatedField(model=Membership)
    role = OrgPrimaryKeyRelatedField(model=Role)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)


class AgreementKPISerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementKPI
        fields = [
            "id",
            "source",
            "name",
            "description",
            "measure_type",
            "currency_code",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_low",
            "target_high",
            "override_target",
            "override_target_low",
            "override_target_high",
            "override_reason",
            "frequency",
            "aggregation",
            "weight",
            "start_date",
            "due_date",
        ]
        read_only_fields = fields


class AgreementItemSerializer(serializers.ModelSerializer):
    kpis = AgreementKPISerializer(many=True, read_only=True)

    class Meta:
        model = AgreementItem
        fields = [
            "id",
            "source",
            "title",
            "definition",
            "area_of_focus",
            "weight",
            "role_weight",
            "priority",
            "parent",
            "objective",
            "kpis",
        ]
        read_only_fields = fields


class GrowthGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = GrowthGoal
        fields = ["id", "goal", "measurable_target", "due_date", "measured_by"]


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementVersion
        fields = ["number", "content_hash", "created_at"]
        read_only_fields = fields


class VersionDocumentSerializer(VersionSerializer):
    canonical_json = serializers.CharField(read_only=True)
    document = serializers.SerializerMethodField()

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "canonical_json", "document"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_document(self, obj) -> dict:
        return json.loads(obj.canonical_json)


class SignatureSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Signature
        fields = [
            "sequence",
            "version",
            "signer_role",
            "printed_name",
            "job_title",
            "meaning",
            "signed_at",
            "auth_method",
            "content_hash",
            "row_hash",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.user.get_full_name", read_only=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = AgreementComment
        fields = ["id", "kind", "body", "author_name", "version", "created_at"]
        read_only_fields = ["id", "kind", "author_name", "version", "created_at"]

    def get_version(self, obj) -> int | None:
        return obj.version.number if obj.version_id else None


class AgreementDetailSerializer(AgreementSerializer):
    items = AgreementItemSerializer(many=True, read_only=True)
    growth_goals = GrowthGoalSerializer(many=True, read_only=True)
    versions = VersionSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [
            *AgreementSerializer.Meta.fields,
            "items",
            "growth_goals",
            "versions",
            "signatures",
            "comments",
        ]
        read_only_fields = fields


class PersonalKPISerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    measure_type = serializers.CharField(required=False)
    currency_code = serializers.CharField(required=False, allow_blank=True, max_length=3)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=40)
    direction = serializers.CharField(required=False)
    baseline = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    target = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    target_low = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    target_high = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    frequency = serializers.CharField(required=False)
    aggregation = serializers.CharField(required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)


class PersonalKRASerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    definition = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.IntegerField(min_value=1, max_value=5, default=2)
    parent = OrgPrimaryKeyRelatedField(model=KRA, required=False, allow_null=True)
    objective = OrgPrimaryKeyRelatedField(model=StrategicObjective, required=False, allow_null=True)
    kpis = PersonalKPISerializer(many=True, required=False, default=list)


class TargetSerializer(serializers.Serializer):
    target = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    target_low = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    target_high = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    clear = serializers.BooleanField(required=False, default=False)


class GrowthGoalUpdateSerializer(serializers.Serializer):
    goal = serializers.CharField(required=False, max_length=300)
    measurable_target = serializers.CharField(required=False, max_length=300)
    due_date = serializers.DateField(required=False)
    measured_by = serializers.CharField(required=False, max_length=300)


@extend_schema_field({"oneOf": [{"type": "boolean"}, {"type": "string"}]})
class MeaningField(serializers.Field):
    """The ticked statement of meaning: ``true``, or the statement's exact text."""

    def to_internal_value(self, data):
        if data is True or isinstance(data, str):
            return data
        raise serializers.ValidationError(_("Tick the statement to sign."))

    def to_representation(self, value):
        return value


class SignSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    meaning = MeaningField()
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The version number read before signing."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DelegateGrantSerializer(serializers.Serializer):
    delegate = OrgPrimaryKeyRelatedField(model=Membership, help_text="A membership id")


class DelegateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The delegate's membership id")
    name = serializers.CharField(source="display_name")
    job_title = serializers.CharField()


class ChangeRequestSerializer(serializers.Serializer):
    comment = serializers.CharField()


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    version_number = serializers.IntegerField(allow_null=True)
    signature_sequence = serializers.IntegerField(allow_null=True)


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    versions_checked = serializers.IntegerField()
    signatures_checked = serializers.IntegerField()
    findings = FindingSerializer(many=True)


class DiffChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class DiffKPISerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["added", "removed", "changed"])
    changes = DiffChangeSerializer(many=True)


class DiffEntrySerializer(DiffKPISerializer):
    kpis = DiffKPISerializer(many=True)


class DiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    header = DiffChangeSerializer(many=True)
    kras = DiffEntrySerializer(many=True)
    goals = DiffEntrySerializer(many=True)


class DiffQuerySerializer(serializers.Serializer):
    from_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    to_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class AgreementFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AgreementStatus.choices, required=False)
    employee = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    role = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    period = serializers.DateField(
        required=False, help_text="Only agreements whose period covers this date."
    )


# --- the viewset ------------------------------------------------------------------------------

#: Every operation on one agreement needs the caller to be able to read it; what more it
#: needs is the service's to say.
_READERS = {method: Action.VIEW_AGREEMENT for method in ("GET", "POST", "PATCH", "DELETE")}
_PDF = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF")}
_EMPTY = {204: OpenApiResponse(description="Removed")}


class RoleAmendSerializer(serializers.Serializer):
    role = OrgPrimaryKeyRelatedField(model=Role)


class RoleAmendResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField(), help_text="Amendments")
    skipped = serializers.ListField(
        child=serializers.IntegerField(), help_text="Agreements with an amendment under way"
    )


class ShareSerializer(serializers.Serializer):
    department = serializers.SerializerMethodField()
    name = serializers.CharField()
    people = serializers.IntegerField()
    signed = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=4, decimal_places=3, help_text="0 to 1")

    def get_department(self, obj) -> int | None:
        return obj.department.pk if obj.department is not None else None


class UnsignedPersonSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")
    department = serializers.IntegerField(source="department_id", allow_null=True)
    agreement_status = serializers.CharField(
        source="open_status", allow_null=True, help_text="Of the agreement under way, if any"
    )
    waiting_since = serializers.DateTimeField()


class UnsignedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = UnsignedPersonSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    everyone = serializers.BooleanField(help_text="False: the departments the caller heads")
    total = ShareSerializer()
    departments = ShareSerializer(many=True)
    unsigned = UnsignedPageSerializer()

    def to_representation(self, instance):
        # ``unsigned`` is the paginator's answer, already serialized.
        data = super().to_representation({**instance, "unsigned": None})
        data["unsigned"] = instance["unsigned"]
        return data


def _version(agreement: Agreement, number: int) -> AgreementVersion:
    return get_object_or_404(agreement.versions.filter(org_id=agreement.org_id), number=number)


@extend_schema_view(list=extend_schema(parameters=[AgreementFilterSerializer]))
@documents_tenant_errors
class AgreementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrgScopedViewSet,
):
    """KRA agreements: one person, one role, one period (docs/DOMAIN.md rule R29)."""

    queryset = Agreement.objects.select_related(
        "org",
        "employee__user",
        "employee__department",
        "manager__user",
        "role__department",
        "current_version",
    ).order_by("-period_start", "-created_at", "-id")
    serializer_class = AgreementSerializer
    required_action = Action.VIEW_AGREEMENT
    object_actions = _READERS

    def get_serializer_class(self):
        if self.action == "create":
            return AgreementCreateSerializer
        if self.action == "retrieve":
            return AgreementDetailSerializer
        return AgreementSerializer

    def scope_queryset(self, queryset):
        if self.action != "list":
            # One agreement: the object policy answers 403 for one the caller may not read.
            return queryset
        filters = read_query(self.request, AgreementFilterSerializer)
        visible = agreements_visible_to(org=self.org, member=self.membership).values("pk")
        queryset = queryset.filter(pk__in=visible)
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if "employee" in filters:
            queryset = queryset.filter(employee_id=filters["employee"])
        if "role" in filters:
            queryset = queryset.filter(role_id=filters["role"])
        if "period" in filters:
            queryset = queryset.filter(
                period_start__lte=filters["period"], period_end__gte=filters["period"]
            )
        return queryset

    def new_object(self, data):
        return Agreement(org=self.org, employee=data["employee"], role=data["role"])

    def _detail(self, agreement: Agreement, code=status.HTTP_200_OK) -> Response:
        agreement = self._fresh(agreement.pk)
        return Response(
            AgreementDetailSerializer(agreement, context=self.get_serializer_context()).data,
            status=code,
        )

    def _fresh(self, pk) -> Agreement:
        return (
            self.get_queryset()
            .prefetch_related(
                "items__kpis",
                "growth_goals",
                "versions",
                "signatures__version",
                "comments__author__user",
                "comments__version",
            )
            .get(pk=pk)
        )

    @extend_schema(responses={201: AgreementDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AgreementCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self._detail(serializer.instance, status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        serializer.instance = services.agreement_create(
            org=self.org, actor=self.membership, **serializer.validated_data
        )

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    # --- the draft --------------------------------------------------------------------------

    @extend_schema(request=PersonalKRASerializer, responses={201: AgreementDetailSerializer})
    @action(detail=True, methods=["post"], url_path="items")
    def items(self, request, org_slug=None, pk=None):
        """Add a KRA for this person alone, with its KPIs."""
        agreement = self.get_object()
        data = PersonalKRASerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["kpis"] = [dict(row) for row in values.get("kpis", [])]
        services.agreement_add_personal_kra(agreement=agreement, actor=self.membership, **values)
        return self._detail(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=_EMPTY)
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_pk>\d+)")
    def item(self, request, org_slug=None, pk=None, item_pk=None):
        """Remove a personal KRA (a role KRA stays: it is the role's to change)."""
        agreement = self.get_object()
        row = get_object_or_404(agreement.items.filter(org_id=agreement.org_id), pk=item_pk)
        services.agreement_remove_item(item=row, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PersonalKPISerializer, responses={201: AgreementDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item_pk>\d+)/kpis")
    def item_kpis(self, request, org_slug=None, pk=None, item_pk=None):
        """Add a KPI for this person alone under one of the agreement's KRAs."""
        agreement = self.get_object()
        row = get_object_or_404(agreement.items.filter(org_id=agreement.org_id), pk=item_pk)
        data = PersonalKPISerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_add_personal_kpi(item=row, actor=self.membership, **data.validated_data)
        return self._detail(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=_EMPTY)
    @action(detail=True, methods=["delete"], url_path=r"kpis/(?P<kpi_pk>\d+)")
    def kpi(self, request, org_slug=None, pk=None, kpi_pk=None):
        """Remove a personal KPI (a role KPI stays; give it a personal target instead)."""
        agreement = self.get_object()
        row = get_object_or_404(agreement.kpis.filter(org_id=agreement.org_id), pk=kpi_pk)
        services.agreement_remove_item(item=row, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=TargetSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"], url_path=r"kpis/(?P<kpi_pk>\d+)/target")
    def kpi_target(self, request, org_slug=None, pk=None, kpi_pk=None):
        """Another target (or range) for a role KPI, for this person; ``clear`` goes back to
        the role's."""
        agreement = self.get_object()
        row = get_object_or_404(agreement.kpis.filter(org_id=agreement.org_id), pk=kpi_pk)
        data = TargetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_override_kpi_target(
            kpi=row, actor=self.membership, **data.validated_data
        )
        return self._detail(agreement)

    @extend_schema(request=GrowthGoalSerializer, responses={201: GrowthGoalSerializer})
    @action(detail=True, methods=["post"], url_path="growth-goals")
    def growth_goals(self, request, org_slug=None, pk=None):
        """Add a development goal to the person's growth plan."""
        agreement = self.get_object()
        data = GrowthGoalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.growth_goal_add(
            agreement=agreement, actor=self.membership, **data.validated_data
        )
        return Response(GrowthGoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"], request=GrowthGoalUpdateSerializer, responses=GrowthGoalSerializer
    )
    @extend_schema(methods=["DELETE"], request=None, responses=_EMPTY)
    @action(detail=True, methods=["patch", "delete"], url_path=r"growth-goals/(?P<goal_pk>\d+)")
    def growth_goal(self, request, org_slug=None, pk=None, goal_pk=None):
        agreement = self.get_object()
        goal = get_object_or_404(agreement.growth_goals.filter(org_id=agreement.org_id), pk=goal_pk)
        if request.method == "DELETE":
            services.growth_goal_remove(goal=goal, actor=self.membership)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = GrowthGoalUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        # The goal's own text is the field also called "goal": the service takes it as
        # goal_text, beside the row.
        if "goal" in values:
            values["goal_text"] = values.pop("goal")
        goal = services.growth_goal_update(goal=goal, actor=self.membership, **values)
        return Response(GrowthGoalSerializer(goal).data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["post"])
    def comments(self, request, org_slug=None, pk=None):
        """A comment on the current version, by anyone who may read the agreement."""
        agreement = self.get_object()
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.agreement_comment(
            agreement=agreement, actor=self.membership, body=data.validated_data["body"]
        )
        return Response(CommentSerializer(note).data, status=status.HTTP_201_CREATED)

    # --- the steps --------------------------------------------------------------------------

    @extend_schema(request=None, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, org_slug=None, pk=None):
        """Freeze the draft into a version and ask the person to sign it."""
        agreement = self.get_object()
        services.agreement_propose(agreement=agreement, actor=self.membership)
        return self._detail(agreement)

    def _sign(self, request, expected: str, refusal: str) -> Response:
        agreement = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if agreement.status != expected:
            raise ValidationError({"non_field_errors": [refusal]})
        number = data.validated_data.get("version")
        version = _version(agreement, number) if number else None
        services.agreement_sign(
            agreement=agreement,
            signer=self.membership,
            password=data.validated_data["password"],
            meaning=data.validated_data["meaning"],
            # The password check and the login lockout read the Django request.
            request=request._request,
            version=version,
        )
        return self._detail(agreement)

    @extend_schema(request=SignSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, org_slug=None, pk=None):
        """The person signs the proposed version, with their password and the statement of
        meaning. A wrong password signs nothing and counts towards the login lockout."""
        return self._sign(
            request,
            AgreementStatus.PROPOSED,
            _("This agreement does not await the employee's signature."),
        )

    @extend_schema(request=SignSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def countersign(self, request, org_slug=None, pk=None):
        """The manager of record (or their delegate) countersigns the signed version."""
        return self._sign(
            request,
            AgreementStatus.EMPLOYEE_SIGNED,
            _("This agreement does not await the manager's countersignature."),
        )

    @extend_schema(request=SignSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, org_slug=None, pk=None):
        """HR acknowledges the countersigned version; the agreement comes into force."""
        return self._sign(
            request,
            AgreementStatus.AWAITING_HR,
            _("This agreement does not await HR's acknowledgement."),
        )

    @extend_schema(request=ChangeRequestSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, org_slug=None, pk=None):
        """The person asks for changes to the proposed version; it goes back to draft."""
        agreement = self.get_object()
        data = ChangeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_request_changes(
            agreement=agreement, actor=self.membership, comment=data.validated_data["comment"]
        )
        return self._detail(agreement)

    @extend_schema(request=ReasonSerializer, responses=AgreementDetailSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, org_slug=None, pk=None):
        """HR ends an agreement, saying why."""
        agreement = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_void(
            agreement=agreement, actor=self.membership, reason=data.validated_data["reason"]
        )
        return self._detail(agreement)

    @extend_schema(methods=["GET"], responses=DelegateSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=DelegateGrantSerializer, responses=DelegateSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def delegates(self, request, org_slug=None, pk=None):
        """HR's: who may countersign in the manager of record's place (GET), and granting
        that to one more active member (POST, while the countersignature is to come)."""
        agreement = self.get_object()
        if request.method == "POST":
            data = DelegateGrantSerializer(data=request.data, context=self.get_serializer_context())
            data.is_valid(raise_exception=True)
            services.agreement_delegate_signer(
                agreement=agreement, actor=self.membership, delegate=data.validated_data["delegate"]
            )
        else:
            policy.require(self.membership, Action.DELEGATE_SIGNER, agreement)
        rows = agreement_delegates(agreement=agreement)
        return Response(DelegateSerializer(rows, many=True).data)

    @extend_schema(request=None, responses=_EMPTY)
    @action(detail=True, methods=["delete"], url_path=r"delegates/(?P<member_pk>\d+)")
    def revoke_delegate(self, request, org_slug=None, pk=None, member_pk=None):
        """HR takes a delegate's countersignature back."""
        agreement = self.get_object()
        delegate = get_membership_for_member(self.membership, int(member_pk))
        services.agreement_revoke_delegate(
            agreement=agreement, actor=self.membership, delegate=delegate
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={201: AgreementDetailSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, org_slug=None, pk=None):
        """A new draft from the agreement in force, which stays so until it is signed."""
        agreement = self.get_object()
        amendment = services.agreement_amend(agreement=agreement, actor=self.membership)
        return self._detail(amendment, status.HTTP_201_CREATED)

    @extend_schema(request=RoleAmendSerializer, responses={201: RoleAmendResultSerializer})
    @action(detail=False, methods=["post"], url_path="amend-for-role")
    def amend_for_role(self, request, org_slug=None):
        """One amendment for each holder of the role whose agreement is in force and who
        has none under way (docs/DOMAIN.md rule R29); each holder is told."""
        serializer = RoleAmendSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = agreements_amend_for_role(
            role=serializer.validated_data["role"], actor=self.membership
        )
        return Response(
            {
                "created": [a.pk for a in result.created],
                "skipped": [a.pk for a in result.skipped],
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=FiguresSerializer)
    @action(detail=False, methods=["get"])
    def figures(self, request, org_slug=None):
        """The share of people with an agreement in force, for the organisation and per
        department (a manager: the departments they head and below), and who has not signed
        and since when, paginated (``page``, ``page_size``): HR and managers."""
        policy.require(self.membership, Action.MANAGE_AGREEMENT)
        figures = selectors.agreement_figures(org=self.org, member=self.membership)
        people = selectors.people_without_agreement(
            org=self.org,
            department_ids=selectors.figures_department_ids(org=self.org, member=self.membership),
        )
        page = self.paginator.paginate_queryset(people, request, view=self)
        unsigned = self.paginator.get_paginated_response(
            UnsignedPersonSerializer(page, many=True).data
        ).data
        return Response(
            FiguresSerializer(
                {
                    "everyone": figures["everyone"],
                    "total": figures["total"],
                    "departments": figures["departments"],
                    "unsigned": unsigned,
                }
            ).data
        )

    # --- versions, verification, the document -------------------------------------------------

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, org_slug=None, pk=None):
        agreement = self.get_object()
        rows = agreement.versions.filter(org_id=agreement.org_id).order_by("number")
        return Response(VersionSerializer(rows, many=True).data)

    @extend_schema(responses=VersionDocumentSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)")
    def version(self, request, org_slug=None, pk=None, number=None):
        """A version's canonical JSON, exactly as hashed, and the document it holds."""
        agreement = self.get_object()
        return Response(VersionDocumentSerializer(_version(agreement, int(number))).data)

    @extend_schema(parameters=[DiffQuerySerializer], responses=DiffSerializer)
    @action(detail=True, methods=["get"])
    def diff(self, request, org_slug=None, pk=None):
        """What changed from one version to another, field by field."""
        agreement = self.get_object()
        query = read_query(request, DiffQuerySerializer)
        old = _version(agreement, query["from_version"])
        new = _version(agreement, query["to_version"])
        diff = version_diff(old.canonical_json, new.canonical_json)
        return Response(
            DiffSerializer(
                {
                    "from_version": old.number,
                    "to_version": new.number,
                    "header": diff.header,
                    "kras": diff.kras,
                    "goals": diff.goals,
                }
            ).data
        )

    @extend_schema(responses=VerificationSerializer)
    @action(detail=True, methods=["get"])
    def verify(self, request, org_slug=None, pk=None):
        """Recompute every version's hash and the signature chain: valid, or exactly which
        version or signature does not match (docs/DOMAIN.md rule R34)."""
        agreement = self.get_object()
        result = services.agreement_verify(agreement=agreement)
        return Response(
            {
                "valid": result.valid,
                "versions_checked": result.versions_checked,
                "signatures_checked": result.signatures_checked,
                "findings": [
                    {
                        "kind": f.kind,
                        "message": f.message,
                        "version_number": f.version_number,
                        "signature_sequence": f.signature_sequence,
                    }
                    for f in result.findings
                ],
            }
        )

    @extend_schema(responses=_PDF)
    @action(detail=True, methods=["get"])
    def pdf(self, request, org_slug=None, pk=None):
        """The current version as the signed PDF (docs/DOMAIN.md rule R35)."""
        agreement = self.get_object()
        if agreement.current_version_id is None:
            raise NotFound(_("This agreement has not been proposed yet: it has no PDF."))
        response = HttpResponse(agreement_pdf(agreement=agreement), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="agreement-{agreement.pk}.pdf"'
        return response
