from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import KPIViewSet
from .measurement_api import MeasurementViewSet
from .report_api import DepartmentReportView, DistributionView, ObjectiveReportView

router = SimpleRouter()
router.register("kpis", KPIViewSet, basename="kpi")
router.register("measurements", MeasurementViewSet, basename="measurement")
urlpatterns = [
    *router.urls,
    path("reports/departments/", DepartmentReportView.as_view(), name="report-departments"),
    path("reports/objectives/", ObjectiveReportView.as_view(), name="report-objectives"),
    path("reports/distribution/", DistributionView.as_view(), name="report-distribution"),
]
