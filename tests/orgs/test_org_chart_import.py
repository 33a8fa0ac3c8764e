import re
from io import StringIO
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from orgs.imports import MAX_ROWS, org_chart_import, org_chart_preview
from orgs.models import AuditEvent, Department, Invitation, Membership, Notification, User
from orgs.services import invitation_accept
from orgs.services.invitations import hash_token
from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, UserFactory

HEADER = "Email,Full name,Employee ID,Department,Job title,Manager email\n"

GOOD = HEADER + (
    "ceo@acme.test,Carol Chief,E1,,Chief Executive Officer,alice@acme.test\n"
    "sales.head@acme.test,Sam Seller,E2,Sales,Head of Sales,ceo@acme.test\n"
    "rep@acme.test,Rita Rep,E3,Sales/Inside Sales,Inside Sales Representative,"
    "sales.head@acme.test\n"
    "bob@acme.test,Bob Member,E4,Sales/Inside Sales,Sales Executive,sales.head@acme.test\n"
)


def csv_bytes(text: str) -> bytes:
    return text.encode()


def snapshot_counts(org):
    return {
        "users": User.objects.count(),
        "members": Membership.objects.filter(org=org).count(),
        "departments": Department.objects.filter(org=org).count(),
        "audit": AuditEvent.objects.filter(org=org).count(),
        "managers": list(
            Membership.objects.filter(org=org).order_by("pk").values_list("pk", "manager_id")
        ),
    }


def row_numbers(messages):
    return sorted({int(m) for m in re.findall(r"^Row (\d+):", "\n".join(messages), re.M)})


# --- the service ---------------------------------------------------------------------------


def test_a_file_with_bad_rows_is_refused_whole_with_a_message_per_bad_row(alice, bob):
    org = alice.org
    text = HEADER + (
        "good@acme.test,Good Person,E1,Sales,Rep,alice@acme.test\n"  # 2: fine
        ",No Email,E2,Sales,Rep,\n"  # 3: missing email
        "not-an-email,Bad Email,E3,Sales,Rep,\n"  # 4: invalid email
        "good@acme.test,Twice,E4,Sales,Rep,\n"  # 5: duplicate email
        "dup.id@acme.test,Dup Id,E1,Sales,Rep,\n"  # 6: duplicate employee id
        "lost@acme.test,Lost,E6,Sales,Rep,nobody@elsewhere.test\n"  # 7: unknown manager
        "selfie@acme.test,Self,E7,Sales,Rep,selfie@acme.test\n"  # 8: own manager
        "loop.a@acme.test,Loop A,E8,,Rep,loop.b@acme.test\n"  # 9: cycle
        "loop.b@acme.test,Loop B,E9,,Rep,loop.a@acme.test\n"  # 10: cycle
        "empty.part@acme.test,Empty Part,E10,Sales//Inside,Rep,\n"  # 11: bad path
        f"long.dept@acme.test,Long Dept,E11,Sales/{'x' * 121},Rep,\n"  # 12: name too long
        "no.name@acme.test,,E12,Sales,Rep,\n"  # 13: missing full name
    )
    before = snapshot_counts(org)

    with pytest.raises(ValidationError) as caught:
        org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(text))

    messages = caught.value.messages
    assert row_numbers(messages) == list(range(3, 14))
    joined = "\n".join(messages)
    assert "Row 7: Unknown manager nobody@elsewhere.test" in joined
    assert "Row 5: good@acme.test is already on row 2." in joined
    assert "Row 6: Employee id E1 is already used on row 2." in joined
    assert "Row 8: A person cannot be their own manager." in joined
    assert "Row 9: This would make a reporting cycle" in joined
    assert "Row 11: The department path “Sales//Inside” has an empty part." in joined
    assert snapshot_counts(org) == before


def test_a_cycle_through_existing_members_is_caught(alice, bob):
    # Given bob reports to alice, making alice report to a new person who reports to bob
    # closes a loop that only exists once the file meets the database.
    text = HEADER + (
        "alice@acme.test,Alice Admin,,,,new.boss@acme.test\n"
        "new.boss@acme.test,New Boss,,,,bob@acme.test\n"
    )
    preview = org_chart_preview(org=alice.org, file_bytes=csv_bytes(text))
    assert not preview.is_valid
    assert row_numbers(preview.messages) == [2, 3]
    assert (
        "alice@acme.test → new.boss@acme.test → bob@acme.test → alice@acme.test"
        in (preview.messages[0])
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("email,full name\ncafé@acme.test,Zoë\n".encode("latin-1"), "not UTF-8"),
        (b"email,job title\na@acme.test,Rep\n", "Missing required column(s): full name"),
        (b"", "empty"),
        (b"email,full name\n", "no people"),
        (b"email,Full Name,E-mail\n", "Two columns"),
    ],
)
def test_file_level_problems_are_reported_and_nothing_is_written(alice, content, expected):
    before = snapshot_counts(alice.org)
    preview = org_chart_preview(org=alice.org, file_bytes=content)
    assert not preview.is_valid
    assert expected in " ".join(preview.file_errors)
    with pytest.raises(ValidationError):
        org_chart_import(org=alice.org, actor=alice, file_bytes=content)
    assert snapshot_counts(alice.org) == before


def test_more_than_the_row_limit_is_refused(alice):
    rows = "".join(f"p{i}@acme.test,P {i}\n" for i in range(MAX_ROWS + 1))
    preview = org_chart_preview(org=alice.org, file_bytes=csv_bytes("email,full name\n" + rows))
    assert not preview.is_valid
    assert str(MAX_ROWS) in preview.file_errors[0]


def test_header_names_ignore_case_spaces_and_underscores(alice):
    text = "EMAIL , full_name,employee-id,DEPARTMENT path,Job Title,manager_email\n"
    text += "x@acme.test,X Person,E9,Ops,Clerk,alice@acme.test\n"
    preview = org_chart_preview(org=alice.org, file_bytes=csv_bytes(text))
    assert preview.is_valid, preview.messages
    assert preview.columns == [
        "email",
        "full_name",
        "employee_id",
        "department",
        "job_title",
        "manager_email",
    ]


def test_a_good_file_creates_the_department_tree_people_and_managers(alice, bob):
    org = alice.org
    # An existing department is matched whatever the case in the file.
    DepartmentFactory(org=org, name="sales")

    result = org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(GOOD))

    assert (result.created, result.updated, result.unchanged) == (3, 1, 0)
    assert result.departments_created == 1
    sales = Department.objects.get(org=org, name="sales", parent=None)
    inside = Department.objects.get(org=org, name="Inside Sales")
    assert inside.parent == sales

    members = {
        m.user.email: m
        for m in Membership.objects.filter(org=org).select_related("user", "manager__user")
    }
    assert members["ceo@acme.test"].manager == alice
    assert members["sales.head@acme.test"].manager.user.email == "ceo@acme.test"
    assert members["rep@acme.test"].manager.user.email == "sales.head@acme.test"
    assert members["rep@acme.test"].department == inside
    assert members["rep@acme.test"].employee_id == "E3"
    assert members["rep@acme.test"].job_title == "Inside Sales Representative"
    # bob already existed: he is updated, not duplicated.
    assert members["bob@acme.test"].pk == bob.pk
    assert members["bob@acme.test"].department == inside
    assert members["bob@acme.test"].manager.user.email == "sales.head@acme.test"

    new_user = User.objects.get(email="rep@acme.test")
    assert new_user.full_name == "Rita Rep"
    assert not new_user.has_usable_password()

    events = AuditEvent.objects.filter(org=org)
    assert events.filter(action="membership.create").count() == 3
    update = events.get(action="membership.update", object_id=str(bob.pk))
    assert update.actor == alice.user
    assert set(update.changes) == {"department", "manager", "employee_id"}
    assert update.changes["manager"]["old"]["id"] == alice.pk
    assert events.filter(action="department.create").count() == 1
    assert events.filter(action="org_chart.import").count() == 1


def test_importing_the_same_file_again_changes_nothing(alice, bob):
    org = alice.org
    org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(GOOD))
    before = snapshot_counts(org)
    titles = list(Membership.objects.filter(org=org).values_list("pk", "job_title", "employee_id"))

    # Header spelled differently and paths in other case: still the same org chart.
    again = GOOD.replace("Sales/Inside Sales", "sales / inside sales").replace(
        HEADER, "email,full_name,employee_id,department,job_title,manager_email\n"
    )
    result = org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(again))

    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert result.departments_created == 0
    assert snapshot_counts(org) == before
    assert (
        list(Membership.objects.filter(org=org).values_list("pk", "job_title", "employee_id"))
        == titles
    )


def test_a_change_is_applied_and_audited_for_that_member_only(alice, bob):
    org = alice.org
    org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(GOOD))
    audit_before = AuditEvent.objects.filter(org=org).count()

    changed = GOOD.replace(
        "Rita Rep,E3,Sales/Inside Sales,Inside Sales Representative",
        "Rita Rep,E3,Sales,Senior Representative",
    )
    result = org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(changed))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    rita = Membership.objects.get(org=org, user__email="rep@acme.test")
    assert rita.job_title == "Senior Representative"
    assert (rita.department.name, rita.department.parent) == ("Sales", None)
    new_events = AuditEvent.objects.filter(org=org).order_by("id")[audit_before:]
    assert [e.action for e in new_events] == ["membership.update", "org_chart.import"]
    assert set(new_events[0].changes) == {"department", "job_title"}


def test_employee_ids_may_swap_between_members(alice, bob):
    org = alice.org
    alice.employee_id, bob.employee_id = "A1", "B1"
    alice.save()
    bob.save()
    text = "email,full name,employee id\nalice@acme.test,Alice,B1\nbob@acme.test,Bob,A1\n"

    result = org_chart_import(org=org, actor=alice, file_bytes=csv_bytes(text))

    assert result.updated == 2
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.employee_id, bob.employee_id) == ("B1", "A1")


def test_an_employee_id_held_by_someone_outside_the_file_is_refused(alice, bob):
    bob.employee_id = "E77"
    bob.save()
    text = "email,full name,employee id\nnew@acme.test,New Person,E77\n"
    preview = org_chart_preview(org=alice.org, file_bytes=csv_bytes(text))
    assert preview.messages == [
        "Row 2: Employee id E77 belongs to bob@acme.test, who is not in this file."
    ]


def test_columns_left_out_keep_existing_values(alice, bob):
    dept = DepartmentFactory(org=alice.org, name="Field")
    bob.department, bob.employee_id = dept, "B7"
    bob.save()
    text = "email,full name,job title\nbob@acme.test,Bob Member,Closer\n"

    org_chart_import(org=alice.org, actor=alice, file_bytes=csv_bytes(text))

    bob.refresh_from_db()
    assert (bob.job_title, bob.department, bob.employee_id, bob.manager) == (
        "Closer",
        dept,
        "B7",
        alice,
    )


def test_an_existing_account_is_invited_not_attached(
    alice, org_b, django_capture_on_commit_callbacks
):
    # Given dana has an account already (a member of globex)
    outsider = UserFactory(email="dana@elsewhere.test", full_name="Dana Original")
    MembershipFactory(org=org_b, user=outsider)
    password_hash = outsider.password
    text = HEADER + (
        "dana@elsewhere.test,Someone Else,E9,Ops,Auditor,alice@acme.test\n"
        "new.person@acme.test,New Person,E10,Ops,Clerk,alice@acme.test\n"
    )

    # When acme imports a file naming her
    with (
        mock.patch("orgs.tasks.send_invitation_email.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = org_chart_import(org=alice.org, actor=alice, file_bytes=csv_bytes(text))

    # Then she is not a member: she has a pending invitation, emailed after commit, that
    # carries the file's name for her, and her account is untouched.
    assert not Membership.objects.filter(org=alice.org, user=outsider).exists()
    invitation = Invitation.objects.get(org=alice.org, email="dana@elsewhere.test")
    assert invitation.is_pending and invitation.full_name == "Someone Else"
    assert (invitation.job_title, invitation.department.name, invitation.manager) == (
        "Auditor",
        "Ops",
        alice,
    )
    delay.assert_called_once()
    assert delay.call_args.kwargs["invitation_id"] == invitation.pk
    outsider.refresh_from_db()
    assert (outsider.full_name, outsider.password) == ("Dana Original", password_hash)
    # And the result counts her like the new person, telling nothing of her account.
    assert result.created == 2
    assert not hasattr(result, "users_created")
    new = Membership.objects.get(org=alice.org, user__email="new.person@acme.test")
    assert new.account_created_by_org
    audit = AuditEvent.objects.get(org=alice.org, action="org_chart.import")
    assert "Dana Original" not in str(audit.changes)


def test_people_reporting_to_an_invitee_get_them_as_manager_once_they_accept(alice, org_b):
    outsider = UserFactory(email="dana@elsewhere.test", full_name="Dana Original")
    MembershipFactory(org=org_b, user=outsider)
    text = HEADER + (
        "dana@elsewhere.test,Dana From File,,,Team Lead,alice@acme.test\n"
        "rep@acme.test,Rita Rep,,,Rep,dana@elsewhere.test\n"
    )
    org_chart_import(org=alice.org, actor=alice, file_bytes=csv_bytes(text))
    rep = Membership.objects.get(org=alice.org, user__email="rep@acme.test")
    invitation = Invitation.objects.get(org=alice.org, email="dana@elsewhere.test")
    assert rep.manager is None and rep.awaited_manager == invitation

    # The same file again changes nothing and invites nobody twice.
    before = snapshot_counts(alice.org)
    again = org_chart_import(org=alice.org, actor=alice, file_bytes=csv_bytes(text))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot_counts(alice.org) == before
    assert Invitation.objects.filter(org=alice.org, email="dana@elsewhere.test").count() == 1

    # When dana accepts with her own password
    raw = "known-token"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(raw))
    dana = invitation_accept(
        raw_token=raw, full_name="", password=PASSWORD, request=RequestFactory().post("/")
    )
    rep.refresh_from_db()
    assert rep.manager == dana and rep.awaited_manager is None
    assert dana.display_name == "Dana Original"
    # rep is told who their manager now is
    assert Notification.objects.filter(recipient=rep, kind="member.manager_changed").exists()


def test_the_result_and_the_api_never_say_whether_an_account_existed(api, alice, org_b):
    MembershipFactory(org=org_b, user=UserFactory(email="dana@elsewhere.test"))
    text = HEADER + "dana@elsewhere.test,Dana,,,,\nfresh@acme.test,Fresh,,,,\n"
    response = api(alice).post(
        api_url(), {"file": upload(text=text), "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "departments_created": 0}


def test_the_import_uses_a_bounded_number_of_queries(alice, django_assert_max_num_queries):
    rows = "".join(
        f"p{i}@acme.test,Person {i},E{i},Ops/Team {i % 3},Clerk,"
        f"{'alice@acme.test' if i < 10 else f'p{i // 10}@acme.test'}\n"
        for i in range(300)
    )
    content = csv_bytes(HEADER + rows)
    with django_assert_max_num_queries(6):
        assert org_chart_preview(org=alice.org, file_bytes=content).is_valid
    # 4 departments through the service, a handful of bulk statements for 300 people (and
    # the accounts' look-up context, a thousand emails at a time).
    with django_assert_max_num_queries(42):
        result = org_chart_import(org=alice.org, actor=alice, file_bytes=content)
    assert result.created == 300


# --- the page ------------------------------------------------------------------------------


def upload(name="org.csv", text=GOOD):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_alice_previews_then_confirms_an_import(login, alice, bob):
    client = login(alice)
    url = reverse("org-chart-import", args=["acme"])
    assert client.get(url).status_code == 200
    before = snapshot_counts(alice.org)

    preview = client.post(url, {"file": upload()})

    assert preview.status_code == 200
    page = preview.content.decode()
    assert page.count('data-testid="preview-row"') == 4
    assert "rep@acme.test" in page and "ready: new" in page
    assert snapshot_counts(alice.org) == before  # a preview writes nothing
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)

    done = client.post(url, {"digest": digest}, follow=True)

    assert done.redirect_chain == [(reverse("org-chart-import-result", args=["acme"]), 302)]
    assert 'data-testid="import-result"' in done.content.decode()
    assert Membership.objects.filter(org=alice.org).count() == 5
    # The same confirmation cannot be replayed.
    replay = client.post(url, {"digest": digest})
    assert replay.status_code == 302
    assert Membership.objects.filter(org=alice.org).count() == 5


def test_the_page_lists_every_problem_and_offers_no_import(login, alice):
    bad = HEADER + "x@acme.test,X,,,,ghost@acme.test\n,Nobody,,,,\n"
    response = login(alice).post(
        reverse("org-chart-import", args=["acme"]), {"file": upload(text=bad)}
    )
    page = response.content.decode()
    assert "Row 2: Unknown manager ghost@acme.test" in page
    assert "Row 3: The email is missing." in page
    assert 'data-testid="confirm-form"' not in page


def test_a_digest_that_was_never_previewed_imports_nothing(login, alice):
    client = login(alice)
    before = snapshot_counts(alice.org)
    response = client.post(reverse("org-chart-import", args=["acme"]), {"digest": "a" * 64})
    assert response.status_code == 302
    assert snapshot_counts(alice.org) == before


def test_the_example_csv_downloads_and_is_itself_importable(login, alice):
    response = login(alice).get(reverse("org-chart-import", args=["acme"]) + "?example=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert org_chart_preview(org=alice.org, file_bytes=response.content).is_valid


def test_bob_may_not_import(login, bob):
    client = login(bob)
    url = reverse("org-chart-import", args=["acme"])
    before = snapshot_counts(bob.org)
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload()}).status_code == 403
    assert snapshot_counts(bob.org) == before


def test_charlie_gets_404_and_nothing_is_written_to_acme(login, charlie, alice):
    client = login(charlie)
    url = reverse("org-chart-import", args=["acme"])
    before = snapshot_counts(alice.org)
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": upload()}).status_code == 404
    assert client.post(url, {"digest": "a" * 64}).status_code == 404
    assert snapshot_counts(alice.org) == before


def test_a_preview_cannot_be_confirmed_by_another_admin(login, client, alice, org_a):
    other_admin = MembershipFactory(org=org_a, role="admin")
    page = login(alice).post(reverse("org-chart-import", args=["acme"]), {"file": upload()})
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page.content.decode()).group(1)
    client.force_login(other_admin.user)
    response = client.post(reverse("org-chart-import", args=["acme"]), {"digest": digest})
    assert response.status_code == 302
    assert not Membership.objects.filter(org=org_a, user__email="rep@acme.test").exists()


# --- the API -------------------------------------------------------------------------------


def api_url(slug="acme"):
    return reverse("api:org-chart-import", args=[slug])


def test_api_dry_run_previews_and_writes_nothing(api, alice, bob):
    client = api(alice)
    before = snapshot_counts(alice.org)
    response = client.post(api_url(), {"file": upload(), "dry_run": "true"}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True
    assert body["counts"] == {"new": 3, "changed": 1, "unchanged": 0, "invalid": 0}
    assert body["new_departments"] == ["Sales", "Sales/Inside Sales"]
    assert [r["row"] for r in body["rows"]] == [2, 3, 4, 5]
    assert snapshot_counts(alice.org) == before


def test_api_refuses_an_invalid_file_with_every_row_error(api, alice):
    bad = HEADER + "x@acme.test,X,,,,ghost@acme.test\nx@acme.test,X again,,,,\n"
    response = api(alice).post(api_url(), {"file": upload(text=bad)}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["valid"] is False
    assert body["errors"] == [
        "Row 2: Unknown manager ghost@acme.test: not in this file and not a member of "
        "Acme Robotics.",
        "Row 3: x@acme.test is already on row 2.",
    ]
    assert [r["status"] for r in body["rows"]] == ["invalid", "invalid"]
    assert Membership.objects.filter(org=alice.org).count() == 1


def test_api_imports_and_a_second_run_changes_nothing(api, alice, bob):
    client = api(alice)
    first = client.post(api_url(), {"file": upload()}, format="multipart")
    assert first.status_code == 200, first.content
    assert first.json() == {
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "departments_created": 2,
    }
    before = snapshot_counts(alice.org)
    second = client.post(api_url(), {"file": upload()}, format="multipart")
    assert second.json()["unchanged"] == 4
    assert snapshot_counts(alice.org) == before


def test_api_without_a_file_is_a_400(api, alice):
    response = api(alice).post(api_url(), {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_api_bob_403_and_charlie_404(api, alice, bob, charlie):
    before = snapshot_counts(alice.org)
    assert api(bob).post(api_url(), {"file": upload()}, format="multipart").status_code == 403
    assert api(charlie).post(api_url(), {"file": upload()}, format="multipart").status_code == 404
    members = Membership.objects.filter(org=alice.org).count()
    assert members == before["members"]
    assert not User.objects.filter(email="rep@acme.test").exists()


# --- the management command ----------------------------------------------------------------


def test_the_command_imports_a_file(alice, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(GOOD)
    out = StringIO()
    call_command("import_org_chart", "acme", str(path), stdout=out)
    assert "4 added" in out.getvalue()
    assert Membership.objects.filter(org=alice.org).count() == 5
    assert (
        AuditEvent.objects.filter(org=alice.org, action="membership.create").first().actor is None
    )


def test_the_command_dry_run_writes_nothing(alice, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(GOOD)
    before = snapshot_counts(alice.org)
    out = StringIO()
    call_command("import_org_chart", "acme", str(path), "--dry-run", stdout=out)
    assert "Dry run: 4 new" in out.getvalue()
    assert snapshot_counts(alice.org) == before


def test_the_command_prints_every_row_error_and_fails(alice, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(HEADER + "x@acme.test,X,,,,ghost@acme.test\n,Nobody,,,,\n")
    before = snapshot_counts(alice.org)
    err = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_org_chart", "acme", str(path), stderr=err)
    assert "Row 2: Unknown manager ghost@acme.test" in err.getvalue()
    assert "Row 3: The email is missing." in err.getvalue()
    assert snapshot_counts(alice.org) == before


def test_the_command_refuses_an_unknown_organisation(db, tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="No organisation"):
        call_command("import_org_chart", "nope", str(path))
