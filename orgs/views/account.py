"""Pages that belong to the person rather than to one organisation's data: the organisation
picker, accepting an invitation, personal API tokens, and changing or resetting the
password (Django's pages, plus what a new password means for API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import selectors, services, tenancy
from ..emails import normalize_email
from ..forms import ApiTokenForm, InvitationAcceptForm
from ..models import ApiToken
from ..services.invitations import invitation_for_token
from ..services.tokens import api_tokens_revoke_all_of_user
from ..tenancy import get_api_token_for_member, scoped
from .base import form_errors_from, org_view


@login_required
def org_picker(request):
    memberships = list(selectors.memberships_of_user(user=request.user))
    active = [m for m in memberships if not m.org.is_suspended]
    if len(memberships) == 1 and active and request.GET.get("stay") is None:
        return redirect("org-home", org_slug=active[0].org.slug)
    return render(request, "orgs/picker.html", {"memberships": memberships})


def invitation_accept(request, token: str):
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "orgs/invitation_invalid.html", status=404)
    # Row-level security shows an account to a look-up by its exact email only.
    tenancy.look_up_account(invitation.email)
    existing = selectors.account_exists(email=invitation.email)
    form = InvitationAcceptForm(
        request.POST or None,
        existing_account=existing,
        initial={"full_name": invitation.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                raw_token=token,
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.org.name})
            return redirect("org-home", org_slug=membership.org.slug)
    return render(
        request,
        "orgs/invitation_accept.html",
        {"form": form, "invitation": invitation, "existing_account": existing},
    )


@org_view()
def api_token_list(request, member):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.api_token_create(
                member=member,
                name=form.cleaned_data["name"],
                ttl_days=form.cleaned_data["ttl_days"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            form = ApiTokenForm()
    tokens = scoped(ApiToken, member.org).filter(user=member.user)
    return render(
        request, "orgs/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@require_POST
@org_view()
def api_token_revoke(request, member, pk):
    token = get_api_token_for_member(member, pk)
    services.api_token_revoke(token=token, actor=member)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api-token-list", org_slug=member.org.slug)


# --- password change and reset -------------------------------------------------------------


def _tokens_revoked_message(request, count: int) -> None:
    if count:
        messages.info(
            request,
            ngettext(
                "Your API token was revoked with the old password; create a new one where "
                "you need it.",
                "Your %(count)d API tokens were revoked with the old password; create new "
                "ones where you need them.",
                count,
            )
            % {"count": count},
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; a new password also revokes every API token (other sessions end
    through Django's session auth hash)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        count = api_tokens_revoke_all_of_user(user=form.user, reason="password changed")
        _tokens_revoked_message(self.request, count)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page (also where a sign-in link lands); setting the password revokes every
    API token, as a change does."""

    def get_user(self, uidb64):
        # The link names its account; row-level security shows it only to the transaction's
        # user, so the account is read as that user, and the token check follows.
        from django.utils.encoding import force_str
        from django.utils.http import urlsafe_base64_decode

        try:
            tenancy.act_as_user(int(force_str(urlsafe_base64_decode(uidb64))))
        except (TypeError, ValueError, OverflowError):
            return None
        return super().get_user(uidb64)

    def form_valid(self, form):
        response = super().form_valid(form)
        api_tokens_revoke_all_of_user(user=form.user, reason="password reset")
        return response


class EmailPasswordResetForm(PasswordResetForm):
    """Finds the account by the normal form of the email, exactly (orgs/emails.py), rather
    than with the database's case-insensitive comparison."""

    def get_users(self, email):
        # Row-level security shows an account to a look-up by its exact email only.
        tenancy.look_up_account(normalize_email(email))
        users = selectors.active_accounts_with_email(email=email)
        return (user for user in users if user.has_usable_password())


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
