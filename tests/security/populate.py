"""Fully populated organisations for the security tests.

Every tenant table gets rows, in the shapes the pages and the API meet in real use: a
department tree with heads, members with managers (one deactivated, one who has never signed
in), invitations in each state, active and retired objectives, inbox entries, audit events
and API tokens. Every text of an organisation carries its ``marker`` (``"Globex"`` for B), so
a page of A that shows anything of B can be caught by searching for the marker.

The personas of the role matrix live here too:

- ``admin``: org admin, heads the root department
- ``hr``: HR role
- ``manager``: heads Sales and manages ``target``
- ``other_manager``: heads Engineering and manages ``report`` (another branch than ``target``)
- ``employee``: a plain member with no reports
- ``target``: the member that member actions are done to; has an API token of their own
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import factory
from django.utils import timezone

from kpis.measurements import period_containing
from kpis.models import (
    KPI,
    Measurement,
    MeasurementStatus,
    RollupInputs,
    RollupState,
    Score,
)
from kpis.template_library import template_content_from_role
from kra_platform.canonical import canonical_text, sha256_hex
from kras.models import (
    KRA,
    KRALevel,
    KRAStatus,
    KRATemplate,
    ObjectiveStatus,
    StrategicObjective,
)
from orgs import audit, notifications, services
from orgs.models import (
    ApiToken,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
    OrgRole,
    User,
)
from reviews.document import agreement_document
from reviews.models import (
    Agreement,
    AgreementComment,
    AgreementVersion,
    CheckIn,
    CheckInAction,
    CycleDepartment,
    CycleParticipant,
    ExportJob,
    GrowthGoal,
    Review,
    ReviewCycle,
    ReviewGoal,
    ReviewItem,
    ReviewSnapshot,
    Signature,
    SignerRole,
)
from reviews.services import agreement_create, growth_goal_add
from reviews.services.checkins import ActionInput, check_in_action_done, check_in_record
from roles.models import AreaOfFocus, JustificationKind, Responsibility, Role, RoleAssignment
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    UserFactory,
)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(MembershipFactory)
    org = factory.SelfAttribute("recipient.org")
    kind = "test.notice"
    title = factory.Sequence(lambda n: f"Notice {n}")
    body = "Something happened."


@dataclass
class PopulatedOrg:
    org: Organization
    marker: str
    admin: Membership
    hr: Membership
    manager: Membership
    other_manager: Membership
    employee: Membership
    target: Membership
    report: Membership
    leaver: Membership
    never_signed_in: Membership
    root: Department
    sales: Department
    inside_sales: Department
    engineering: Department
    empty_department: Department
    objective: StrategicObjective
    second_objective: StrategicObjective
    retired_objective: StrategicObjective
    pending_invitation: Invitation
    revoked_invitation: Invitation
    admin_notification: Notification
    target_notification: Notification
    admin_token: ApiToken
    admin_token_raw: str
    target_token: ApiToken
    target_token_raw: str
    lead_role: Role
    role: Role
    empty_role: Role
    area: AreaOfFocus
    responsibility: Responsibility
    assignment: RoleAssignment
    org_kra: KRA
    department_kra: KRA
    role_kra: KRA
    flagged_kra: KRA
    kpi: KPI
    kra_template: KRATemplate
    measurement: Measurement
    awaiting_measurement: Measurement
    score: Score
    agreement: Agreement
    agreement_goal: GrowthGoal
    export_job: ExportJob
    check_in: CheckIn
    check_in_action: CheckInAction
    lead_check_in: CheckIn
    done_check_in_action: CheckInAction
    review_cycle: ReviewCycle
    cycle_review: Review

    @property
    def slug(self) -> str:
        return self.org.slug

    def members(self) -> list[Membership]:
        return list(Membership.objects.filter(org=self.org))


def _person(org, marker, local, name, **kwargs) -> Membership:
    domain = org.slug
    return MembershipFactory(
        org=org,
        user=UserFactory(email=f"{local}@{domain}.test", full_name=f"{name} {marker}"),
        **kwargs,
    )


def populate_org(*, slug: str, marker: str) -> PopulatedOrg:
    """One organisation with rows in every tenant table. ``marker`` is put in every text."""
    org = OrganizationFactory(
        name=f"{marker} Corporation",
        slug=slug,
        mission=f"{marker} mission",
        vision=f"{marker} vision",
        values=f"{marker} values",
        strategy_summary=f"{marker} strategy",
    )
    admin = _person(org, marker, "admin", "Ada", role=OrgRole.ADMIN, job_title=f"{marker} CEO")
    # A second admin, so that "the last admin" rules never decide an access test.
    _person(org, marker, "admin2", "Abe", role=OrgRole.ADMIN, job_title=f"{marker} COO")
    hr = _person(org, marker, "hr", "Hana", role=OrgRole.HR, job_title=f"{marker} People")

    root = DepartmentFactory(org=org, name=f"{marker} Executive", head=admin)
    sales = DepartmentFactory(org=org, name=f"{marker} Sales", parent=root)
    inside_sales = DepartmentFactory(org=org, name=f"{marker} Inside Sales", parent=sales)
    engineering = DepartmentFactory(org=org, name=f"{marker} Engineering", parent=root)
    empty_department = DepartmentFactory(org=org, name=f"{marker} Empty", parent=root)

    manager = _person(
        org,
        marker,
        "manager",
        "Mona",
        manager=admin,
        department=sales,
        job_title=f"{marker} Sales Lead",
        employee_id=f"{marker}-M1",
    )
    sales.head = manager
    sales.save(update_fields=["head"])
    target = _person(
        org,
        marker,
        "target",
        "Tom",
        manager=manager,
        department=inside_sales,
        job_title=f"{marker} Account Executive",
        employee_id=f"{marker}-T1",
    )
    other_manager = _person(
        org,
        marker,
        "other",
        "Otto",
        manager=admin,
        department=engineering,
        job_title=f"{marker} Engineering Lead",
    )
    engineering.head = other_manager
    engineering.save(update_fields=["head"])
    report = _person(
        org,
        marker,
        "report",
        "Rita",
        manager=other_manager,
        department=engineering,
        job_title=f"{marker} Engineer",
    )
    employee = _person(
        org,
        marker,
        "employee",
        "Eve",
        manager=hr,
        job_title=f"{marker} Analyst",
    )
    leaver = _person(
        org,
        marker,
        "leaver",
        "Leo",
        manager=manager,
        department=sales,
        job_title=f"{marker} Former Rep",
        is_active=False,
        deactivated_at=timezone.now() - datetime.timedelta(days=30),
    )
    # Everyone else "has signed in"; this one was imported and never has.
    User.objects.filter(memberships__org=org).update(last_login=timezone.now())
    never_signed_in = _person(
        org, marker, "imported", "Ivan", department=sales, job_title=f"{marker} Imported"
    )

    objective = ObjectiveFactory(org=org, title=f"{marker} grow revenue", position=1)
    second_objective = ObjectiveFactory(org=org, title=f"{marker} halve churn", position=2)
    retired_objective = ObjectiveFactory(
        org=org,
        title=f"{marker} old objective",
        position=3,
        status=ObjectiveStatus.RETIRED,
        retired_at=timezone.now(),
    )

    pending_invitation, _raw = services.invitation_create(
        org=org,
        actor=admin,
        email=f"invitee@{slug}.test",
        full_name=f"Ina {marker}",
        job_title=f"{marker} Invitee",
        department=sales,
        manager=manager,
    )
    revoked_invitation, _raw = services.invitation_create(
        org=org, actor=admin, email=f"revoked@{slug}.test", full_name=f"Rex {marker}"
    )
    services.invitation_revoke(invitation=revoked_invitation, actor=admin)

    admin_notification = notifications.notify(
        recipient=admin, kind="test.notice", title=f"{marker} notice for admin", email=False
    )
    NotificationFactory(recipient=admin, title=f"{marker} read notice", read_at=timezone.now())
    target_notification = notifications.notify(
        recipient=target, kind="test.notice", title=f"{marker} notice for target", email=False
    )
    # A reminder decided for the target (docs/DOMAIN.md rule R44) and the manager's mute.
    from orgs.models import Reminder, ReminderMute, ReminderStage

    Reminder.objects.create(
        org=org,
        recipient=target,
        person=target,
        kind="agreement.signature",
        object_key=f"agreement:0:{marker}",
        stage=ReminderStage.DUE,
        deadline=timezone.localdate(),
        subject=f"{marker} reminder for target",
        notification=target_notification,
        sent_at=timezone.now(),
    )
    ReminderMute.objects.create(org=org, member=manager)

    admin_token, admin_token_raw = services.api_token_create(member=admin, name=f"{marker} admin")
    target_token, target_token_raw = services.api_token_create(
        member=target, name=f"{marker} target"
    )
    revoked_token, _raw = services.api_token_create(member=admin, name=f"{marker} old token")
    services.api_token_revoke(token=revoked_token, actor=admin)

    # The cascade: a role with its area, responsibility and holder, a KRA at each level on
    # one ladder (and one flagged for review below it), a KPI, a template saved from the
    # role. One more role has nothing attached, so that it may be deleted.
    # Justified roles: one "not yet justified" without a date would fail the service's
    # check on any change.
    lead_role = Role.objects.create(
        org=org,
        department=sales,
        title=f"{marker} Sales Lead",
        purpose=f"{marker} leads",
        justification_kind=JustificationKind.REVENUE,
    )
    role = Role.objects.create(
        org=org,
        department=inside_sales,
        title=f"{marker} Account Executive",
        purpose=f"{marker} closes deals",
        reports_to=lead_role,
        justification_kind=JustificationKind.REVENUE,
    )
    empty_role = Role.objects.create(
        org=org,
        department=inside_sales,
        title=f"{marker} Sales Intern",
        purpose=f"{marker} learns",
        justification_kind=JustificationKind.COMPLIANCE,
    )
    area = AreaOfFocus.objects.create(
        org=org, role=role, title=f"{marker} New business", position=1
    )
    responsibility = Responsibility.objects.create(
        org=org, area=area, description=f"{marker} prospect daily", position=1
    )
    RoleAssignment.objects.create(
        org=org, role=lead_role, member=manager, start_date=datetime.date(2024, 1, 1)
    )
    assignment = RoleAssignment.objects.create(
        org=org, role=role, member=target, start_date=datetime.date(2024, 1, 1)
    )
    org_kra = KRA.objects.create(
        org=org,
        level=KRALevel.ORGANIZATION,
        title=f"{marker} revenue growth",
        objective=objective,
        weight=100,
    )
    department_kra = KRA.objects.create(
        org=org,
        level=KRALevel.DEPARTMENT,
        title=f"{marker} sales pipeline",
        department=sales,
        parent=org_kra,
        weight=100,
    )
    role_kra = KRA.objects.create(
        org=org,
        level=KRALevel.ROLE,
        title=f"{marker} closed deals",
        role=role,
        area_of_focus=area,
        parent=department_kra,
        owner=target,
        weight=100,
        position=1,
    )
    flagged_kra = KRA.objects.create(
        org=org,
        level=KRALevel.ROLE,
        title=f"{marker} renewals",
        role=role,
        parent=department_kra,
        position=2,
        status=KRAStatus.NEEDS_REVIEW,
        needs_review_reason=f"{marker} pipeline changed",
        needs_review_since=timezone.now(),
    )
    kpi = KPI.objects.create(
        org=org, kra=role_kra, name=f"{marker} deals per month", unit="deals", target=10, weight=100
    )
    kra_template = KRATemplate.objects.create(
        org=org,
        name=f"{marker} sales template",
        category=f"{marker} Sales",
        created_by=admin,
        content=template_content_from_role(role),
    )
    # Results: a counted value of the target's, one awaiting their manager's confirmation,
    # and a score of the target's.
    month_start, month_end = period_containing("monthly", timezone.localdate())
    measurement = Measurement.objects.create(
        org=org,
        kpi=kpi,
        person=target,
        period_start=month_start,
        period_end=month_end,
        value=7,
        entered_by=target,
        note=f"{marker} good month",
        source_ref=f"{marker}-crm-1",
    )
    awaiting_measurement = Measurement.objects.create(
        org=org,
        kpi=kpi,
        person=target,
        period_start=month_start,
        period_end=month_end,
        value=2,
        entered_by=target,
        note=f"{marker} late deal",
        status=MeasurementStatus.AWAITING_CONFIRMATION,
    )
    score = Score.objects.create(
        org=org,
        scope="person",
        scope_id=target.pk,
        person=target,
        window="ytd",
        period_start=month_start.replace(month=1),
        period_end=month_start.replace(month=12, day=31),
        achievement="0.7",
        periods_with_data=1,
        periods_expected=2,
        completeness="0.5",
        computed_at=timezone.now(),
    )
    RollupState.objects.update_or_create(
        org=org,
        defaults={"computed_at": score.computed_at, "as_of": month_start, "scores": 1},
    )
    RollupInputs.objects.update_or_create(
        person=target, defaults={"org": org, "digest": 1, "role_ids": [role.pk]}
    )

    # An agreement of the target's, with a growth goal, a comment, a frozen version, a
    # signature and its events: rows in every table of the agreements.
    agreement = agreement_create(org=org, actor=admin, employee=target, role=role)
    goal = growth_goal_add(
        agreement=agreement,
        actor=admin,
        goal=f"{marker} negotiation course",
        measurable_target="pass the final assessment",
        due_date=agreement.period_end,
        measured_by="certificate",
    )
    # The frozen document as proposing writes it, so its PDF and diff can be rendered.
    canonical = canonical_text(agreement_document(agreement, number=1))
    version = AgreementVersion.objects.create(
        org=org,
        agreement=agreement,
        number=1,
        canonical_json=canonical,
        content_hash=sha256_hex(canonical.encode()),
        created_by=admin,
    )
    Agreement.objects.filter(pk=agreement.pk).update(current_version=version)
    AgreementComment.objects.create(
        org=org, agreement=agreement, version=version, author=target, body=f"{marker} comment"
    )
    Signature.objects.create(
        org=org,
        agreement=agreement,
        version=version,
        signer=target,
        signer_role=SignerRole.EMPLOYEE,
        printed_name=f"{marker} Target",
        meaning=f"{marker} I agree",
        signed_at=timezone.now(),
        auth_method="password",
        content_hash=version.content_hash,
        sequence=1,
        prev_hash="0" * 64,
        row_hash=sha256_hex(f"{marker} signature".encode()),
    )
    # A finished export of the signed agreements (its file is not needed by these checks).
    export_job = ExportJob.objects.create(
        org=org,
        requested_by=hr,
        scope_label=f"{marker} whole organisation",
        status="done",
        finished_at=timezone.now(),
    )

    # Check-ins: the target's with their manager (a KRA of the agreement, an open action),
    # and the manager's own with the org admin (a done action).
    today = timezone.localdate()
    check_in = check_in_record(
        actor=manager,
        employee=target,
        held_on=today - datetime.timedelta(days=2),
        kras=[agreement.items.order_by("id")[0].pk],
        wins=f"{marker} win",
        blockers=f"{marker} blocker",
        actions=[ActionInput(description=f"{marker} follow-up", owner=target, due_date=today)],
    )
    lead_check_in = check_in_record(
        actor=admin,
        employee=manager,
        held_on=today - datetime.timedelta(days=3),
        wins=f"{marker} lead win",
        actions=[ActionInput(description=f"{marker} hire a rep", owner=manager)],
    )
    done_action = check_in_action_done(action=lead_check_in.actions.get(), actor=admin)

    # A launched review cycle with a review of the target's agreement (rows as the launch
    # writes them), for the cycle pages and API.
    year_start, year_end = agreement.period_start, agreement.period_end
    review_cycle = ReviewCycle.objects.create(
        org=org,
        name=f"{marker} annual review",
        window_start=year_start,
        window_end=year_end,
        self_assessment_due=year_end,
        manager_review_due=year_end,
        acknowledgement_due=year_end,
        weight_manager=60,
        weight_achievement=40,
        status="open",
        launch_status="done",
        created_by=hr,
    )
    cycle_review = Review.objects.create(
        org=org,
        cycle=review_cycle,
        reviewee=target,
        reviewer=manager,
        agreement=agreement,
        agreement_version=version,
    )
    item = agreement.items.order_by("id")[0]
    ReviewItem.objects.create(
        org=org, review=cycle_review, agreement_item=item, title=item.title, weight=item.weight
    )
    ReviewGoal.objects.create(org=org, review=cycle_review, growth_goal=goal, goal=goal.goal)
    # A frozen copy of the review, as sharing makes one (its row only: the review itself
    # still awaits the self-assessment, so the role matrix's writes meet it there).
    snapshot_text = canonical_text({"review": cycle_review.pk, "note": f"{marker} snapshot"})
    ReviewSnapshot.objects.create(
        org=org,
        review=cycle_review,
        canonical_json=snapshot_text,
        content_hash=sha256_hex(snapshot_text),
    )
    # A second cycle, a draft over the Sales department and a list: its participant rows.
    draft_cycle = ReviewCycle.objects.create(
        org=org,
        name=f"{marker} draft review",
        window_start=year_start,
        window_end=year_end,
        self_assessment_due=year_end,
        manager_review_due=year_end,
        acknowledgement_due=year_end,
        participant_scope="departments",
        weight_manager=60,
        weight_achievement=40,
        created_by=hr,
    )
    CycleDepartment.objects.create(org=org, cycle=draft_cycle, department=sales)
    CycleParticipant.objects.create(org=org, cycle=draft_cycle, member=employee)

    # Audit rows about objects of every kind, as services write them.
    for obj in (org, root, sales, manager, target, objective, role, role_kra, kpi):
        audit.record(
            org=org,
            actor=admin,
            action="test.touch",
            obj=obj,
            changes={"note": {"old": None, "new": f"{marker} change"}},
        )

    return PopulatedOrg(
        org=org,
        marker=marker,
        admin=admin,
        hr=hr,
        manager=manager,
        other_manager=other_manager,
        employee=employee,
        target=target,
        report=report,
        leaver=leaver,
        never_signed_in=never_signed_in,
        root=root,
        sales=sales,
        inside_sales=inside_sales,
        engineering=engineering,
        empty_department=empty_department,
        objective=objective,
        second_objective=second_objective,
        retired_objective=retired_objective,
        pending_invitation=pending_invitation,
        revoked_invitation=revoked_invitation,
        admin_notification=admin_notification,
        target_notification=target_notification,
        admin_token=admin_token,
        admin_token_raw=admin_token_raw,
        target_token=target_token,
        target_token_raw=target_token_raw,
        lead_role=lead_role,
        role=role,
        empty_role=empty_role,
        area=area,
        responsibility=responsibility,
        assignment=assignment,
        org_kra=org_kra,
        department_kra=department_kra,
        role_kra=role_kra,
        flagged_kra=flagged_kra,
        kpi=kpi,
        kra_template=kra_template,
        measurement=measurement,
        awaiting_measurement=awaiting_measurement,
        score=score,
        agreement=agreement,
        agreement_goal=goal,
        export_job=export_job,
        check_in=check_in,
        check_in_action=check_in.actions.get(),
        lead_check_in=lead_check_in,
        done_check_in_action=done_action,
        review_cycle=review_cycle,
        cycle_review=cycle_review,
    )


def add_member_of_both(a: PopulatedOrg, b: PopulatedOrg) -> tuple[Membership, Membership]:
    """One person in both organisations, with a different place (and an inbox) in each."""
    user = UserFactory(email="dana@both.test", full_name="Dana Dual", last_login=timezone.now())
    in_a = MembershipFactory(
        org=a.org, user=user, manager=a.manager, job_title=f"{a.marker} Auditor"
    )
    in_b = MembershipFactory(
        org=b.org,
        user=user,
        manager=b.manager,
        department=b.sales,
        job_title=f"{b.marker} Night Auditor",
        employee_id=f"{b.marker}-D1",
    )
    notifications.notify(recipient=in_b, kind="test.notice", title=f"{b.marker} for Dana")
    return in_a, in_b


# --- Every row of an organisation, to prove that nothing changed -----------------------------


def tenant_models() -> list:
    """Every model with an ``org`` field: the tenant tables, whichever app adds them."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if any(f.name == "org" and f.is_relation for f in model._meta.get_fields())
    ]


def _rows(queryset, ignore: tuple[str, ...]) -> dict:
    fields = [f.attname for f in queryset.model._meta.concrete_fields if f.attname not in ignore]
    return {row["pk"]: row for row in queryset.values("pk", *fields).order_by("pk")}


def snapshot(org: Organization, *, ignore: tuple[str, ...] = ()) -> dict:
    """Every value of every row that belongs to ``org``, of the organisation itself and of
    its people's accounts. ``ignore`` names fields that move without anyone's doing
    (``last_used_at`` of the token a test client signs in with)."""
    rows = {
        model._meta.label: _rows(model._default_manager.filter(org=org), ignore)
        for model in tenant_models()
    }
    rows["orgs.Organization"] = _rows(Organization.objects.filter(pk=org.pk), ignore)
    rows["orgs.User"] = _rows(User.objects.filter(memberships__org=org), ignore)
    return rows


def diff_snapshots(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, one line per row."""
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, {}), after.get(label, {})
        for pk in sorted(set(old) | set(new)):
            if pk not in new:
                changes.append(f"{label} #{pk} deleted")
            elif pk not in old:
                changes.append(f"{label} #{pk} created: {new[pk]}")
            elif old[pk] != new[pk]:
                moved = {k: (old[pk][k], new[pk][k]) for k in old[pk] if old[pk][k] != new[pk][k]}
                changes.append(f"{label} #{pk} changed: {moved}")
    return changes
