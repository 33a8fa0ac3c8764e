"""The page-side twin of the API base class: resolve the member from the URL's org slug,
check the policy, activate the organisation's time zone."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from .. import policy
from ..tenancy import OrganizationSuspended, resolve_membership


def org_view(
    action: policy.Action = policy.Action.VIEW_ORG,
    *,
    fetch: Callable[..., Any] | None = None,
    object_action: policy.Action | policy.ObjectRule | None = None,
    policy_object: Callable[[Any], Any] | None = None,
):
    """Decorate a view ``fn(request, member, **kwargs)`` served under /o/<org_slug>/.

    ``action`` is required of the member. A page that acts on one object names how to fetch
    it: ``fetch(member, **url_kwargs)``, a scoped access helper such as
    ``get_kra_for_member`` (404 for another organisation's). The decorator then requires
    ``object_action`` (by default ``action``; an object rule ``(member, obj) -> bool`` for a
    decision that is not one action) on ``policy_object(obj)`` (by default the object: a
    KPI's KRA, an area's role) and calls the view as ``fn(request, member, obj)``, the URL's
    ids consumed."""
    rule = object_action if object_action is not None else action

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            try:
                member = resolve_membership(request.user, org_slug)
            except OrganizationSuspended as exc:
                return render(
                    request, "orgs/suspended.html", {"suspended_org": exc.org}, status=403
                )
            # Known before the policy check, so a refusal page still shows the navigation.
            request.membership = member
            timezone.activate(member.org.timezone)
            policy.require(member, action)
            if fetch is None:
                return view(request, member, *args, **kwargs)
            obj = fetch(member, *args, **kwargs)
            policy.require(member, rule, policy_object(obj) if policy_object else obj)
            return view(request, member, obj)

        wrapper.org_view = True
        return wrapper

    return decorator


def paginate(request, queryset, per_page: int = 25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def form_errors_from(exc: ValidationError, form) -> None:
    """Show a service's ValidationError on the form that sent the input."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
