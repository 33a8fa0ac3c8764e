from django.urls import path
from rest_framework.routers import SimpleRouter

from .departments import DepartmentViewSet
from .imports import OrgChartImportView
from .members import InvitationViewSet, MemberViewSet, OrgApiTokenViewSet
from .organization import (
    ApiTokenViewSet,
    AuditEventViewSet,
    NotificationViewSet,
    OrganizationProfileView,
)

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("members", MemberViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register("organization-tokens", OrgApiTokenViewSet, basename="org-api-token")

urlpatterns = [
    path("", OrganizationProfileView.as_view(), name="organization"),
    path("org-chart-import/", OrgChartImportView.as_view(), name="org-chart-import"),
    *router.urls,
]
