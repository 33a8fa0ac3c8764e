"""API for members (their place in the org chart, deactivation) and invitations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..models import Department, Invitation, Membership
from ..policy import Action
from ..services.invitations import InvitationStatus, invitation_status
from ..tenancy import scoped
from .base import OrgPrimaryKeyRelatedField, OrgScopedViewSet
from .query import read_query
from .schema import documents_tenant_errors


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    department = OrgPrimaryKeyRelatedField(model=Department, allow_null=True, required=False)
    manager = OrgPrimaryKeyRelatedField(model=Membership, allow_null=True, required=False)

    class Meta:
        model = Membership
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "department",
            "manager",
            "job_title",
            "employee_id",
            "start_date",
            "is_active",
            "deactivated_at",
            "created_at",
        ]
        read_only_fields = ["is_active", "deactivated_at", "created_at"]


class SignInLinksSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="How many links were queued for email.")


class MemberFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Search name, email, job title…"
    )
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Members of one department (its id); an unknown id lists no one",
    )
    inactive = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="1 to include deactivated"
    )


@extend_schema_view(list=extend_schema(parameters=[MemberFilterSerializer]))
@documents_tenant_errors
class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    OrgScopedViewSet,
):
    """Members of the organisation. Every member reads; org admins change and deactivate."""

    queryset = Membership.objects.select_related("user").order_by("user__full_name", "id")
    serializer_class = MemberSerializer
    required_action = Action.VIEW_MEMBERS
    write_action = Action.MANAGE_MEMBERS
    http_method_names = ["get", "patch", "post", "head", "options"]

    def scope_queryset(self, queryset):
        if self.action != "list":
            # A deactivated member can still be read, changed and reactivated.
            return queryset
        filters = read_query(self.request, MemberFilterSerializer)
        department = None
        if filters["department"]:
            department = (
                scoped(Department, self.org).filter(pk=_int_or_none(filters["department"])).first()
            )
            if department is None:
                return queryset.none()
        # Intersect with the selector so the API searches exactly like the People page.
        return queryset & selectors.member_list(
            org=self.org,
            search=filters["q"],
            include_inactive=filters["inactive"] == "1",
            department=department,
        )

    def perform_update(self, serializer):
        serializer.instance = services.membership_update(
            membership=serializer.instance, actor=self.membership, **serializer.validated_data
        )

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, org_slug=None, pk=None):
        membership = services.membership_deactivate(
            membership=self.get_object(), actor=self.membership
        )
        return Response(self.get_serializer(membership).data)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, org_slug=None, pk=None):
        membership = services.membership_reactivate(
            membership=self.get_object(), actor=self.membership
        )
        return Response(self.get_serializer(membership).data)

    @extend_schema(request=None, responses=SignInLinksSerializer)
    @action(detail=True, methods=["post"], url_path="send-sign-in-link")
    def send_sign_in_link(self, request, org_slug=None, pk=None):
        """Email the member a one-time link to choose a password and sign in."""
        sent = services.membership_send_sign_in_links(
            memberships=[self.get_object()], actor=self.membership
        )
        return Response({"sent": sent})

    @extend_schema(request=None, responses=SignInLinksSerializer)
    @action(detail=False, methods=["post"], url_path="send-sign-in-links")
    def send_sign_in_links(self, request, org_slug=None):
        """Email a sign-in link to every active member who has never signed in."""
        sent = services.membership_send_sign_in_links(
            memberships=services.members_without_sign_in(org=self.org), actor=self.membership
        )
        return Response({"sent": sent})


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class InvitationSerializer(serializers.ModelSerializer):
    department = OrgPrimaryKeyRelatedField(model=Department, allow_null=True, required=False)
    manager = OrgPrimaryKeyRelatedField(model=Membership, allow_null=True, required=False)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "job_title",
            "department",
            "manager",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = ["invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]

    @extend_schema_field(serializers.ChoiceField(choices=InvitationStatus.choices))
    def get_status(self, obj) -> str:
        return invitation_status(obj).value


@documents_tenant_errors
class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    OrgScopedViewSet,
):
    """Invitations (org admins). Creating one emails a one-time link; the link itself is
    never returned by the API."""

    queryset = Invitation.objects.all().order_by("-created_at", "-id")
    serializer_class = InvitationSerializer
    required_action = Action.INVITE_MEMBERS

    def perform_create(self, serializer):
        invitation, _raw = services.invitation_create(
            org=self.org, actor=self.membership, **serializer.validated_data
        )
        serializer.instance = invitation

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, org_slug=None, pk=None):
        invitation = services.invitation_revoke(invitation=self.get_object(), actor=self.membership)
        return Response(self.get_serializer(invitation).data)
