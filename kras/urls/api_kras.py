from django.urls import path
from rest_framework.routers import SimpleRouter

from ..api.kras import KRAViewSet, OrgRulesView, RoleReadinessView

router = SimpleRouter()
router.register("kras", KRAViewSet, basename="kra")

urlpatterns = [
    path("roles/<int:role_pk>/readiness/", RoleReadinessView.as_view(), name="role-readiness"),
    path("rules/", OrgRulesView.as_view(), name="org-rules"),
    *router.urls,
]
