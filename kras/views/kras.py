"""KRA pages, mounted under /o/<org_slug>/kras/: a role's KRA panel (edited in place with
htmx), the list of organisation and department KRAs, a KRA's page with its ladder, the KRA
forms, and the organisation's rule settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from kpis.readiness import kpi_smart, kra_checks, readiness_summary, role_readiness
from orgs import policy
from orgs.models import Department
from orgs.org_settings import organization_update_rules, rule_settings
from orgs.policy import Action
from orgs.tenancy import get_department_for_member, scoped
from orgs.views.base import form_errors_from, org_view, paginate
from roles.access import get_role_for_member

from .. import selectors, services
from ..access import get_kra_for_member
from ..forms import KRAForm, KRAInlineForm, KRARetireForm, OrgRulesForm
from ..models import KRA, KRALevel, KRAStatus
from ..rules import weight_total
from ..services.retire import active_children

#: The panel holds the add form and possibly a row's edit form: their field ids must differ.
ADD_FORM_IDS = "id_add_%s"

# --- helpers ----------------------------------------------------------------------------------


def safe_next(request, member) -> str | None:
    """The ``next`` URL of the request when it is one of this organisation's pages."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(f"/o/{member.org.slug}/")
    ):
        return target
    return None


def _page_url(request) -> str:
    """The page the user is on: for an htmx request, the page that embeds the fragment."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return request.get_full_path()


def _after(member, kra: KRA, request) -> str:
    """Where a full-page KRA form returns: where it came from, else the role's KRA page for
    a role KRA, else the KRA's page."""
    target = safe_next(request, member)
    if target:
        return target
    if kra.level == KRALevel.ROLE:
        return reverse("role-kras", kwargs={"org_slug": member.org.slug, "role_pk": kra.role_id})
    return reverse("kra-detail", kwargs={"org_slug": member.org.slug, "pk": kra.pk})


def role_panel_context(request, member, role, **extra) -> dict:
    kras = selectors.role_kras(role)
    checks = role_readiness(role, kras=kras)
    by_kra: dict[int, list[dict]] = {}
    for check in checks:
        if not check["ok"] and check["kra_id"] and not check["kpi_id"]:
            by_kra.setdefault(check["kra_id"], []).append(check)
    rows = [
        {
            "kra": kra,
            "problems": by_kra.get(kra.pk, []),
            "kpis": [{"kpi": kpi, "smart": kpi_smart(kpi)} for kpi in kra.kpis.all()],
        }
        for kra in kras
    ]
    return {
        "role": role,
        "rows": rows,
        "weight_total": weight_total(kras),
        "readiness": readiness_summary(checks),
        "rules": rule_settings(role.org),
        "can_manage": policy.can(member, Action.MANAGE_KRA, role),
        "page_url": _page_url(request),
        "add_form": KRAInlineForm(auto_id=ADD_FORM_IDS),
        **extra,
    }


def render_role_panel(request, member, role, **extra):
    """The role's KRA panel: the fragment for htmx, the page around it otherwise."""
    context = role_panel_context(request, member, role, **extra)
    template = "kras/_kra_panel.html" if request.htmx else "kras/kra_role_page.html"
    return render(request, template, context)


# --- a role's KRA panel -----------------------------------------------------------------------


@org_view(Action.VIEW_ROLES)
def role_kras(request, member, role_pk):
    role = get_role_for_member(member, role_pk)
    return render_role_panel(request, member, role)


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA, fetch=get_kra_for_member)
def kra_inline_edit(request, member, kra):
    """Edit a role KRA's title, weight and definition in place. Answers the whole panel, so
    the weight total and the readiness summary change with it."""
    if kra.level != KRALevel.ROLE:
        raise Http404
    if not request.htmx:
        return redirect("kra-edit", org_slug=member.org.slug, pk=kra.pk)
    form = KRAInlineForm(request.POST or None, kra=kra, auto_id=f"id_kra{kra.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.kra_update(kra=kra, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return render_role_panel(request, member, kra.role)
    return render_role_panel(request, member, kra.role, edit_kra_id=kra.pk, edit_form=form)


# --- organisation and department KRAs ---------------------------------------------------------


@org_view(Action.VIEW_ROLES)
def kra_list(request, member):
    org = member.org
    level = request.GET.get("level", "")
    levels = (level,) if level in KRALevel.values else (KRALevel.ORGANIZATION, KRALevel.DEPARTMENT)
    department = None
    if request.GET.get("department"):
        department = get_department_for_member(member, request.GET["department"])
    status = request.GET.get("status", "")
    if status not in KRAStatus.values:
        status = ""
    kras = selectors.kra_list(org=org, levels=levels, department=department, status=status)
    page = paginate(request, kras, per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    departments = scoped(Department, org)
    return render(
        request,
        "kras/kra_list.html",
        {
            "page": page,
            "query_string": query.urlencode(),
            "level": level,
            "department": department,
            "status": status,
            "levels": KRALevel.choices,
            "statuses": KRAStatus.choices,
            "departments": departments.order_by("name"),
            "can_add_org": policy.can(
                member, Action.MANAGE_KRA, KRA(org=org, level=KRALevel.ORGANIZATION)
            ),
            "can_add": policy.can(member, Action.MANAGE_KRA),
        },
    )


def _creation_target(request, member):
    """The level, role and department a new KRA is for, from the query string."""
    level = request.GET.get("level") or KRALevel.ROLE
    if level not in KRALevel.values:
        raise Http404
    role = department = None
    if level == KRALevel.ROLE:
        if not request.GET.get("role"):
            raise Http404
        role = get_role_for_member(member, request.GET["role"])
    elif level == KRALevel.DEPARTMENT and request.GET.get("department"):
        department = get_department_for_member(member, request.GET["department"])
    return level, role, department


def _manageable_departments(member):
    departments = scoped(Department, member.org).order_by("name")
    if policy.is_admin(member):
        return departments
    return departments.filter(pk__in=policy.headed_department_ids(member))


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA)
def kra_create(request, member):
    """A new KRA: ?level=role&role=<id>, ?level=department[&department=<id>] or
    ?level=organization. From the role panel (htmx) it takes a title and a weight and
    answers the panel."""
    org = member.org
    level, role, department = _creation_target(request, member)
    choose_department = level == KRALevel.DEPARTMENT and department is None
    if not choose_department:
        # A new KRA, so no object to fetch: the policy decides on where it will sit. A
        # department chosen in the form is checked once chosen.
        policy.require(
            member, Action.MANAGE_KRA, KRA(org=org, level=level, role=role, department=department)
        )

    if request.htmx and role is not None:
        form = KRAInlineForm(request.POST or None, auto_id=ADD_FORM_IDS)
        if request.method == "POST" and form.is_valid():
            try:
                services.kra_create(
                    org=org, actor=member, level=level, role=role, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                return render_role_panel(request, member, role)
        return render_role_panel(request, member, role, add_form=form, adding=True)

    form = KRAForm(
        request.POST or None,
        org=org,
        level=level,
        role=role,
        departments=_manageable_departments(member) if choose_department else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("department", None) or department
        policy.require(
            member, Action.MANAGE_KRA, KRA(org=org, level=level, role=role, department=chosen)
        )
        try:
            kra = services.kra_create(
                org=org, actor=member, level=level, role=role, department=chosen, **data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("KRA “%(title)s” added.") % {"title": kra.title})
            return redirect(_after(member, kra, request))
    return render(
        request,
        "kras/kra_form.html",
        {
            "form": form,
            "level": level,
            "level_label": KRALevel(level).label,
            "role": role,
            "department": department,
            "next": safe_next(request, member),
        },
    )


@org_view(Action.VIEW_ROLES)
def kra_detail(request, member, pk):
    kra = get_kra_for_member(member, pk)
    kpis = list(kra.kpis.all())
    for kpi in kpis:
        kpi.kra = kra  # its ladder is already loaded
    return render(
        request,
        "kras/kra_detail.html",
        {
            "kra": kra,
            "ladder": selectors.ladder_up(kra),
            "ladder_ok": selectors.ladder_status(kra),
            "children": selectors.kra_children(kra),
            "kpi_rows": [{"kpi": kpi, "smart": kpi_smart(kpi)} for kpi in kpis],
            "checks": kra_checks(kra),
            "can_manage": policy.can(member, Action.MANAGE_KRA, kra),
            "page_url": request.get_full_path(),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA, fetch=get_kra_for_member)
def kra_edit(request, member, kra):
    form = KRAForm(request.POST or None, org=member.org, level=kra.level, role=kra.role, kra=kra)
    if request.method == "POST" and form.is_valid():
        try:
            services.kra_update(kra=kra, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("KRA saved."))
            return redirect(_after(member, kra, request))
    return render(
        request,
        "kras/kra_form.html",
        {
            "form": form,
            "kra": kra,
            "level": kra.level,
            "level_label": kra.get_level_display(),
            "role": kra.role,
            "department": kra.department,
            "next": safe_next(request, member),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_KRA, fetch=get_kra_for_member)
def kra_retire(request, member, kra):
    """GET asks what becomes of the KRAs below it (when there are any); POST retires."""
    children = active_children(kra)
    form = KRARetireForm(
        request.POST if request.method == "POST" else None, has_children=bool(children)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.kra_retire(kra=kra, actor=member, children=form.cleaned_data.get("children"))
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if request.htmx and kra.level == KRALevel.ROLE:
                return render_role_panel(request, member, kra.role)
            messages.success(request, _("KRA “%(title)s” retired.") % {"title": kra.title})
            target = safe_next(request, member)
            if target:
                return redirect(target)
            if kra.level == KRALevel.ROLE:
                return redirect("role-kras", org_slug=member.org.slug, role_pk=kra.role_id)
            return redirect("kra-list", org_slug=member.org.slug)
    if kra.status == KRAStatus.RETIRED:
        return redirect("kra-detail", org_slug=member.org.slug, pk=kra.pk)
    if request.htmx:
        # The panel's one-click retire met a question (children): ask it on its own page.
        return HttpResponseClientRedirect(
            reverse("kra-retire", kwargs={"org_slug": member.org.slug, "pk": kra.pk})
        )
    return render(
        request,
        "kras/kra_retire.html",
        {
            "kra": kra,
            "children": children,
            "form": form,
            "next": safe_next(request, member),
        },
    )


@require_POST
@org_view(Action.MANAGE_KRA, fetch=get_kra_for_member)
def kra_move(request, member, kra):
    try:
        services.kra_move(kra=kra, actor=member, direction=request.POST.get("direction", ""))
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    if request.htmx and kra.level == KRALevel.ROLE:
        return render_role_panel(request, member, kra.role)
    target = safe_next(request, member)
    if target:
        return redirect(target)
    if kra.level == KRALevel.ROLE:
        return redirect("role-kras", org_slug=member.org.slug, role_pk=kra.role_id)
    return redirect("kra-list", org_slug=member.org.slug)


# --- the organisation's rules -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view(Action.EDIT_ORG_RULES)
def org_rules(request, member):
    current = rule_settings(member.org)
    initial = {**current, "activity_verbs": ", ".join(current["activity_verbs"])}
    form = OrgRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update_rules(org=member.org, actor=member, **form.rule_values())
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Rules saved."))
            return redirect("org-rules", org_slug=member.org.slug)
    return render(request, "kras/kra_rules.html", {"form": form, "rules": current})
