"""Org-chart import over the API: the same service as the page, with a dry run."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from .. import imports
from ..policy import Action
from .base import OrgScopedAPIView
from .schema import documents_tenant_errors


class OrgChartImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The org chart as a UTF-8 CSV file."))
    dry_run = serializers.BooleanField(
        default=False, help_text=_("Validate and preview only; write nothing.")
    )

    def validate_file(self, upload):
        if upload.size > imports.MAX_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class OrgChartPreviewRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="number")
    email = serializers.CharField()
    full_name = serializers.CharField()
    employee_id = serializers.CharField()
    department = serializers.CharField()
    job_title = serializers.CharField()
    manager_email = serializers.CharField()
    status = serializers.ChoiceField(choices=["new", "changed", "unchanged", "invalid"])
    changed_fields = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())


class OrgChartPreviewCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField()


class OrgChartPreviewSerializer(serializers.Serializer):
    valid = serializers.BooleanField(source="is_valid")
    errors = serializers.ListField(
        source="messages",
        child=serializers.CharField(),
        help_text=_("Every problem, file-level first, then one “Row N: …” per row error."),
    )
    file_errors = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.CharField())
    counts = OrgChartPreviewCountsSerializer()
    new_departments = serializers.ListField(child=serializers.CharField())
    rows = OrgChartPreviewRowSerializer(many=True)


class OrgChartImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(
        help_text=_(
            "People added or invited (someone who already has an account is invited: they "
            "join once they accept)."
        )
    )
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    departments_created = serializers.IntegerField()


@documents_tenant_errors
class OrgChartImportView(OrgScopedAPIView):
    """Import the organisation's chart from a CSV file (org admins).

    With ``dry_run`` the file is validated and previewed row by row and nothing is written.
    Without it, a valid file is applied in one transaction; a file with any invalid row is
    refused whole with the same preview (400). Importing the same file twice changes nothing.
    """

    required_action = Action.IMPORT_ORG_CHART
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": OrgChartImportSerializer},
        responses={
            200: OpenApiResponse(
                description=_("The preview (dry run) or the import's counts."),
                response=PolymorphicProxySerializer(
                    component_name="OrgChartImportOutcome",
                    serializers=[OrgChartPreviewSerializer, OrgChartImportResultSerializer],
                    resource_type_field_name=None,
                ),
            ),
            400: OpenApiResponse(
                description=_("The file is invalid: every row with its errors."),
                response=OrgChartPreviewSerializer,
            ),
        },
    )
    def post(self, request, org_slug=None):
        data = OrgChartImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        content = b"".join(data.validated_data["file"].chunks())
        preview = imports.org_chart_preview(org=self.org, file_bytes=content)
        if not preview.is_valid:
            return Response(
                OrgChartPreviewSerializer(preview).data, status=status.HTTP_400_BAD_REQUEST
            )
        if data.validated_data["dry_run"]:
            return Response(OrgChartPreviewSerializer(preview).data)
        try:
            result = imports.org_chart_import(
                org=self.org, actor=self.membership, file_bytes=content
            )
        except ValidationError:
            # Someone changed the organisation between the check above and the import.
            preview = imports.org_chart_preview(org=self.org, file_bytes=content)
            return Response(
                OrgChartPreviewSerializer(preview).data, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(OrgChartImportResultSerializer(result).data)
