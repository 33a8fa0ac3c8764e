"""The member picker every form uses (orgs/fields.py) and the member search behind it: only
the chosen person is rendered, the server decides who may be chosen, and the search is
scoped to the organisation like the People page."""

import pytest
from django.urls import reverse

from orgs.forms import DepartmentForm, InvitationForm, MemberForm
from orgs.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(org, name, email, **fields):
    return MembershipFactory(org=org, user=UserFactory(email=email, full_name=name), **fields)


@pytest.fixture
def dora(org_a, bob):
    return person(org_a, "Dora Report", "dora@acme.test", manager=bob, employee_id="E-7")


@pytest.fixture
def leaver(org_a):
    return person(org_a, "Lee Leaver", "lee@acme.test", is_active=False, job_title="Analyst")


def member_form(org, membership, **data):
    """The member form for ``membership`` as posted when nothing else changes."""
    return MemberForm(
        {
            "role": membership.role,
            "department": "",
            "job_title": membership.job_title,
            "employee_id": membership.employee_id,
            "start_date": "",
            **data,
        },
        org=org,
        membership=membership,
    )


# --- the field -----------------------------------------------------------------------------


def test_the_form_renders_the_chosen_person_and_nobody_else(org_a, alice, bob, dora, leaver):
    others = [person(org_a, f"Quiet Person{i}", f"quiet{i}@acme.test") for i in range(5)]
    html = str(MemberForm(org=org_a, membership=bob)["manager"])
    # Given bob reports to alice, only alice is in the field
    assert "Alice Admin" in html and "alice@acme.test · COO" in html
    assert f'name="manager" value="{alice.pk}"' in html
    for other in [dora, leaver, *others]:
        assert other.display_name not in html and other.user.email not in html
    # It searches as one types, scoped to the organisation, with a label and a listbox
    assert 'hx-get="/o/acme/people/search/?picker=id_manager"' in html
    assert 'name="manager_search"' in html and 'id="id_manager"' in html
    assert 'role="combobox"' in html and 'aria-controls="id_manager_results"' in html
    assert "<select" not in html and "<option" not in html


def test_every_member_picker_is_the_search_field(org_a, alice, bob):
    forms = {
        "head": DepartmentForm(org=org_a),
        "manager": InvitationForm(org=org_a),
    }
    for name, form in forms.items():
        html = str(form[name])
        assert "data-member-search" in html and "<option" not in html, name


def test_a_member_of_this_organisation_is_accepted_by_id(org_a, alice, bob, dora):
    form = member_form(org_a, dora, manager=str(alice.pk))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["manager"] == alice
    # The box still showing the chosen person's name (as after picking) changes nothing.
    form = member_form(org_a, dora, manager=str(alice.pk), manager_search="Alice Admin")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["manager"] == alice


def test_another_organisations_member_is_refused_with_a_clear_message(org_a, alice, bob, charlie):
    form = member_form(org_a, bob, manager=str(charlie.pk))
    assert not form.is_valid()
    assert form.errors["manager"] == ["Choose a member of this organisation."]
    # The refused id is not rendered back into the form.
    assert f'value="{charlie.pk}"' not in str(form["manager"])
    # Nor is a number that is nobody's, nor something that is not a number.
    for value in ("999999", "abc"):
        form = member_form(org_a, bob, manager=value)
        assert form.errors["manager"] == ["Choose a member of this organisation."]


def test_a_deactivated_member_is_refused_unless_already_chosen(org_a, alice, bob, leaver):
    form = member_form(org_a, bob, manager=str(leaver.pk))
    assert not form.is_valid()
    assert form.errors["manager"] == ["Lee Leaver is deactivated: choose an active member."]
    # A departed manager already saved stays valid while something else is edited.
    Membership.objects.filter(pk=bob.pk).update(manager=leaver)
    bob.refresh_from_db()
    form = member_form(org_a, bob, manager=str(leaver.pk), job_title="Senior")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["manager"] == leaver


def test_without_javascript_an_exact_email_or_employee_id_picks_the_person(
    org_a, alice, bob, dora, leaver, charlie
):
    for typed in ("dora@acme.test", "DORA@acme.test", "e-7"):
        form = member_form(org_a, alice, manager="", manager_search=typed)
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["manager"] == dora
    # What is typed wins over an id left in the hidden input from before.
    form = member_form(org_a, dora, manager=str(bob.pk), manager_search="alice@acme.test")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["manager"] == alice
    # Nobody active here by that email: another organisation's, a deactivated one, a typo.
    for typed in ("charlie@globex.test", "lee@acme.test", "Dora"):
        form = member_form(org_a, alice, manager="", manager_search=typed)
        assert not form.is_valid()
        assert form.errors["manager"] == [
            f"Nobody active here has the email or employee id “{typed}”. Type part of a name "
            "and pick the person from the list."
        ]


def test_emptying_the_box_clears_the_choice(org_a, alice, bob):
    form = member_form(org_a, bob, manager=str(alice.pk), manager_search="  ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["manager"] is None


def test_a_required_picker_says_so(org_a, alice, bob):
    from roles.forms import AssignForm

    form = AssignForm({"member": "", "member_search": "", "start_date": "2030-01-01"}, org=org_a)
    assert not form.is_valid()
    assert form.errors["member"] == ["This field is required."]
    html = str(AssignForm(org=org_a)["member"])
    assert " required" in html and "Alice Admin" not in html and "Bob Member" not in html


def test_the_member_page_saves_a_manager_typed_by_email(login, alice, bob, dora):
    response = login(alice).post(
        reverse("member-edit", args=["acme", dora.pk]),
        {
            "role": dora.role,
            "department": "",
            "manager": "",
            "manager_search": "alice@acme.test",
            "job_title": dora.job_title,
            "employee_id": dora.employee_id,
            "start_date": "",
        },
    )
    assert response.status_code == 302
    dora.refresh_from_db()
    assert dora.manager == alice


# --- the search ----------------------------------------------------------------------------


def search(client, slug="acme", **query):
    return client.get(reverse("member-search", args=[slug]), query, HTTP_HX_REQUEST="true")


def test_alice_and_bob_find_active_members_by_name_email_or_title(
    login, alice, bob, dora, leaver, charlie
):
    for who in (alice, bob):
        client = login(who)
        html = search(client, q="dora", picker="id_manager").content.decode()
        assert "Dora Report" in html and "dora@acme.test" in html and "Analyst" in html
        assert f'data-member-id="{dora.pk}"' in html
        assert f'id="id_manager-option-{dora.pk}"' in html and 'role="option"' in html
        by_title = search(client, q="sales exec").content.decode()
        assert "Bob Member" in by_title and "Dora Report" not in by_title
    # Deactivated members and other organisations' people are never offered.
    client = login(alice)
    assert "Lee Leaver" not in search(client, q="lee").content.decode()
    assert "No active member matches" in search(client, q="lee").content.decode()
    assert "Charlie" not in search(client, q="charlie").content.decode()
    assert "Charlie" not in search(client, q="globex").content.decode()


def test_charlie_gets_404_and_his_own_search_shows_nothing_of_acme(login, alice, bob, charlie):
    client = login(charlie)
    response = search(client, q="bob")
    assert response.status_code == 404
    assert "Bob Member" not in response.content.decode()
    own = search(client, slug="globex", q="acme").content.decode()
    assert "Alice" not in own and "Bob" not in own
    assert "Charlie Other" in search(client, slug="globex", q="charlie").content.decode()


def test_the_search_answers_at_most_ten_and_says_there_are_more(login, org_a, alice):
    for i in range(14):
        person(org_a, f"Sam Sample{i:02d}", f"sam{i}@acme.test")
    html = search(login(alice), q="sam sample").content.decode()
    assert html.count('data-testid="member-option"') == 10
    assert "type more to narrow them" in html


def test_an_empty_or_odd_query_finds_nobody(login, alice, bob):
    client = login(alice)
    assert 'data-testid="member-option"' not in search(client, q="").content.decode()
    assert search(client, q="a\x00b").status_code == 200
    # An unexpected picker name falls back to a safe one.
    html = search(client, q="bob", picker='"><script>').content.decode()
    assert "<script>" not in html and 'id="member-option-' in html


def test_the_search_costs_the_same_queries_for_few_and_many_members(
    login, org_a, alice, django_assert_max_num_queries
):
    client = login(alice)
    search(client, q="a")
    for i in range(40):
        person(org_a, f"Ana Many{i}", f"ana{i}@acme.test")
    with django_assert_max_num_queries(10):
        response = search(client, q="ana")
    assert response.content.decode().count('data-testid="member-option"') == 10


def test_the_api_searches_members_like_the_page(api, alice, bob, dora, leaver, charlie):
    url = reverse("api:member-list", args=["acme"])
    body = api(bob).get(url, {"q": "dora"}).json()
    assert [m["full_name"] for m in body["results"]] == ["Dora Report"]
    assert api(bob).get(url, {"q": "lee"}).json()["count"] == 0  # deactivated
    assert api(bob).get(url, {"q": "charlie"}).json()["count"] == 0  # another organisation


def test_names_that_start_with_the_text_come_first(login, org_a, alice):
    person(org_a, "Aaron Zed", "aaron@acme.test", job_title="Marketing Lead")
    person(org_a, "Lee Marsh", "lee.marsh@acme.test")
    person(org_a, "Mara Young", "mara@acme.test")
    html = search(login(alice), q="mar").content.decode()
    order = [html.index(name) for name in ("Mara Young", "Lee Marsh", "Aaron Zed")]
    assert order == sorted(order)
