from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..forms import OrganizationProfileForm
from ..policy import Action
from .base import form_errors_from, org_view


@org_view(Action.EDIT_ORG_PROFILE)
def org_settings(request, member):
    org = member.org
    form = OrganizationProfileForm(request.POST or None, request.FILES or None, instance=org)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.organization_update_profile(
                    org=org,
                    actor=member,
                    **{name: form.cleaned_data[name] for name in form.changed_data},
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Organisation profile saved."))
                return redirect("org-settings", org_slug=org.slug)
        # Validation wrote the rejected values on the instance; the page chrome shows stored ones.
        org.refresh_from_db()
    return render(request, "orgs/settings.html", {"form": form})
