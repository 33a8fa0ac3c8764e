from rest_framework.routers import SimpleRouter

from .agreements import AgreementViewSet
from .exports import ExportJobViewSet

router = SimpleRouter()
router.register("agreements/exports", ExportJobViewSet, basename="agreement-export")
router.register("agreements", AgreementViewSet, basename="agreement")
urlpatterns = router.urls
