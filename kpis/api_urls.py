from rest_framework.routers import SimpleRouter

from .api import KPIViewSet

router = SimpleRouter()
router.register("kpis", KPIViewSet, basename="kpi")
urlpatterns = router.urls
