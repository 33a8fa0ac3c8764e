"""API routes of the cascade, under /api/v1/orgs/<org_slug>/."""

from django.urls import path

from ..api.cascade import CascadeView, KRAConfirmView

urlpatterns = [
    path("cascade/", CascadeView.as_view(), name="cascade"),
    path("kras/<int:pk>/confirm/", KRAConfirmView.as_view(), name="kra-confirm"),
]
