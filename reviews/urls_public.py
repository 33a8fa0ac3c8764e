"""Pages outside any organisation: the public verification of an agreement."""

from django.urls import path

from .views import verify

urlpatterns = [
    path("verify/<str:token>/", verify.agreement_public_verify, name="agreement-public-verify"),
]
