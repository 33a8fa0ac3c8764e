"""The product's URLs plus one that fails, for the 500 page's tests."""

from django.urls import path

from kra_platform.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def _fails(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [*urlpatterns, path("fails/", _fails)]
