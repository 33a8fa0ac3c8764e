"""Pages for recording results, mounted under /o/<org_slug>/."""

from django.urls import path

from . import measurement_views as views

urlpatterns = [
    path("my/kpis/", views.my_kpis, name="my-kpis"),
    path("kpis/<int:pk>/measure/", views.kpi_measure, name="kpi-measure"),
    path("kpis/results/import/", views.measurement_import, name="measurement-import"),
    path(
        "kpis/results/import/result/",
        views.measurement_import_result,
        name="measurement-import-result",
    ),
]
