"""Recorded results over the API: list (filtered by KPI, person and period; paginated), record
one, upsert up to 10,000 in one call (all or nothing, every row's errors), confirm, delete.
The same services and messages as the pages (kpis/measurements.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kra_platform.api import KeysetPagination
from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Membership
from orgs.policy import Action

from . import measurements
from .models import KPI, Measurement
from .policy import visible_person_ids


class MeasurementSerializer(serializers.ModelSerializer):
    kpi = OrgPrimaryKeyRelatedField(model=KPI)
    person = OrgPrimaryKeyRelatedField(model=Membership)
    # Read as text: the service says what is wrong with a value (a word, a boolean KPI's 7).
    value = serializers.CharField(max_length=60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "kpi",
            "person",
            "period_start",
            "period_end",
            "value",
            "note",
            "evidence_url",
            "source_ref",
            "status",
            "entered_by",
            "entered_at",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = [
            "period_end",
            "status",
            "entered_by",
            "entered_at",
            "confirmed_by",
            "confirmed_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["value"] = str(instance.value.normalize() + 0)
        return data


class MeasurementFilterSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(required=False, min_value=1)
    person = serializers.IntegerField(required=False, min_value=1)
    period = serializers.DateField(
        required=False, help_text="Only values of the period holding this day"
    )


class BulkSerializer(serializers.Serializer):
    # Rows are checked by the service, all of them at once (a constant number of queries).
    rows = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=measurements.BULK_LIMIT
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's place in ``rows``, from 1")
    errors = serializers.DictField(child=serializers.CharField(), help_text="Messages by field")


class BulkRefusalSerializer(serializers.Serializer):
    """Every refused row (403 when one names a person the caller may not record for), or
    the usual ``detail`` of a refusal."""

    rows = RowErrorSerializer(many=True, required=False)
    detail = serializers.CharField(required=False)


class MeasurementPages(KeysetPagination):
    """Newest period first; a page follows on from the last one's ``next`` link (an
    organisation holds millions of values: no page counts them)."""

    ordering = ("-period_start", "-entered_at", "-id")


@extend_schema_view(list=extend_schema(parameters=[MeasurementFilterSerializer]))
@documents_tenant_errors
class MeasurementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    OrgScopedViewSet,
):
    """Values of KPIs for people. A person reads and records their own; their management
    line and HR read, record and confirm them (docs/DOMAIN.md rule R40)."""

    # No join: the answer names its KPI and person by id. Joined, the planner (which cannot
    # see the organisation's size behind row-level security's settings) joins every value of
    # the organisation before it orders them; alone, a page is read off the index in order.
    queryset = Measurement.objects.order_by(*MeasurementPages.ordering)
    serializer_class = MeasurementSerializer
    pagination_class = MeasurementPages
    required_action = Action.VIEW_RESULTS
    write_action = Action.RECORD_MEASUREMENT
    object_action = Action.RECORD_MEASUREMENT
    object_actions = {"GET": Action.VIEW_RESULTS}

    def scope_queryset(self, queryset):
        visible = visible_person_ids(self.membership)
        if visible is not None:
            queryset = queryset.filter(person_id__in=visible)
        if self.action != "list":
            return queryset
        filters = read_query(self.request, MeasurementFilterSerializer)
        if "kpi" in filters:
            queryset = queryset.filter(kpi_id=filters["kpi"])
        if "person" in filters:
            queryset = queryset.filter(person_id=filters["person"])
        if "period" in filters:
            queryset = queryset.filter(
                period_start__lte=filters["period"], period_end__gte=filters["period"]
            )
        return queryset

    def new_object(self, data):
        return Measurement(org=self.org, kpi=data["kpi"], person=data["person"])

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = measurements.measurement_record(
            kpi=data.pop("kpi"), person=data.pop("person"), actor=self.membership, **data
        )

    def perform_destroy(self, instance):
        measurements.measurement_delete(measurement=instance, actor=self.membership)

    @extend_schema(request=None, responses=MeasurementSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, org_slug=None, pk=None):
        """Confirm a person's own value so that it counts (their management line, HR)."""
        measurement = measurements.measurement_confirm(
            measurement=self.get_object(), actor=self.membership
        )
        return Response(self.get_serializer(measurement).data)

    @extend_schema(
        request=BulkSerializer,
        responses={
            200: BulkResultSerializer,
            400: BulkRefusalSerializer,
            403: BulkRefusalSerializer,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, org_slug=None):
        """Record up to 10,000 values in one call, all or nothing: any bad row refuses the
        call with every row's errors (``rows``: ``row`` counts from 1). A row with a
        ``source_ref`` already sent for its KPI and person updates that value."""
        body = BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = measurements.measurement_bulk_upsert(
                org=self.org, actor=self.membership, rows=body.validated_data["rows"]
            )
        except measurements.MeasurementRowsInvalid as exc:
            return Response(
                {"rows": [{"row": e.row, "errors": e.errors} for e in exc.row_errors]},
                # 403 when the caller may not record for someone a row names.
                status=status.HTTP_403_FORBIDDEN if exc.forbidden else status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {"created": result.created, "updated": result.updated},
            status=status.HTTP_200_OK,
        )
