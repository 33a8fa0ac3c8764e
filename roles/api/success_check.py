"""The success check of a role: "if every KRA were executed, would the role be a success?",
answered at /roles/<id>/success-check/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from .serializers import RoleSerializer


class SuccessCheckSerializer(serializers.Serializer):
    is_complete = serializers.BooleanField(
        help_text="If every KRA of the role were executed, would the role be a success?"
    )
    missing = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What is missing?"
    )
    unnecessary = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Which KRA is not needed?"
    )


class SuccessCheckActions:
    """The ``success-check`` action of the role endpoint (mixed into ``RoleViewSet``)."""

    @extend_schema(request=SuccessCheckSerializer, responses=RoleSerializer)
    @action(detail=True, methods=["post"], url_path="success-check")
    def success_check(self, request, org_slug=None, pk=None):
        """Answer the success check; the answer is dated and names who gave it."""
        role = self.get_object()
        data = SuccessCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = services.role_success_check_record(
            role=role,
            actor=self.membership,
            is_complete=data.validated_data["is_complete"],
            missing=data.validated_data["missing"],
            unnecessary=data.validated_data["unnecessary"],
        )
        return Response(RoleSerializer(role, context=self.get_serializer_context()).data)
