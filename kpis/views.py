"""KPI pages, mounted under /o/<org_slug>/kpis/. Changes made from a role's KRA panel
(htmx) answer the panel, so its totals and readiness follow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kras.access import get_kra_for_member
from kras.models import KRALevel
from kras.selectors import ladder_status
from kras.views.kras import render_role_panel, safe_next
from orgs import policy
from orgs.org_settings import rule_settings
from orgs.policy import Action
from orgs.views.base import form_errors_from, org_view

from . import services
from .access import get_kpi_for_member
from .forms import KPIForm
from .readiness import kpi_smart
from .selectors import achievement_formula


def _back(request, member, kra):
    target = safe_next(request, member)
    if target:
        return redirect(target)
    return redirect("kra-detail", org_slug=member.org.slug, pk=kra.pk)


def _kra_of(kpi):
    # A KPI is managed with its KRA.
    return kpi.kra


def _panel_or_back(request, member, kra):
    if request.htmx and kra.level == KRALevel.ROLE:
        return render_role_panel(request, member, kra.role)
    return _back(request, member, kra)


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA, fetch=lambda member, kra_pk: get_kra_for_member(member, kra_pk))
def kpi_create(request, member, kra):
    form = KPIForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kpi = services.kpi_create(kra=kra, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("KPI “%(name)s” added.") % {"name": kpi.name})
            return _back(request, member, kra)
    return render(
        request,
        "kpis/kpi_form.html",
        {"form": form, "kra": kra, "next": safe_next(request, member)},
    )


@org_view(Action.VIEW_ROLES)
def kpi_detail(request, member, pk):
    kpi = get_kpi_for_member(member, pk)
    rules = rule_settings(member.org)
    return render(
        request,
        "kpis/kpi_detail.html",
        {
            "kpi": kpi,
            "kra": kpi.kra,
            "smart": kpi_smart(kpi),
            "formula": achievement_formula(kpi, cap=rules["overachievement_cap"]),
            "ladder_ok": ladder_status(kpi.kra),
            "can_manage": policy.can(member, Action.MANAGE_KRA, kpi.kra),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA, fetch=get_kpi_for_member, policy_object=_kra_of)
def kpi_edit(request, member, kpi):
    form = KPIForm(request.POST or None, instance=kpi)
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_update(kpi=kpi, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("KPI saved."))
            target = safe_next(request, member)
            if target:
                return redirect(target)
            return redirect("kpi-detail", org_slug=member.org.slug, pk=kpi.pk)
    return render(
        request,
        "kpis/kpi_form.html",
        {"form": form, "kra": kpi.kra, "kpi": kpi, "next": safe_next(request, member)},
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA, fetch=get_kpi_for_member, policy_object=_kra_of)
def kpi_delete(request, member, kpi):
    """GET asks for confirmation; POST deletes."""
    kra = kpi.kra
    if request.method == "POST":
        services.kpi_delete(kpi=kpi, actor=member)
        if not request.htmx:
            messages.success(request, _("KPI “%(name)s” deleted.") % {"name": kpi.name})
        return _panel_or_back(request, member, kra)
    return render(
        request,
        "kpis/kpi_confirm_delete.html",
        {"kpi": kpi, "kra": kra, "next": safe_next(request, member)},
    )


@require_POST
@org_view(Action.MANAGE_KRA, fetch=get_kpi_for_member, policy_object=_kra_of)
def kpi_move(request, member, kpi):
    try:
        services.kpi_move(kpi=kpi, actor=member, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    return _panel_or_back(request, member, kpi.kra)
