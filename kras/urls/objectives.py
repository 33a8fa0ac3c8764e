"""Strategic objective pages, mounted under /o/<org_slug>/objectives/."""

from django.urls import path

from ..views import objectives as views

urlpatterns = [
    path("", views.objective_list, name="objective-list"),
    path("new/", views.objective_create, name="objective-create"),
    path("<int:pk>/", views.objective_edit, name="objective-edit"),
    path("<int:pk>/retire/", views.objective_retire, name="objective-retire"),
    path("<int:pk>/move/", views.objective_move, name="objective-move"),
]
