"""The reminders' API: the log (HR and admins), the stage settings (every member reads,
org admins change) and one's own mute. The same services and messages as the pages."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.response import Response

from orgs.api.base import OrgScopedAPIView, OrgScopedViewSet
from orgs.api.query import read_query
from orgs.api.schema import documents_tenant_errors
from orgs.models import Reminder
from orgs.org_settings import organization_update_rules, rule_settings
from orgs.policy import Action

from . import registry, selectors
from .org_settings import DAYS_HIGHEST
from .services import reminders_set_muted


class ReminderPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField(source="user.email")


class ReminderSerializer(serializers.ModelSerializer):
    recipient = ReminderPersonSerializer(read_only=True)
    person = ReminderPersonSerializer(read_only=True)
    kind_label = serializers.SerializerMethodField()
    emailed_at = serializers.DateTimeField(
        source="notification.emailed_at", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "kind_label",
            "object_key",
            "stage",
            "deadline",
            "recipient",
            "person",
            "subject",
            "url",
            "muted",
            "created_at",
            "sent_at",
            "emailed_at",
        ]

    def get_kind_label(self, obj) -> str:
        return registry.labels().get(obj.kind, obj.kind)


class ReminderFilterSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    person = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="a membership id"
    )
    since = serializers.DateField(required=False, allow_null=True, default=None)
    until = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if data["since"] and data["until"] and data["since"] > data["until"]:
            raise serializers.ValidationError({"until": "Choose a day on or after “since”."})
        return data


@extend_schema_view(list=extend_schema(parameters=[ReminderFilterSerializer]))
@documents_tenant_errors
class ReminderViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    """The reminder log: who was reminded of what, at which stage, and when (HR and org
    admins). Filter with ?kind=…&person=<membership id>&since=…&until=… (claimed on those
    days, inclusive)."""

    queryset = Reminder.objects.order_by("-created_at", "-id")
    serializer_class = ReminderSerializer
    required_action = Action.VIEW_REMINDER_LOG

    def scope_queryset(self, queryset):
        filters = read_query(self.request, ReminderFilterSerializer)
        queryset = queryset.select_related("recipient__user", "person__user", "notification")
        if filters["kind"]:
            queryset = queryset.filter(kind=filters["kind"])
        if filters["person"] is not None:
            queryset = queryset.filter(
                Q(person_id=filters["person"]) | Q(recipient_id=filters["person"])
            )
        if filters["since"]:
            queryset = queryset.filter(created_at__date__gte=filters["since"])
        if filters["until"]:
            queryset = queryset.filter(created_at__date__lte=filters["until"])
        return queryset


def _days(lowest: int = 0):
    return serializers.IntegerField(min_value=lowest, max_value=DAYS_HIGHEST, required=False)


class ReminderSettingsSerializer(serializers.Serializer):
    """The stage settings (docs/DOMAIN.md rule R45) and each kind's deadline."""

    reminder_days_before = _days()
    reminder_days_after = _days(1)
    reminder_escalate_manager_days = _days(1)
    reminder_escalate_hr_days = _days(1)
    reminder_hour = serializers.IntegerField(min_value=0, max_value=23, required=False)
    agreement_signature_days = _days(1)
    kpi_value_grace_days = _days()
    kra_review_days = _days(1)


@documents_tenant_errors
class ReminderSettingsView(OrgScopedAPIView):
    """When reminders come. Every member reads them; org admins change them (PATCH any
    subset; the stages must stay in order)."""

    required_action = Action.VIEW_ORG
    write_action = Action.EDIT_ORG_RULES

    @extend_schema(responses=ReminderSettingsSerializer)
    def get(self, request, org_slug=None):
        return Response(ReminderSettingsSerializer(rule_settings(self.org)).data)

    @extend_schema(request=ReminderSettingsSerializer, responses=ReminderSettingsSerializer)
    def patch(self, request, org_slug=None):
        data = ReminderSettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rules = organization_update_rules(
            org=self.org, actor=self.membership, **data.validated_data
        )
        return Response(ReminderSettingsSerializer(rules).data)


class ReminderMuteSerializer(serializers.Serializer):
    muted = serializers.BooleanField(
        help_text="no reminders of one's own deadlines; escalations still come"
    )


@documents_tenant_errors
class MyReminderMuteView(OrgScopedAPIView):
    """The caller's own reminders: muted or not (docs/DOMAIN.md rule R46)."""

    required_action = Action.VIEW_ORG

    @extend_schema(responses=ReminderMuteSerializer)
    def get(self, request, org_slug=None):
        return Response({"muted": selectors.is_muted(self.membership)})

    @extend_schema(request=ReminderMuteSerializer, responses=ReminderMuteSerializer)
    def put(self, request, org_slug=None):
        data = ReminderMuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        muted = reminders_set_muted(member=self.membership, muted=data.validated_data["muted"])
        return Response({"muted": muted})
