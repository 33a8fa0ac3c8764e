"""Exchanging an email and password for a personal API token of one organisation.

The password is checked by django.contrib.auth.authenticate with the request, so the
login lockout (django-axes) counts failures here exactly as on the login pages. A correct
password for an organisation the person is not an active member of gets the very answer a
wrong password gets, and is counted as a failure too: otherwise the lockout counter would
tell a guesser which of their guesses was right. A token issued counts as a login
(user_logged_in), so it ends the failure count as a login on the page does.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kra_platform.parsers import JSONParser

from .. import services, tenancy
from ..services.tokens import MAX_TTL_DAYS
from ..tenancy import OrganizationSuspended, resolve_membership
from .base import OrgSuspendedError
from .organization import ApiTokenSerializer

INVALID = _("Invalid credentials or organisation.")


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    organization = serializers.SlugField(help_text="The organisation's slug.")
    name = serializers.CharField(max_length=100, help_text="What will use the token.")
    ttl_days = serializers.IntegerField(min_value=1, max_value=MAX_TTL_DAYS, default=90)


class IssuedTokenSerializer(ApiTokenSerializer):
    organization = serializers.CharField(source="org.slug", read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "organization"]


class TokenObtainView(APIView):
    """Create a personal API token for one organisation from an email and password.

    The key is in the answer once; send it as ``Authorization: Bearer <key>``. Repeated
    failures lock the email out from the caller's address for a while (429)."""

    # No session or token authentication: this is where credentials come in, and without
    # SessionAuthentication there is no CSRF exemption to worry about either. JSON only, so
    # a cross-site HTML form cannot post here.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenObtainSerializer,
        responses={
            201: IssuedTokenSerializer,
            400: OpenApiResponse(
                inline_serializer("AuthTokenError", {"detail": serializers.CharField()}),
                description="Invalid input, or the email, password and organisation do not "
                "match an active member (one answer for all of these).",
            ),
            403: OpenApiResponse(description="The organisation is suspended."),
            429: OpenApiResponse(description="Locked out after repeated failures."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Axes flags a lockout on the Django request, which its middleware answers.
        django_request = request._request
        user = authenticate(django_request, username=data["email"], password=data["password"])
        if user is None:
            return self._invalid()
        # No organisation is in the URL, so the request middleware could set neither the user
        # nor the tenant for row-level security: this person's memberships become visible
        # now, and their organisation's rows once the membership is established.
        tenancy.act_as_user(user.pk)
        try:
            member = resolve_membership(user, data["organization"])
        except Http404:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": data["email"]},
                request=django_request,
            )
            return self._invalid()
        except OrganizationSuspended as exc:
            raise OrgSuspendedError(
                f"{exc.org.name} is suspended. Contact the platform administrator."
            )
        token, raw = services.api_token_create(
            member=member, name=data["name"], ttl_days=data["ttl_days"]
        )
        token.raw_key = raw
        # A password login like any other: it records last_login and, as on the login page,
        # clears this email's failures from this address.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response(IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _invalid() -> Response:
        return Response({"detail": INVALID}, status=status.HTTP_400_BAD_REQUEST)
