from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.policy import Action
from orgs.views.base import form_errors_from, org_view

from .. import selectors, services
from ..access import get_objective_for_member
from ..forms import ObjectiveForm


@org_view()
def objective_list(request, member):
    show_retired = request.GET.get("retired") == "1"
    objectives = selectors.objective_list(org=member.org, include_retired=show_retired)
    return render(
        request,
        "kras/objective_list.html",
        {"objectives": objectives, "show_retired": show_retired},
    )


@org_view(Action.MANAGE_OBJECTIVES)
def objective_create(request, member):
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_create(org=member.org, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Objective added."))
            return redirect("objective-list", org_slug=member.org.slug)
    return render(request, "kras/objective_form.html", {"form": form})


@org_view(Action.MANAGE_OBJECTIVES)
def objective_edit(request, member, pk):
    objective = get_objective_for_member(member, pk)
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(objective=objective, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Objective saved."))
            return redirect("objective-list", org_slug=member.org.slug)
    return render(request, "kras/objective_form.html", {"form": form, "objective": objective})


@require_POST
@org_view(Action.MANAGE_OBJECTIVES)
def objective_retire(request, member, pk):
    objective = get_objective_for_member(member, pk)
    retire = request.POST.get("restore") != "1"
    services.objective_set_status(objective=objective, actor=member, retired=retire)
    messages.success(request, _("Objective retired.") if retire else _("Objective restored."))
    return redirect("objective-list", org_slug=member.org.slug)


@require_POST
@org_view(Action.MANAGE_OBJECTIVES)
def objective_move(request, member, pk):
    objective = get_objective_for_member(member, pk)
    try:
        services.objective_move(
            objective=objective, actor=member, direction=request.POST.get("direction", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        objectives = selectors.objective_list(org=member.org)
        return render(request, "kras/_objective_rows.html", {"objectives": objectives})
    return redirect("objective-list", org_slug=member.org.slug)
