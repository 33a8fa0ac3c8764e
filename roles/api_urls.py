from rest_framework.routers import SimpleRouter

from .api import AreaOfFocusViewSet, ResponsibilityViewSet, RoleAssignmentViewSet, RoleViewSet

router = SimpleRouter()
router.register("roles", RoleViewSet, basename="role")
router.register("areas-of-focus", AreaOfFocusViewSet, basename="area-of-focus")
router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")
router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")
urlpatterns = router.urls
