"""Check-in pages (docs/DOMAIN.md rules R71 to R75): a person's check-ins, recording and
editing one (its action rows grow with "Add another action", by htmx or a plain post), its
page, deleting it after a confirmation, marking actions done or open again, and "My actions"
(the open actions the member owns). Views parse and render; the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgs import policy
from orgs.policy import Action
from orgs.tenancy import get_membership_for_member
from orgs.views.base import form_errors_from, org_view, paginate

from .. import selectors_checkins as selectors
from ..access_checkins import get_check_in_action_for_member, get_check_in_for_member
from ..forms_checkins import CheckInForm, action_formset, with_another_row
from ..services import checkins as services

#: Check-ins per page of a person's list.
PER_PAGE = 20


def _person(member, employee_pk):
    return get_membership_for_member(member, employee_pk)


def _owners(person, manager) -> list:
    return [person, *([manager] if manager is not None and manager.pk != person.pk else [])]


def _back(request, default: str) -> str:
    """Where a one-click action returns: the page it was made on, or ``default``."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@org_view(Action.VIEW_CHECK_INS, fetch=_person)
def check_in_list(request, member, person):
    page = paginate(request, selectors.check_ins_of(person=person, viewer=member), PER_PAGE)
    may_record = policy.can(member, Action.RECORD_CHECK_IN, person)
    return render(
        request,
        "reviews/checkins/list.html",
        {
            "person": person,
            "page_obj": page,
            "open_actions": selectors.open_actions_of(person=person) if may_record else [],
            "may_record": may_record,
            "may_update_actions": may_record,
            "today": services.local_today(member.org),
        },
    )


def _form_page(
    request,
    member,
    person,
    *,
    check_in=None,
    form=None,
    formset=None,
    action_errors=(),
    status=200,
):
    manager = check_in.manager if check_in is not None else person.manager
    return render(
        request,
        "reviews/checkins/form.html",
        {
            "person": person,
            "manager": manager,
            "check_in": check_in,
            "form": form,
            "formset": formset,
            "open_actions": selectors.open_actions_of(person=person, exclude_check_in=check_in),
            "may_update_actions": True,
            "no_manager": manager is None,
            "action_errors": action_errors,
            "today": services.local_today(member.org),
        },
        status=status,
    )


def _save(request, member, person, *, check_in, kras, owners, initial=None):
    """Parse the posted form and call the service; the page again with the errors, or with
    another action row when asked."""
    form = CheckInForm(request.POST, kras=kras)
    if "add_action" in request.POST:
        formset = action_formset(with_another_row(request.POST), owners=owners, initial=initial)
        form.is_valid()  # show what was typed, without errors for the untouched fields
        form.errors.clear()
        return _form_page(request, member, person, check_in=check_in, form=form, formset=formset)
    formset = action_formset(request.POST, owners=owners, initial=initial)
    action_errors = []
    if form.is_valid() and formset.is_valid():
        rows = [row for f in formset.forms if (row := f.action_input()) is not None]
        fields = {
            "held_on": form.cleaned_data["held_on"],
            "kras": form.cleaned_data["kras"],
            "wins": form.cleaned_data["wins"],
            "blockers": form.cleaned_data["blockers"],
            "notes": form.cleaned_data["notes"],
            "actions": rows,
        }
        try:
            if check_in is None:
                saved = services.check_in_record(actor=member, employee=person, **fields)
                messages.success(request, _("Check-in recorded."))
            else:
                saved = services.check_in_update(check_in=check_in, actor=member, **fields)
                messages.success(request, _("Check-in saved."))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "actions" in exc.error_dict:
                action_errors = exc.message_dict["actions"]
                exc = ValidationError({k: v for k, v in exc.error_dict.items() if k != "actions"})
            form_errors_from(exc, form)
        else:
            return redirect("check-in-detail", org_slug=member.org.slug, pk=saved.pk)
    return _form_page(
        request,
        member,
        person,
        check_in=check_in,
        form=form,
        formset=formset,
        action_errors=action_errors,
        status=400,
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.RECORD_CHECK_IN, fetch=_person)
def check_in_create(request, member, person):
    kras = selectors.agreed_kras(person=person)
    owners = _owners(person, person.manager)
    if request.method == "POST" and person.manager is not None:
        return _save(request, member, person, check_in=None, kras=kras, owners=owners)
    form = CheckInForm(initial={"held_on": services.local_today(member.org)}, kras=kras)
    return _form_page(request, member, person, form=form, formset=action_formset(owners=owners))


def _action_rows(check_in) -> list[dict]:
    return [
        {
            "id": a.pk,
            "description": a.description,
            "owner": a.owner_id,
            "due_date": a.due_date,
            "remove": False,
        }
        for a in check_in.actions.order_by("id")
    ]


@require_http_methods(["GET", "POST"])
@org_view(Action.VIEW_CHECK_INS, fetch=get_check_in_for_member, object_action=Action.EDIT_CHECK_IN)
def check_in_edit(request, member, check_in):
    person = check_in.employee
    current = {t.agreement_item_id for t in check_in.topics.all() if t.agreement_item_id}
    kras = selectors.agreed_kras(person=person)
    known = {item.pk for item in kras}
    kras += [
        t.agreement_item
        for t in check_in.topics.select_related("agreement_item")
        if t.agreement_item_id and t.agreement_item_id not in known
    ]
    owners = _owners(person, check_in.manager)
    initial = _action_rows(check_in)
    if not services.is_editable(check_in):
        messages.error(
            request,
            _("This check-in was recorded more than %(days)s days ago: its notes stand as written.")
            % {"days": services.EDIT_WINDOW_DAYS},
        )
        return redirect("check-in-detail", org_slug=member.org.slug, pk=check_in.pk)
    if request.method == "POST":
        return _save(
            request, member, person, check_in=check_in, kras=kras, owners=owners, initial=initial
        )
    form = CheckInForm(
        initial={
            "held_on": check_in.held_on,
            "kras": [str(pk) for pk in current],
            "wins": check_in.wins,
            "blockers": check_in.blockers,
            "notes": check_in.notes,
        },
        kras=kras,
    )
    formset = action_formset(owners=owners, initial=initial, extra=1)
    return _form_page(request, member, person, check_in=check_in, form=form, formset=formset)


@org_view(Action.VIEW_CHECK_INS, fetch=get_check_in_for_member)
def check_in_detail(request, member, check_in):
    check_in = selectors.check_in_detail(check_in=check_in)
    person = check_in.employee
    may_edit = policy.can(member, Action.EDIT_CHECK_IN, check_in)
    return render(
        request,
        "reviews/checkins/detail.html",
        {
            "check_in": check_in,
            "person": person,
            "may_edit": may_edit and services.is_editable(check_in),
            "may_delete": may_edit and services.may_delete(check_in, member),
            # A review's delegate reads this check-in, not the person's list (R73).
            "may_list": policy.can(member, Action.VIEW_CHECK_INS, person),
            "edit_deadline": services.edit_deadline(check_in),
            "edit_window_days": services.EDIT_WINDOW_DAYS,
            "may_update_actions": policy.can(member, Action.RECORD_CHECK_IN, person)
            or check_in.manager_id == member.pk,
            "carried": selectors.open_actions_of(person=person, exclude_check_in=check_in)
            if policy.can(member, Action.RECORD_CHECK_IN, person)
            else [],
            "today": services.local_today(member.org),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.VIEW_CHECK_INS, fetch=get_check_in_for_member, object_action=Action.EDIT_CHECK_IN)
def check_in_delete(request, member, check_in):
    list_url = reverse(
        "check-in-list", kwargs={"org_slug": member.org.slug, "employee_pk": check_in.employee_id}
    )
    error = None
    if request.method == "POST":
        try:
            services.check_in_delete(check_in=check_in, actor=member)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Check-in deleted."))
            return redirect(list_url)
    return render(
        request,
        "reviews/checkins/delete.html",
        {
            "check_in": check_in,
            "person": check_in.employee,
            "error": error,
            "may_delete": services.may_delete(check_in, member),
        },
        status=400 if error else 200,
    )


def _set_action(request, member, action, done: bool):
    default = reverse(
        "check-in-detail", kwargs={"org_slug": member.org.slug, "pk": action.check_in_id}
    )
    if done:
        services.check_in_action_done(action=action, actor=member)
        messages.success(request, _("Action marked done: %(a)s") % {"a": action.description})
    else:
        services.check_in_action_reopen(action=action, actor=member)
        messages.success(request, _("Action open again: %(a)s") % {"a": action.description})
    return redirect(_back(request, default))


@require_POST
@org_view(
    Action.VIEW_CHECK_INS,
    fetch=get_check_in_action_for_member,
    object_action=Action.UPDATE_CHECK_IN_ACTION,
)
def check_in_action_done(request, member, action):
    return _set_action(request, member, action, True)


@require_POST
@org_view(
    Action.VIEW_CHECK_INS,
    fetch=get_check_in_action_for_member,
    object_action=Action.UPDATE_CHECK_IN_ACTION,
)
def check_in_action_reopen(request, member, action):
    return _set_action(request, member, action, False)


@org_view(Action.VIEW_CHECK_INS)
def my_actions(request, member):
    page = paginate(request, selectors.actions_owned_by(member=member), PER_PAGE)
    return render(
        request,
        "reviews/checkins/my_actions.html",
        {"page_obj": page, "today": services.local_today(member.org)},
    )
