"""HR's bulk export of signed agreements over the API: start one, follow it, download the
ZIP (the same service and task as the export page)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from orgs.api.base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from orgs.api.schema import documents_tenant_errors
from orgs.models import Department
from orgs.policy import Action

from ..models import ExportJob, ExportStatus
from ..services.exports import export_start
from ..tasks import job_progress


class ExportJobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    errors = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "department",
            "scope_label",
            "status",
            "total",
            "done",
            "progress",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, obj) -> int:
        return job_progress(obj)["percent"]


class ExportStartSerializer(serializers.Serializer):
    department = OrgPrimaryKeyRelatedField(
        model=Department,
        required=False,
        allow_null=True,
        help_text="Only this department and those below it; the whole organisation without.",
    )


@documents_tenant_errors
class ExportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, OrgScopedViewSet
):
    """Exports of the signed agreements (PDFs in a ZIP with an index CSV): HR and org
    admins only."""

    queryset = ExportJob.objects.select_related("department").order_by("-created_at", "-id")
    serializer_class = ExportJobSerializer
    # Exporting everyone's signed agreements is for the people who acknowledge them.
    required_action = Action.ACKNOWLEDGE_AGREEMENT

    def get_serializer_class(self):
        return ExportStartSerializer if self.action == "create" else ExportJobSerializer

    def new_object(self, data):
        return ExportJob(org=self.org, department=data.get("department"))

    @extend_schema(request=ExportStartSerializer, responses={201: ExportJobSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ExportStartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(
            ExportJobSerializer(serializer.instance).data, status=status.HTTP_201_CREATED
        )

    def perform_create(self, serializer):
        serializer.instance = export_start(
            org=self.org,
            actor=self.membership,
            department=serializer.validated_data.get("department"),
        )

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The ZIP of PDFs with index.csv"
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, org_slug=None, pk=None):
        """The finished export's ZIP."""
        job = self.get_object()
        path = Path(settings.MEDIA_ROOT) / job.file_path if job.file_path else None
        if job.status != ExportStatus.DONE or path is None or not path.is_file():
            raise NotFound(_("This export has no file yet."))
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"agreements-{job.pk}.zip",
            content_type="application/zip",
        )
