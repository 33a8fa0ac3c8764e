"""Verifying an agreement and HR's bulk export of signed agreements, mounted under
/o/<org_slug>/agreements/."""

from django.urls import path

from .views import export, verify

urlpatterns = [
    path("<int:pk>/verify/", verify.agreement_verify, name="agreement-verify"),
    path("export/", export.export_start_page, name="agreement-export"),
    path("export/<int:pk>/", export.export_status, name="agreement-export-status"),
    path("export/<int:pk>/download/", export.export_download, name="agreement-export-download"),
]
