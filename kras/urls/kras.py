"""KRA pages, mounted under /o/<org_slug>/kras/."""

from django.urls import path

from ..views import kras as kra_views

urlpatterns = [
    path("", kra_views.kra_list, name="kra-list"),
    path("new/", kra_views.kra_create, name="kra-create"),
    path("rules/", kra_views.org_rules, name="org-rules"),
    path("role/<int:role_pk>/", kra_views.role_kras, name="role-kras"),
    path("<int:pk>/", kra_views.kra_detail, name="kra-detail"),
    path("<int:pk>/edit/", kra_views.kra_edit, name="kra-edit"),
    path("<int:pk>/inline/", kra_views.kra_inline_edit, name="kra-inline-edit"),
    path("<int:pk>/retire/", kra_views.kra_retire, name="kra-retire"),
    path("<int:pk>/move/", kra_views.kra_move, name="kra-move"),
]
