"""The department and organisation reports over the API, read-only, with the pages' numbers
(kpis/report_selectors.py): achievement by department, by strategic objective, and the
distribution of person scores. HR and org admins read the organisation, a department head
the departments they head and those below (docs/DOMAIN.md rule R40); anyone else 403.
``achievement`` null is "no data", never zero; ``percent`` is the page's figure."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from orgs.api.base import OrgScopedAPIView
from orgs.api.schema import documents_tenant_errors
from orgs.policy import Action

from . import report_selectors
from .policy import report_department_ids


class ReportFigureSerializer(serializers.Serializer):
    achievement = serializers.DecimalField(
        max_digits=12, decimal_places=6, allow_null=True, help_text="1 = the target; null: no data"
    )
    percent = serializers.DecimalField(
        max_digits=12, decimal_places=1, allow_null=True, help_text="As the page shows it"
    )
    status = serializers.CharField(help_text='on_track, at_risk, off_track; "" for no data')
    periods_with_data = serializers.IntegerField()
    periods_expected = serializers.IntegerField()


class ReportMonthFigureSerializer(serializers.Serializer):
    month = serializers.DateField()
    figure = ReportFigureSerializer(allow_null=True)


def _months(months, figures) -> list[dict]:
    return [{"month": m.start, "figure": f} for m, f in zip(months, figures, strict=True)]


class ReportPeopleSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="Active people")
    scored = serializers.IntegerField(help_text="With a year-to-date score")
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    off_track = serializers.IntegerField()
    no_data = serializers.IntegerField()


class ReportConsistencySerializer(serializers.Serializer):
    months = serializers.IntegerField(help_text="Latest complete months considered")
    on_track = serializers.IntegerField()
    no_data = serializers.IntegerField()
    off_track_run = serializers.IntegerField(help_text="Complete months off track, running")
    consistent = serializers.BooleanField()
    persistent_shortfall = serializers.BooleanField()


class DepartmentRowSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk", allow_null=True, default=None)
    name = serializers.CharField()
    depth = serializers.IntegerField()
    people = ReportPeopleSerializer()
    ytd = ReportFigureSerializer(allow_null=True)
    months = serializers.SerializerMethodField()
    consistency = ReportConsistencySerializer()

    @extend_schema_field(ReportMonthFigureSerializer(many=True))
    def get_months(self, row) -> list[dict]:
        months = self.context["months"]
        return ReportMonthFigureSerializer(_months(months, row.months), many=True).data


class DepartmentReportSerializer(serializers.Serializer):
    everyone = serializers.BooleanField(help_text="The whole organisation, or some departments")
    computed_at = serializers.DateTimeField(allow_null=True)
    total = DepartmentRowSerializer()
    departments = DepartmentRowSerializer(many=True, source="rows")


class ObjectiveRowSerializer(serializers.Serializer):
    objective = serializers.IntegerField(source="objective.pk", allow_null=True, default=None)
    name = serializers.CharField()
    ytd = ReportFigureSerializer(allow_null=True)
    scores_with_data = serializers.IntegerField()
    scores = serializers.IntegerField()
    people = serializers.IntegerField()
    months = serializers.SerializerMethodField()

    @extend_schema_field(ReportMonthFigureSerializer(many=True))
    def get_months(self, row) -> list[dict]:
        months = self.context["months"]
        return ReportMonthFigureSerializer(_months(months, row.months), many=True).data


class ObjectiveReportSerializer(serializers.Serializer):
    everyone = serializers.BooleanField()
    computed_at = serializers.DateTimeField(allow_null=True)
    objectives = ObjectiveRowSerializer(many=True, source="rows")
    unaligned = ObjectiveRowSerializer(allow_null=True)


class ReportBandSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    low = serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)
    high = serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)
    people = serializers.IntegerField()


class ReportDistributionSerializer(serializers.Serializer):
    everyone = serializers.BooleanField()
    computed_at = serializers.DateTimeField(allow_null=True)
    people = serializers.IntegerField()
    scored = serializers.IntegerField()
    bands = ReportBandSerializer(many=True)


class _ReportView(OrgScopedAPIView):
    required_action = Action.VIEW_REPORTS

    def scope(self):
        return report_department_ids(self.membership)


@documents_tenant_errors
class DepartmentReportView(_ReportView):
    """Each department's score (its own members'), year to date and per month, its people by
    status, and whether it is consistently on track or falls short month after month."""

    @extend_schema(responses=DepartmentReportSerializer)
    def get(self, request, org_slug):
        report = report_selectors.department_report(self.org, self.scope(), timezone.localdate())
        context = {**self.get_serializer_context(), "months": report.months}
        return Response(DepartmentReportSerializer(report, context=context).data)


@documents_tenant_errors
class ObjectiveReportView(_ReportView):
    """Each active strategic objective's achievement: the mean of the KRA scores that ladder
    up to it, year to date and per month."""

    @extend_schema(responses=ObjectiveReportSerializer)
    def get(self, request, org_slug):
        report = report_selectors.objective_report(self.org, self.scope())
        context = {**self.get_serializer_context(), "months": report.months}
        return Response(ObjectiveReportSerializer(report, context=context).data)


@documents_tenant_errors
class DistributionView(_ReportView):
    """Active people by the status band of their year-to-date score, and those with none."""

    @extend_schema(responses=ReportDistributionSerializer)
    def get(self, request, org_slug):
        report = report_selectors.score_distribution(self.org, self.scope())
        return Response(ReportDistributionSerializer(report).data)
