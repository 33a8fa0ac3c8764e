from rest_framework import mixins

from ..models import Invitation, Membership
from .base import OrgScopedViewSet


class MemberViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    queryset = Membership.objects.all()


class InvitationViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    queryset = Invitation.objects.all()
