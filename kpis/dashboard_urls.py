"""The results dashboards, mounted under /o/<org_slug>/."""

from django.urls import path

from . import dashboard_views as views
from . import report_views

urlpatterns = [
    path("people/<int:pk>/results/", views.person_dashboard, name="person-results"),
    path(
        "people/<int:pk>/results/breakdown/",
        views.person_breakdown,
        name="person-results-breakdown",
    ),
    path("my/team/results/", views.team_dashboard, name="team-results"),
    path("reports/departments/", report_views.department_report, name="report-departments"),
    path("reports/objectives/", report_views.objective_report, name="report-objectives"),
    path(
        "reports/distribution/",
        report_views.distribution_report,
        name="report-distribution",
    ),
]
