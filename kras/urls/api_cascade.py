"""API routes of the cascade and the KRA template library, under /api/v1/orgs/<org_slug>/."""

from django.urls import path

from ..api.cascade import (
    CascadeView,
    KRAConfirmView,
    TemplateApplyView,
    TemplateDetailView,
    TemplateListView,
)

urlpatterns = [
    path("cascade/", CascadeView.as_view(), name="cascade"),
    path("kras/<int:pk>/confirm/", KRAConfirmView.as_view(), name="kra-confirm"),
    path("kra-templates/", TemplateListView.as_view(), name="kra-template-list"),
    path("kra-templates/<str:key>/", TemplateDetailView.as_view(), name="kra-template-detail"),
    path("kra-templates/<str:key>/apply/", TemplateApplyView.as_view(), name="kra-template-apply"),
]
