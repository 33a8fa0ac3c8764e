from rest_framework.routers import SimpleRouter

from .api import ObjectiveViewSet

router = SimpleRouter()
router.register("objectives", ObjectiveViewSet, basename="objective")
urlpatterns = router.urls
