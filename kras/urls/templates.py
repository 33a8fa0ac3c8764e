"""The KRA template library, mounted under /o/<org_slug>/kra-templates/."""

from django.urls import path

from ..views import templates as template_views

urlpatterns = [
    path("", template_views.template_list, name="kra-template-list"),
    path("save/", template_views.template_save, name="kra-template-save"),
    path("<str:key>/", template_views.template_detail, name="kra-template-detail"),
    path("<str:key>/apply/", template_views.template_apply_view, name="kra-template-apply"),
    path("<str:key>/delete/", template_views.template_delete_view, name="kra-template-delete"),
]
