from rest_framework.routers import SimpleRouter

from .api import KPIViewSet
from .measurement_api import MeasurementViewSet

router = SimpleRouter()
router.register("kpis", KPIViewSet, basename="kpi")
router.register("measurements", MeasurementViewSet, basename="measurement")
urlpatterns = router.urls
