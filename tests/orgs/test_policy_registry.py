"""Each app declares its actions and rule settings; orgs' policy and settings framework name
them all, so ``policy.Action.X`` and ``org_settings.DEFAULTS`` work for every caller while
orgs imports no app to its right."""

from __future__ import annotations

import enum

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from kpis.policy import MeasurementAction
from kras.org_settings import COUNT_HIGHEST
from kras.policy import KraAction
from orgs import org_settings, policy
from orgs.models import OrgRole
from reviews.org_settings import STATEMENT_SETTINGS
from reviews.policy import AgreementAction
from roles.policy import RoleAction
from tests.factories import MembershipFactory, OrganizationFactory


def test_every_apps_actions_are_named_through_orgs_policy():
    for actions in (policy.OrgAction, RoleAction, KraAction, MeasurementAction, AgreementAction):
        for action in actions:
            assert getattr(policy.Action, action.name) is action
            assert isinstance(action, policy.Action)
            assert action in policy.Action
            assert policy.Action(action.value) is action
    assert policy.Action.VIEW_AGREEMENT is AgreementAction.VIEW_AGREEMENT
    assert policy.Action.MANAGE_KRA is KraAction.MANAGE_KRA
    assert policy.Action.ASSIGN_ROLE is RoleAction.ASSIGN_ROLE


def test_a_string_or_another_enum_is_not_an_action():
    class Stray(enum.StrEnum):
        VIEW_ORG = "view_org"

    assert not isinstance("view_org", policy.Action)
    assert not isinstance(Stray.VIEW_ORG, policy.Action)
    with pytest.raises(AttributeError):
        policy.Action.NO_SUCH_ACTION  # noqa: B018


@pytest.mark.django_db
def test_asking_about_an_unregistered_action_is_a_configuration_error():
    class Stray(enum.StrEnum):
        ROAM = "roam"

    member = MembershipFactory(org=OrganizationFactory(), role=OrgRole.ADMIN)
    with pytest.raises(ImproperlyConfigured):
        policy.can(member, Stray.ROAM)


def test_an_action_registered_twice_under_one_name_is_refused():
    class Clash(enum.StrEnum):
        MANAGE_KRA = "manage_kra_elsewhere"

    with pytest.raises(ImproperlyConfigured):
        policy.register(Clash, lambda member, action, obj: True)
    assert policy.Action.MANAGE_KRA is KraAction.MANAGE_KRA


def test_registering_the_same_actions_again_changes_nothing():
    before = list(policy.Action)
    policy.register(KraAction, lambda member, action, obj: True)
    assert list(policy.Action) == before


@pytest.mark.django_db
def test_the_owning_apps_rule_decides_and_an_inactive_member_may_do_nothing():
    org = OrganizationFactory()
    admin = MembershipFactory(org=org, role=OrgRole.ADMIN)
    hr = MembershipFactory(org=org, role=OrgRole.HR)
    plain = MembershipFactory(org=org, role=OrgRole.MEMBER)
    assert policy.can(admin, policy.Action.MANAGE_OBJECTIVES)
    assert not policy.can(hr, policy.Action.MANAGE_OBJECTIVES)
    assert policy.can(hr, policy.Action.VIEW_ROLE_COST)
    assert not policy.can(plain, policy.Action.VIEW_ROLE_COST)
    assert policy.can(plain, policy.Action.VIEW_ROLES)
    admin.is_active = False
    assert not policy.can(admin, policy.Action.VIEW_ORG)
    assert not policy.can(admin, policy.Action.MANAGE_OBJECTIVES)


def test_every_apps_rule_settings_have_defaults_in_orgs_framework():
    counts = ["kra_min", "kra_max", "kpi_min", "kpi_max"]
    assert [key for key in org_settings.DEFAULTS if key in counts] == counts
    for key in (
        # orgs' own (the reminders' stages) and each app's reminder deadline.
        "reminder_days_before",
        "reminder_hour",
        "agreement_signature_days",
        "kpi_value_grace_days",
        "kra_review_days",
        "require_alignment",
        "activity_verbs",
        "overachievement_cap",
        "on_track_threshold",
        "at_risk_threshold",
        "require_hr_acknowledgement",
        *STATEMENT_SETTINGS.values(),
    ):
        assert key in org_settings.DEFAULTS
    # The names an app's settings module defines are still importable from orgs'.
    assert org_settings.COUNT_HIGHEST == COUNT_HIGHEST
    assert org_settings.STATEMENT_SETTINGS is STATEMENT_SETTINGS
    with pytest.raises(AttributeError):
        org_settings.NO_SUCH_NAME  # noqa: B018


def test_a_setting_registered_twice_differently_is_refused():
    with pytest.raises(ImproperlyConfigured):
        org_settings.register([org_settings.Setting("kra_min", 99, clean=int)])
    assert org_settings.DEFAULTS["kra_min"] == 3


@pytest.mark.django_db
def test_each_apps_settings_are_checked_by_its_own_rules_through_the_one_writer():
    org = OrganizationFactory()
    with pytest.raises(ValidationError) as refused:
        org_settings.organization_update_rules(
            org=org,
            actor=None,
            kra_min="many",
            at_risk_threshold="0.95",
            statement_hr="",
        )
    errors = refused.value.message_dict
    assert errors["kra_min"] == ["Enter a whole number."]
    assert errors["at_risk_threshold"] == ["“At risk” must start below “on track”."]
    assert errors["statement_hr"] == ["Write the statement the signer agrees to."]
    saved = org_settings.organization_update_rules(
        org=org, actor=None, kra_max="7", overachievement_cap=1.5, activity_verbs="Do, run"
    )
    assert (saved["kra_max"], saved["overachievement_cap"]) == (7, "1.5")
    assert saved["activity_verbs"] == ["do", "run"]
