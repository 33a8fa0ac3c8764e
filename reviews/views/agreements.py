"""An agreement's page and what people do on it: the manager drafts (personal KRAs,
personal targets, the growth plan) and proposes; the person comments, asks for changes or
signs; the manager countersigns; HR acknowledges or voids; an agreement in force is
amended. Each form posts here and comes back to the page (htmx swaps the part it changed);
a refusal comes back as the form's errors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgs import policy
from orgs.policy import Action
from orgs.tenancy import get_membership_for_member
from orgs.views.base import form_errors_from, org_view

from .. import selectors, services
from ..access import (
    get_agreement_for_member,
    get_agreement_item_for_member,
    get_agreement_kpi_for_member,
    get_growth_goal_for_member,
)
from ..forms import (
    ChangeRequestForm,
    CommentForm,
    DelegateForm,
    GrowthGoalForm,
    KPITargetForm,
    PersonalKRAForm,
    SignForm,
    VoidForm,
)
from ..models import ENDED_STATUSES, AgreementStatus, SignerRole
from ..services.signing import DELEGABLE_STATUSES, expected_signer_role, statement_for
from .content import draft_content, frozen_content, version_document

_of_agreement = {"policy_object": lambda row: row.agreement}


def _signer_role(member, agreement) -> str | None:
    """As what ``member`` may sign the agreement now, or None."""
    try:
        return expected_signer_role(agreement, member)
    except (PermissionDenied, ValidationError):
        return None


def detail_context(request, member, agreement, **forms) -> dict:
    org = member.org
    is_draft = agreement.status == AgreementStatus.DRAFT
    may_manage = policy.can(member, Action.MANAGE_AGREEMENT, agreement)
    may_edit = is_draft and may_manage
    document = version_document(agreement.current_version)
    if is_draft:
        content = draft_content(agreement)
    else:
        content = frozen_content(document)
    checks = []
    if may_edit:
        checks = [c for c in services.agreement_checks(agreement) if not c["ok"]]
    signer_role = _signer_role(member, agreement)
    sign_form = forms.pop("sign_form", None)
    if signer_role and sign_form is None:
        sign_form = SignForm(
            statement=statement_for(org, signer_role),
            initial={"version": agreement.current_version.number},
        )
    ended = agreement.status in ENDED_STATUSES
    is_person = member.pk == agreement.employee_id
    versions = selectors.agreement_versions(agreement=agreement)
    context = {
        "agreement": agreement,
        "is_draft": is_draft,
        "content": content,
        "frozen": not is_draft,
        "goals": selectors.agreement_growth_plan(agreement=agreement),
        "comments": selectors.agreement_comments(agreement=agreement),
        "timeline": selectors.agreement_timeline(agreement=agreement),
        "signatures": selectors.agreement_signatures(agreement=agreement),
        "versions": versions,
        "may_edit": may_edit,
        "may_amend": may_manage and agreement.status == AgreementStatus.ACTIVE,
        "role_changes": selectors.role_changes(org=org, agreements=[agreement]).get(agreement.pk),
        "may_void": not ended and policy.can(member, Action.VOID_AGREEMENT, agreement),
        **_delegation(member, agreement, forms.pop("delegate_form", None)),
        "may_comment": not ended,
        "may_request_changes": is_person and agreement.status == AgreementStatus.PROPOSED,
        "signer_role": signer_role,
        "signer_role_label": SignerRole(signer_role).label if signer_role else "",
        "checks": checks,
        "blocking": [c for c in checks if c.get("severity") == "blocking"] if checks else [],
        "kra_form": None,
        "goal_form": None,
        "comment_form": forms.pop("comment_form", None) or CommentForm(),
        "change_form": forms.pop("change_form", None) or ChangeRequestForm(),
        "sign_form": sign_form,
        "propose_errors": forms.pop("propose_errors", None),
        "edit_goal_id": forms.pop("edit_goal_id", None),
        "edit_goal_form": forms.pop("edit_goal_form", None),
        "target_kpi_id": forms.pop("target_kpi_id", None),
        "target_form": forms.pop("target_form", None),
    }
    if may_edit:
        context["kra_form"] = forms.pop("kra_form", None) or PersonalKRAForm(
            org=org, auto_id="id_kra_%s"
        )
        context["goal_form"] = forms.pop("goal_form", None) or GrowthGoalForm(auto_id="id_goal_%s")
    return context


def _delegation(member, agreement, form) -> dict:
    """For HR: who may countersign in the manager of record's place, and the form to add
    someone while the countersignature is still to come."""
    if not policy.can(member, Action.DELEGATE_SIGNER, agreement):
        return {"may_delegate": False}
    open_ = agreement.status in DELEGABLE_STATUSES
    return {
        "may_delegate": True,
        "delegates": selectors.agreement_delegates(agreement=agreement),
        "delegate_form": (form or DelegateForm(org=member.org, auto_id="id_delegate_%s"))
        if open_
        else None,
    }


def render_detail(request, member, agreement, status=200, **forms):
    agreement.refresh_from_db()
    return render(
        request,
        "reviews/agreement_detail.html",
        detail_context(request, member, agreement, **forms),
        status=status,
    )


def _back(member, agreement, anchor: str = ""):
    response = redirect("agreement-detail", org_slug=member.org.slug, pk=agreement.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_detail(request, member, agreement):
    return render(
        request,
        "reviews/agreement_detail.html",
        detail_context(request, member, agreement),
    )


# --- drafting (the manager, HR) ---------------------------------------------------------------


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_for_member)
def agreement_add_kra(request, member, agreement):
    form = PersonalKRAForm(request.POST, org=member.org, auto_id="id_kra_%s")
    if form.is_valid():
        try:
            services.agreement_add_personal_kra(
                agreement=agreement, actor=member, **form.service_arguments()
            )
        except ValidationError as exc:
            _kpi_errors(exc, form)
        else:
            return _back(member, agreement, "content")
    return render_detail(request, member, agreement, kra_form=form)


def _kpi_errors(exc: ValidationError, form) -> None:
    """A KPI's field errors land on the form's ``kpi_`` fields."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            field = name if name in form.fields else f"kpi_{name}"
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_kpi_for_member, **_of_agreement)
def agreement_kpi_target(request, member, kpi):
    """A personal target for one of the role's KPIs (or back to the role's)."""
    agreement = kpi.agreement
    if request.method == "GET":
        form = KPITargetForm(
            auto_id=f"id_target{kpi.pk}_%s",
            initial={
                "target": _plain(kpi.effective_target),
                "target_low": _plain(kpi.effective_target_low),
                "target_high": _plain(kpi.effective_target_high),
                "reason": kpi.override_reason,
            },
        )
        return render_detail(request, member, agreement, target_kpi_id=kpi.pk, target_form=form)
    form = KPITargetForm(request.POST, auto_id=f"id_target{kpi.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_override_kpi_target(
                kpi=kpi,
                actor=member,
                target=data["target"],
                target_low=data["target_low"],
                target_high=data["target_high"],
                reason=data["reason"],
                clear=data["clear"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return _back(member, agreement, "content")
    return render_detail(request, member, agreement, target_kpi_id=kpi.pk, target_form=form)


def _plain(value) -> str:
    """A stored decimal as a person types it: 15, not 15.0000."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _remove(request, member, row):
    try:
        services.agreement_remove_item(item=row, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(member, row.agreement, "content")


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_item_for_member, **_of_agreement)
def agreement_remove_kra(request, member, item):
    return _remove(request, member, item)


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_kpi_for_member, **_of_agreement)
def agreement_remove_kpi(request, member, kpi):
    return _remove(request, member, kpi)


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_for_member)
def growth_goal_add(request, member, agreement):
    form = GrowthGoalForm(request.POST, auto_id="id_goal_%s")
    if form.is_valid():
        try:
            services.growth_goal_add(agreement=agreement, actor=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return _back(member, agreement, "growth")
    return render_detail(request, member, agreement, goal_form=form)


@require_http_methods(["GET", "POST"])
@org_view(Action.MANAGE_AGREEMENT, fetch=get_growth_goal_for_member, **_of_agreement)
def growth_goal_edit(request, member, goal):
    agreement = goal.agreement
    auto_id = f"id_goal{goal.pk}_%s"
    if request.method == "GET":
        form = GrowthGoalForm(
            auto_id=auto_id,
            initial={
                "goal": goal.goal,
                "measurable_target": goal.measurable_target,
                "due_date": goal.due_date,
                "measured_by": goal.measured_by,
            },
        )
        return render_detail(request, member, agreement, edit_goal_id=goal.pk, edit_goal_form=form)
    form = GrowthGoalForm(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            values = dict(form.cleaned_data)
            services.growth_goal_update(
                goal=goal, actor=member, goal_text=values.pop("goal"), **values
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return _back(member, agreement, "growth")
    return render_detail(request, member, agreement, edit_goal_id=goal.pk, edit_goal_form=form)


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_growth_goal_for_member, **_of_agreement)
def growth_goal_remove(request, member, goal):
    try:
        services.growth_goal_remove(goal=goal, actor=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(member, goal.agreement, "growth")


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_for_member)
def agreement_propose(request, member, agreement):
    """Freeze the draft and ask the person to sign; a refusal lists every failing check."""
    try:
        version = services.agreement_propose(agreement=agreement, actor=member)
    except ValidationError as exc:
        return render_detail(request, member, agreement, propose_errors=exc.messages)
    messages.success(
        request,
        _("Version %(number)d was sent to %(name)s to sign.")
        % {"number": version.number, "name": agreement.employee.user.get_full_name()},
    )
    return _back(member, agreement)


# --- the person, the manager, HR --------------------------------------------------------------


@require_POST
@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_comment(request, member, agreement):
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_comment(
                agreement=agreement, actor=member, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return _back(member, agreement, "comments")
    return render_detail(request, member, agreement, comment_form=form)


@require_POST
@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_request_changes(request, member, agreement):
    """The person asks for changes, saying what (only the person; the service says so)."""
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_request_changes(
                agreement=agreement, actor=member, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Your request was sent to your manager."))
            return _back(member, agreement)
    return render_detail(request, member, agreement, change_form=form)


@require_POST
@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_sign(request, member, agreement):
    """Sign, countersign or acknowledge the version read: the password again and the
    statement of meaning ticked. A wrong password signs nothing and says so; the login
    lockout counts it (the answer is committed like any page's)."""
    signer_role = _signer_role(member, agreement)
    statement = statement_for(member.org, signer_role or SignerRole.EMPLOYEE)
    form = SignForm(request.POST, statement=statement)
    if signer_role is None:
        form.is_valid()
        form.add_error(None, _("There is nothing for you to sign on this agreement now."))
        return render_detail(request, member, agreement, sign_form=form)
    if form.is_valid():
        version = selectors.agreement_version(
            agreement=agreement, number=form.cleaned_data["version"]
        )
        try:
            if version is None:
                raise ValidationError({"version": _("That version does not exist.")})
            services.agreement_sign(
                agreement=agreement,
                signer=member,
                password=form.cleaned_data["password"],
                meaning=True,
                request=request,
                version=version,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Signed. Thank you."))
            return _back(member, agreement)
    return render_detail(request, member, agreement, sign_form=form)


@require_http_methods(["GET", "POST"])
@org_view(Action.VOID_AGREEMENT, fetch=get_agreement_for_member)
def agreement_void(request, member, agreement):
    """HR voids an agreement, saying why, after a confirmation page."""
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_void(
                agreement=agreement, actor=member, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The agreement was voided."))
            return _back(member, agreement)
    return render(request, "reviews/agreement_void.html", {"agreement": agreement, "form": form})


@require_POST
@org_view(Action.DELEGATE_SIGNER, fetch=get_agreement_for_member)
def agreement_delegate(request, member, agreement):
    """HR lets someone countersign in the manager of record's place."""
    form = DelegateForm(request.POST, org=member.org, auto_id="id_delegate_%s")
    if form.is_valid():
        try:
            services.agreement_delegate_signer(
                agreement=agreement, actor=member, delegate=form.cleaned_data["delegate"]
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("They may now countersign this agreement."))
            return _back(member, agreement, "delegates")
    return render_detail(request, member, agreement, delegate_form=form)


@require_POST
@org_view(Action.DELEGATE_SIGNER, fetch=get_agreement_for_member)
def agreement_revoke_delegate(request, member, agreement):
    """HR takes a delegate's countersignature back (the delegate's membership id posted;
    another organisation's is a 404)."""
    member_pk = request.POST.get("delegate", "")
    if not member_pk.isdigit():
        raise Http404("No such member.")
    delegate = get_membership_for_member(member, int(member_pk))
    try:
        services.agreement_revoke_delegate(agreement=agreement, actor=member, delegate=delegate)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("They may no longer countersign this agreement."))
    return _back(member, agreement, "delegates")


@require_POST
@org_view(Action.MANAGE_AGREEMENT, fetch=get_agreement_for_member)
def agreement_amend(request, member, agreement):
    """A new draft from the agreement in force, which stays in force until it is signed."""
    try:
        amendment = services.agreement_amend(agreement=agreement, actor=member)
    except ValidationError as exc:
        return render_detail(request, member, agreement, propose_errors=exc.messages)
    messages.success(request, _("An amendment was started from the agreement in force."))
    return redirect("agreement-detail", org_slug=member.org.slug, pk=amendment.pk)
