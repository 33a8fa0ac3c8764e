from rest_framework.routers import SimpleRouter

from ..api.objectives import ObjectiveViewSet

router = SimpleRouter()
router.register("objectives", ObjectiveViewSet, basename="objective")
urlpatterns = router.urls
