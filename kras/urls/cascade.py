"""The cascade explorer, mounted under /o/<org_slug>/cascade/."""

from django.urls import path

from ..views import cascade as cascade_views

urlpatterns = [
    path("", cascade_views.cascade, name="cascade"),
    path("kras/<int:pk>/below/", cascade_views.cascade_below, name="cascade-below"),
    path("kras/<int:pk>/confirm/", cascade_views.kra_confirm, name="cascade-kra-confirm"),
]
