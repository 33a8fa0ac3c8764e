import json

import pytest
from django.contrib import admin
from django.urls import reverse

from orgs.models import AuditEvent, Membership, Organization, OrgRole, User
from orgs.org_settings import rule_settings
from tests.factories import DepartmentFactory, ObjectiveFactory, UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(email="ops@platform.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def suspend(staff_client, org, reason):
    return staff_client.post(
        changelist(Organization),
        {
            "action": "suspend_organizations",
            "_selected_action": [org.pk],
            "apply": "1",
            "reason": reason,
        },
    )


def work_in(staff_client, org):
    return staff_client.post(
        changelist(Organization),
        {"action": "work_in_organization", "_selected_action": [org.pk]},
    )


def test_staff_open_every_changelist_of_our_apps(staff_client, alice, bob, charlie):
    # Given some rows in each table, so list columns and filters are exercised.
    DepartmentFactory(org=alice.org, name="Sales", head=alice)
    ObjectiveFactory(org=alice.org)
    ours = [m for m in admin.site._registry if m._meta.app_label in {"orgs", "kras"}]
    assert {m.__name__ for m in ours} >= {
        "User",
        "Organization",
        "Membership",
        "Department",
        "Invitation",
        "AuditEvent",
        "Notification",
        "ApiToken",
        "StrategicObjective",
    }
    assert staff_client.get(reverse("admin:index")).status_code == 200
    for model in ours:
        response = staff_client.get(changelist(model))
        assert response.status_code == 200, model
    assert staff_client.get(reverse("admin:orgs_user_add")).status_code == 200
    assert staff_client.get(reverse("admin:orgs_organization_add")).status_code == 200
    work_in(staff_client, alice.org)
    change = reverse("admin:orgs_membership_change", args=[bob.pk])
    assert staff_client.get(change).status_code == 200


def test_staff_work_in_one_organisation_at_a_time(staff_client, alice, bob, charlie):
    # Given no organisation chosen, the tenant lists are empty: row-level security holds.
    body = staff_client.get(changelist(Membership)).content.decode()
    assert "Bob Member" not in body and "Charlie Other" not in body
    # When staff choose Acme, they see Acme's members and none of Globex's.
    work_in(staff_client, alice.org)
    body = staff_client.get(changelist(Membership)).content.decode()
    assert "Bob Member" in body and "Charlie Other" not in body
    other = reverse("admin:orgs_membership_change", args=[charlie.pk])
    assert staff_client.get(other).status_code == 302  # "does not exist", back to the index
    # Then switching to Globex shows Globex's.
    work_in(staff_client, charlie.org)
    body = staff_client.get(changelist(Membership)).content.decode()
    assert "Charlie Other" in body and "Bob Member" not in body


def test_non_staff_cannot_reach_the_admin(login, alice):
    response = login(alice).get(changelist(Organization))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_audit_trail_cannot_be_changed_from_the_admin(staff_client, alice):
    event = AuditEvent.objects.create(
        org=alice.org, action="x", object_type="t", object_id="1", object_repr="r"
    )
    assert staff_client.get(reverse("admin:orgs_auditevent_add")).status_code == 403
    delete = reverse("admin:orgs_auditevent_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:orgs_auditevent_change", args=[event.pk])
    staff_client.post(change, {"action": "changed"})
    event.refresh_from_db()
    assert event.action == "x"


def test_suspend_asks_for_a_reason_first(staff_client, alice):
    response = staff_client.post(
        changelist(Organization),
        {"action": "suspend_organizations", "_selected_action": [alice.org.pk]},
    )
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    alice.org.refresh_from_db()
    assert not alice.org.is_suspended


def test_suspend_closes_pages_and_api_then_reactivate_restores(
    staff_client, staff, client, api, alice, bob, charlie
):
    bob_api = api(bob)
    response = suspend(staff_client, alice.org, "Unpaid invoice")
    assert response.status_code == 302

    org = Organization.objects.get(pk=alice.org.pk)
    assert org.is_suspended and org.suspended_reason == "Unpaid invoice"
    event = AuditEvent.objects.get(org=org, action="organization.suspend")
    assert event.actor == staff

    client.force_login(bob.user)
    page = client.get(reverse("org-home", args=["acme"]))
    assert page.status_code == 403
    assert "Acme Robotics is suspended" in page.content.decode()
    assert "Unpaid invoice" in page.content.decode()
    assert bob_api.get(reverse("api:objective-list", args=["acme"])).status_code == 403
    # Another tenant is untouched.
    client.force_login(charlie.user)
    assert client.get(reverse("org-home", args=["globex"])).status_code == 200

    client.force_login(staff)
    client.post(
        changelist(Organization),
        {"action": "reactivate_organizations", "_selected_action": [org.pk]},
    )
    org.refresh_from_db()
    assert not org.is_suspended and org.suspended_reason == ""
    client.force_login(bob.user)
    assert client.get(reverse("org-home", args=["acme"])).status_code == 200
    assert bob_api.get(reverse("api:objective-list", args=["acme"])).status_code == 200


def test_suspend_without_a_reason_is_refused(staff_client, alice):
    response = suspend(staff_client, alice.org, "  ")
    assert response.status_code == 200
    alice.org.refresh_from_db()
    assert not alice.org.is_suspended


def test_adding_an_organisation_creates_its_first_admin(staff_client, staff):
    response = staff_client.post(
        reverse("admin:orgs_organization_add"),
        {
            "name": "Initech",
            "slug": "",
            "timezone": "Europe/Berlin",
            "admin_email": "Peter@Initech.test",
            "admin_name": "Peter Gibbons",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    org = Organization.objects.get(slug="initech")
    admin_member = Membership.objects.get(org=org)
    assert admin_member.role == OrgRole.ADMIN
    assert admin_member.user.email == "peter@initech.test"
    assert AuditEvent.objects.filter(org=org, action="organization.create", actor=staff).exists()


def test_adding_an_organisation_with_a_taken_slug_is_refused(staff_client, alice):
    response = staff_client.post(
        reverse("admin:orgs_organization_add"),
        {"name": "Acme again", "slug": "acme", "timezone": "UTC", "admin_email": "x@y.test"},
    )
    assert response.status_code == 200
    assert Organization.objects.filter(slug="acme").count() == 1


def test_role_changes_in_the_admin_go_through_the_service(staff_client, staff, alice, bob):
    work_in(staff_client, alice.org)
    url = reverse("admin:orgs_membership_change", args=[alice.pk])
    data = {
        "role": OrgRole.MEMBER,
        "job_title": alice.job_title,
        "employee_id": "",
        "start_date": "",
        "is_active": "on",
    }
    # Alice is the only admin: demoting her is refused by the service's rule.
    staff_client.post(url, data)
    alice.refresh_from_db()
    assert alice.role == OrgRole.ADMIN

    bob_url = reverse("admin:orgs_membership_change", args=[bob.pk])
    staff_client.post(bob_url, {**data, "role": OrgRole.HR, "job_title": "People Partner"})
    bob.refresh_from_db()
    assert (bob.role, bob.job_title) == (OrgRole.HR, "People Partner")
    event = AuditEvent.objects.get(action="membership.update", object_id=str(bob.pk))
    assert event.actor == staff


def test_staff_create_a_user_with_an_email_login(staff_client):
    response = staff_client.post(
        reverse("admin:orgs_user_add"),
        {
            "email": "New.Person@Example.test",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.person@example.test")
    assert user.check_password("a long enough pass phrase")


def test_profile_edits_in_the_admin_are_audited_and_the_slug_stays(staff_client, staff, alice):
    org = alice.org
    url = reverse("admin:orgs_organization_change", args=[org.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "name": org.name,
            "slug": "renamed",
            "timezone": "UTC",
            "fiscal_year_start_month": 4,
            "mission": "Fixed typo in the mission.",
            "vision": org.vision,
            "values": "",
            "strategy_summary": "",
            "settings": "{}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert (org.slug, org.mission, org.fiscal_year_start_month) == (
        "acme",
        "Fixed typo in the mission.",
        4,
    )
    event = AuditEvent.objects.get(org=org, action="organization.update")
    assert event.actor == staff
    assert set(event.changes) == {"mission", "fiscal_year_start_month"}


def change_form_data(org, **overrides):
    return {
        "name": org.name,
        "timezone": "UTC",
        "fiscal_year_start_month": org.fiscal_year_start_month,
        "mission": org.mission,
        "vision": org.vision,
        "values": org.values,
        "strategy_summary": org.strategy_summary,
        "settings": "{}",
        **overrides,
    }


def test_rule_settings_in_the_admin_are_refused_as_the_rules_service_refuses_them(
    staff_client, alice
):
    # Given the organisation with its default rules
    org = alice.org
    url = reverse("admin:orgs_organization_change", args=[org.pk])
    stored = (org.settings, org.mission)

    # When staff set more KRAs as the least than as the most (and fix the mission too)
    response = staff_client.post(
        url,
        change_form_data(
            org, mission="A new mission.", settings=json.dumps({"kra_min": 6, "kra_max": 4})
        ),
    )

    # Then the form says what the rules page says, and nothing at all is saved
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["settings"] == [
        "The least number of KRAs cannot exceed the most."
    ]
    org.refresh_from_db()
    assert (org.settings, org.mission) == stored
    assert not AuditEvent.objects.filter(org=org).exists()

    # Nor are settings the organisation does not have
    response = staff_client.post(url, change_form_data(org, settings='{"kra_mni": 2}'))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["settings"] == ["Not rule settings: kra_mni."]
    org.refresh_from_db()
    assert org.settings == stored[0]


def test_rule_settings_in_the_admin_are_saved_and_audited_by_the_rules_service(
    staff_client, staff, alice
):
    org = alice.org
    url = reverse("admin:orgs_organization_change", args=[org.pk])
    response = staff_client.post(
        url, change_form_data(org, settings=json.dumps({"kra_min": 2, "kra_max": 4}))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert (rule_settings(org)["kra_min"], rule_settings(org)["kra_max"]) == (2, 4)
    event = AuditEvent.objects.get(org=org, action="organization.rules")
    assert event.actor == staff
    assert event.changes == {"kra_min": {"old": 3, "new": 2}, "kra_max": {"old": 5, "new": 4}}
