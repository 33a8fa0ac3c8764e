"""API for members (their place in the org chart, deactivation) and invitations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import policy, selectors, services
from ..models import ApiToken, Department, Invitation, Membership
from ..policy import Action
from ..services.invitations import InvitationStatus, invitation_status
from ..services.tokens import api_token_revoke_by_manager
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
    status = serializers.ChoiceField(
        choices=selectors.MEMBER_STATUSES,
        required=False,
        default="active",
        help_text="Who is listed: active (the default), inactive or all. Only org admins and "
        "HR see deactivated members; for anyone else this is always active.",
    )
    inactive = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="1: the same as status=all (older spelling)",
    )


@extend_schema_view(list=extend_schema(parameters=[MemberFilterSerializer]))
@documents_tenant_errors
class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    OrgScopedViewSet,
):
    """Members of the organisation. Every member reads the active ones; org admins and HR
    also read the deactivated ones, and change, deactivate and reactivate members. Only org
    admins change a member's org role."""

    queryset = Membership.objects.select_related("user").order_by("user__full_name", "id")
    serializer_class = MemberSerializer
    required_action = Action.VIEW_MEMBERS
    write_action = Action.MANAGE_MEMBERS
    http_method_names = ["get", "patch", "post", "head", "options"]

    def scope_queryset(self, queryset):
        may_see_inactive = policy.can(self.membership, Action.VIEW_INACTIVE_MEMBERS)
        if self.action != "list":
            # A deactivated member can still be read, changed and reactivated, by those
            # who see them.
            return queryset if may_see_inactive else queryset.filter(is_active=True)
        filters = read_query(self.request, MemberFilterSerializer)
        status = filters["status"]
        if filters["inactive"] == "1" and "status" not in self.request.query_params:
            status = "all"
        if not may_see_inactive:
            status = "active"
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
            status=status,
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
        """Email the member a one-time link to choose a password and sign in. Only for
        accounts the organisation made (an org-chart import): anyone else is refused (400)."""
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


class OrgApiTokenSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(
        source="member_id", read_only=True, allow_null=True, help_text="The owner's member id"
    )
    owner_email = serializers.EmailField(source="user.email", read_only=True)
    owner_name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "member",
            "owner_email",
            "owner_name",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class OrgApiTokenFilterSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        required=False, default=None, allow_null=True, help_text="The tokens of one member"
    )
    status = serializers.ChoiceField(
        choices=["usable", "all"],
        required=False,
        default="usable",
        help_text="usable (the default), or all to include revoked and expired tokens",
    )


@extend_schema_view(list=extend_schema(parameters=[OrgApiTokenFilterSerializer]))
@documents_tenant_errors
class OrgApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """Every member's API tokens in the organisation (org admins and HR), to see who may
    call the API and to revoke a token. The keys themselves are never shown."""

    queryset = ApiToken.objects.all().order_by("-created_at", "-id")
    serializer_class = OrgApiTokenSerializer
    required_action = Action.MANAGE_API_TOKENS

    def scope_queryset(self, queryset):
        show_all = self.action != "list"
        member = None
        if self.action == "list":
            filters = read_query(self.request, OrgApiTokenFilterSerializer)
            show_all = filters["status"] == "all"
            if filters["member"] is not None:
                member = scoped(Membership, self.org).filter(pk=filters["member"]).first()
                if member is None:
                    return queryset.none()
        # The selector scopes to the same organisation and adds each token's member id.
        return selectors.api_tokens(
            org=self.org, user=member.user if member else None, include_revoked=show_all
        )

    @extend_schema(request=None, responses=OrgApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, org_slug=None, pk=None):
        """Revoke the token: scripts using it stop working at once. Recorded in the audit
        trail; revoking twice is harmless."""
        token = api_token_revoke_by_manager(token=self.get_object(), actor=self.membership)
        token.member_id = (
            scoped(Membership, self.org).filter(user_id=token.user_id).values_list("pk", flat=True)
        ).first()
        return Response(self.get_serializer(token).data)
