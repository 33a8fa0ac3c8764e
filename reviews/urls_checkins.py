"""Check-in pages, mounted under /o/<org_slug>/."""

from django.urls import path

from .views import checkins as views

urlpatterns = [
    path("members/<int:employee_pk>/check-ins/", views.check_in_list, name="check-in-list"),
    path(
        "members/<int:employee_pk>/check-ins/new/",
        views.check_in_create,
        name="check-in-create",
    ),
    path("check-ins/<int:pk>/", views.check_in_detail, name="check-in-detail"),
    path("check-ins/<int:pk>/edit/", views.check_in_edit, name="check-in-edit"),
    path("check-ins/<int:pk>/delete/", views.check_in_delete, name="check-in-delete"),
    path(
        "check-ins/actions/<int:pk>/done/",
        views.check_in_action_done,
        name="check-in-action-done",
    ),
    path(
        "check-ins/actions/<int:pk>/reopen/",
        views.check_in_action_reopen,
        name="check-in-action-reopen",
    ),
    path("my/actions/", views.my_actions, name="my-actions"),
]
