"""KPI pages, mounted under /o/<org_slug>/kpis/."""

from django.urls import path

from . import views

urlpatterns = [
    path("new/<int:kra_pk>/", views.kpi_create, name="kpi-create"),
    path("<int:pk>/", views.kpi_detail, name="kpi-detail"),
    path("<int:pk>/edit/", views.kpi_edit, name="kpi-edit"),
    path("<int:pk>/delete/", views.kpi_delete, name="kpi-delete"),
    path("<int:pk>/move/", views.kpi_move, name="kpi-move"),
]
