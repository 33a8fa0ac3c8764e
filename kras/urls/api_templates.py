"""API routes of the KRA template library, under /api/v1/orgs/<org_slug>/."""

from django.urls import path

from ..api.templates import TemplateApplyView, TemplateDetailView, TemplateListView

urlpatterns = [
    path("kra-templates/", TemplateListView.as_view(), name="kra-template-list"),
    path("kra-templates/<str:key>/", TemplateDetailView.as_view(), name="kra-template-detail"),
    path("kra-templates/<str:key>/apply/", TemplateApplyView.as_view(), name="kra-template-apply"),
]
