from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from kra_platform.api_docs import SwaggerView
from orgs.api.auth import TokenObtainView
from orgs.views.account import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
    invitation_accept,
    org_picker,
)

api_v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("orgs/<slug:org_slug>/", include("orgs.api.urls")),
    path("orgs/<slug:org_slug>/", include("orgs.reminders.api_urls")),
    path("orgs/<slug:org_slug>/", include("kras.urls.api_objectives")),
    path("orgs/<slug:org_slug>/", include("roles.api_urls")),
    path("orgs/<slug:org_slug>/", include("kras.urls.api_kras")),
    path("orgs/<slug:org_slug>/", include("kras.urls.api_cascade")),
    path("orgs/<slug:org_slug>/", include("kras.urls.api_templates")),
    path("orgs/<slug:org_slug>/", include("kpis.api_urls")),
    path("orgs/<slug:org_slug>/", include("reviews.api.urls")),
    path("orgs/<slug:org_slug>/", include("reviews.api.checkins")),
    path("orgs/<slug:org_slug>/", include("reviews.api.cycles")),
    path("orgs/<slug:org_slug>/", include("reviews.api.reviews")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="org-picker", permanent=False)),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Ahead of Django's own: these also revoke API tokens and match emails exactly.
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invite/<str:token>/", invitation_accept, name="invitation-accept"),
    path("", include("reviews.urls_public")),
    path("o/", org_picker, name="org-picker"),
    path("o/<slug:org_slug>/", include("orgs.urls")),
    path("o/<slug:org_slug>/", include("orgs.reminders.urls")),
    path("o/<slug:org_slug>/", include("reviews.urls")),
    path("o/<slug:org_slug>/", include("reviews.urls_checkins")),
    path("o/<slug:org_slug>/reviews/cycles/", include("reviews.urls_cycles")),
    path("o/<slug:org_slug>/reviews/", include("reviews.urls_reviews")),
    path("o/<slug:org_slug>/agreements/", include("reviews.urls_documents")),
    path("o/<slug:org_slug>/objectives/", include("kras.urls.objectives")),
    path("o/<slug:org_slug>/roles/", include("roles.urls")),
    path("o/<slug:org_slug>/kras/", include("kras.urls.kras")),
    path("o/<slug:org_slug>/kpis/", include("kpis.urls")),
    path("o/<slug:org_slug>/", include("kpis.measurement_urls")),
    path("o/<slug:org_slug>/", include("kpis.dashboard_urls")),
    path("o/<slug:org_slug>/cascade/", include("kras.urls.cascade")),
    path("o/<slug:org_slug>/kra-templates/", include("kras.urls.templates")),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# Styled pages inside the layout; the 500 page needs neither the database nor a request.
handler403 = "kra_platform.errors.permission_denied"
handler404 = "kra_platform.errors.page_not_found"
handler500 = "kra_platform.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
