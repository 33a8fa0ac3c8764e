"""Role pages, mounted under /o/<org_slug>/roles/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.role_list, name="role-list"),
    path("new/", views.role_create, name="role-create"),
    path("<int:pk>/", views.role_detail, name="role-detail"),
    path("<int:pk>/edit/", views.role_edit, name="role-edit"),
    path("<int:pk>/delete/", views.role_delete, name="role-delete"),
    path("<int:pk>/success-check/", views.role_success_check, name="role-success-check"),
    path("<int:pk>/assign/", views.role_assign, name="role-assign"),
    path("<int:pk>/areas/", views.role_areas, name="role-areas"),
    path("<int:pk>/areas/new/", views.area_create, name="area-create"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area-edit"),
    path("areas/<int:pk>/delete/", views.area_delete, name="area-delete"),
    path("areas/<int:pk>/move/", views.area_move, name="area-move"),
    path(
        "areas/<int:pk>/responsibilities/new/",
        views.responsibility_create,
        name="responsibility-create",
    ),
    path("responsibilities/<int:pk>/edit/", views.responsibility_edit, name="responsibility-edit"),
    path(
        "responsibilities/<int:pk>/delete/",
        views.responsibility_delete,
        name="responsibility-delete",
    ),
    path("responsibilities/<int:pk>/move/", views.responsibility_move, name="responsibility-move"),
    path("assignments/<int:pk>/end/", views.role_assignment_end, name="role-assignment-end"),
]
