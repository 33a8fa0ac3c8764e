"""The audit trail page shows values as a person reads them: names rather than stored
dictionaries, lists joined, yes/no, dates and numbers in the organisation's format, choices
by their label, "—" for nothing."""

import pytest
from django.urls import reverse

from orgs.audit import change_lines
from orgs.models import AuditEvent, Department
from orgs.org_settings import organization_update_rules
from orgs.services.departments import department_create, department_update

pytestmark = pytest.mark.django_db


def _page(client, org):
    response = client.get(reverse("audit-list", args=[org.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_related_object_shows_by_its_name_not_as_stored(login, alice, bob):
    department = department_create(org=alice.org, actor=alice, name="Sales")
    department_update(department=department, actor=alice, head=bob)

    page = _page(login(alice), alice.org)

    assert "{&#x27;id&#x27;" not in page and "{'id'" not in page
    assert "&#x27;label&#x27;" not in page
    assert '<strong>Head</strong>: <span class="audit-old">—</span> → ' in page
    assert '<span class="audit-new">Bob Member</span>' in page


def test_lists_are_joined_and_booleans_read_yes_or_no(login, alice):
    organization_update_rules(
        org=alice.org,
        actor=alice,
        require_alignment=False,
        activity_verbs=["conduct", "attend"],
    )

    page = _page(login(alice), alice.org)

    assert '<span class="audit-old">yes</span> → <span class="audit-new">no</span>' in page
    assert '<span class="audit-new">attend, conduct</span>' in page
    assert "[&#x27;attend&#x27;" not in page
    assert "True" not in page and "False" not in page


def test_dates_numbers_and_choices_read_as_on_every_other_page(alice):
    event = AuditEvent(
        org=alice.org,
        actor_label="alice@acme.test",
        action="membership.update",
        object_type="orgs.membership",
        object_id=str(alice.pk),
        changes={
            "start_date": {"old": None, "new": "2015-03-02"},
            "role": {"old": "member", "new": "admin"},
            "job_title": {"old": "", "new": "COO"},
        },
    )
    lines = {line.label: (line.old, line.new) for line in change_lines(event)}
    assert lines["Start date"] == ("—", "March 2, 2015")
    assert lines["Org role"] == ("Member", "Org admin")
    assert lines["Job title"] == ("—", "COO")


def test_figures_without_a_before_show_as_plain_values(alice):
    event = AuditEvent(
        org=alice.org,
        actor_label="system",
        action="org_chart.import",
        object_type="orgs.organization",
        object_id=str(alice.org.pk),
        changes={"created": 1200, "updated": 0},
    )
    lines = change_lines(event)
    assert [(line.label, line.value, line.is_figure) for line in lines] == [
        ("Created", "1,200", True),
        ("Updated", "0", True),
    ]


def test_the_page_marks_values_to_wrap_anywhere(login, alice, settings):
    department_create(org=alice.org, actor=alice, name="x" * 120)
    page = _page(login(alice), alice.org)
    assert 'class="audit-text audit-changes"' in page
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert ".audit-text { overflow-wrap: anywhere; }" in css


def test_the_audit_page_has_a_bounded_number_of_queries(
    login, alice, bob, django_assert_max_num_queries
):
    # Given a full page of events of several kinds
    for number in range(30):
        department = department_create(org=alice.org, actor=alice, name=f"Team {number}")
        department_update(department=department, actor=alice, head=bob)
    assert AuditEvent.objects.filter(org=alice.org).count() >= 50
    client = login(alice)
    # When the page is read, then the number of queries does not grow with the events
    with django_assert_max_num_queries(12):
        page = _page(client, alice.org)
    assert page.count('data-testid="audit-row"') == 50
    assert Department.objects.filter(org=alice.org).count() == 30
