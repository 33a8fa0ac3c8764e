"""The pages for recording results: "My KPIs this period", the KPI page's form (htmx, in
place) and the CSV upload (preview, nothing written until the whole file is valid, then
post/redirect/get). alice is an org admin, bob a plain member reporting to her, charlie in
another organisation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kpis.measurements import period_containing
from kpis.models import Measurement
from tests.factories import MembershipFactory

from .test_measure_support import holder_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(bob):
    return holder_of(bob, start=datetime.date(2020, 1, 1), unit="deals")


def _this_month():
    return period_containing("monthly", timezone.localdate())[0]


# --- My KPIs this period ---------------------------------------------------------------------


def test_my_kpis_lists_what_is_due_with_the_target_beside_it(client, bob, kpi):
    client.force_login(bob.user)
    response = client.get(reverse("my-kpis", args=[bob.org.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert kpi.name in body and f'name="kpi-{kpi.pk}-value"' in body
    assert "≥ 100 deals" in body
    assert "no data" in body


def test_saving_my_kpis_records_this_periods_value_once(client, bob, kpi):
    client.force_login(bob.user)
    url = reverse("my-kpis", args=[bob.org.slug])
    response = client.post(url, {f"kpi-{kpi.pk}-value": "42", f"kpi-{kpi.pk}-note": "ok"})
    assert response.status_code == 302
    client.post(url, {f"kpi-{kpi.pk}-value": "45"})
    m = Measurement.objects.get()
    assert (m.value, m.person, m.period_start) == (45, bob, _this_month())
    assert 'value="45"' in client.get(url).content.decode()


def test_a_bad_value_on_my_kpis_saves_nothing_and_says_why(client, bob, kpi):
    other = holder_of(bob, name="Proposals sent", start=datetime.date(2020, 1, 1))
    client.force_login(bob.user)
    response = client.post(
        reverse("my-kpis", args=[bob.org.slug]),
        {f"kpi-{kpi.pk}-value": "12", f"kpi-{other.pk}-value": "lots"},
    )
    assert response.status_code == 400
    assert "not a number" in response.content.decode()
    assert not Measurement.objects.exists()


def test_my_kpis_for_someone_holding_nothing_says_so(client, alice):
    client.force_login(alice.user)
    response = client.get(reverse("my-kpis", args=[alice.org.slug]))
    assert 'data-testid="nothing-due"' in response.content.decode()


def test_charlie_cannot_open_or_post_my_kpis_of_another_organisation(client, charlie, bob, kpi):
    client.force_login(charlie.user)
    url = reverse("my-kpis", args=[bob.org.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"kpi-{kpi.pk}-value": "1"}).status_code == 404
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("count", [2, 10])
def test_my_kpis_costs_the_same_queries_whatever_the_number_of_kpis(
    client, bob, count, django_assert_max_num_queries
):
    for n in range(count):
        holder_of(bob, name=f"KPI {n}", start=datetime.date(2020, 1, 1))
    client.force_login(bob.user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("my-kpis", args=[bob.org.slug]))
    assert response.content.decode().count('data-testid="due-kpi"') == count


# --- the KPI page's form ---------------------------------------------------------------------


def _measure(client, kpi, person, value="55"):
    return client.post(
        reverse("kpi-measure", args=[kpi.org.slug, kpi.pk]),
        {"person": person.pk, "period_start": _this_month().isoformat(), "value": value},
        HTTP_HX_REQUEST="true",
    )


def test_bob_records_a_value_in_place_on_the_kpi_page(client, bob, kpi):
    client.force_login(bob.user)
    page = client.get(reverse("kpi-detail", args=[bob.org.slug, kpi.pk])).content.decode()
    assert reverse("kpi-measure", args=[bob.org.slug, kpi.pk]) in page
    response = _measure(client, kpi, bob)
    assert response.status_code == 200
    assert 'data-testid="measure-saved"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert Measurement.objects.get().entered_by == bob


def test_alice_records_for_bob_who_reports_to_her(client, alice, bob, kpi):
    client.force_login(alice.user)
    assert _measure(client, kpi, bob).status_code == 200
    assert Measurement.objects.get().entered_by == alice


def test_a_colleague_is_not_offered_bob_and_writes_nothing(client, bob, kpi):
    colleague = MembershipFactory(org=bob.org)
    holder_of(colleague, role=kpi.kra.role, start=datetime.date(2020, 1, 1))
    client.force_login(colleague.user)
    response = _measure(client, kpi, bob)
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_wrong_value_on_the_kpi_page_is_refused_in_place(client, bob, kpi):
    client.force_login(bob.user)
    response = _measure(client, kpi, bob, value="ten")
    assert "not a number" in response.content.decode()
    assert not Measurement.objects.exists()


def test_charlie_gets_404_on_the_kpi_form(client, charlie, bob, kpi):
    client.force_login(charlie.user)
    assert _measure(client, kpi, bob).status_code == 404
    assert not Measurement.objects.exists()


# --- the CSV upload --------------------------------------------------------------------------


def _file(rows: list[str]) -> SimpleUploadedFile:
    content = "\n".join(["person,kpi,period start,value,note,source ref", *rows]) + "\n"
    return SimpleUploadedFile("results.csv", content.encode(), content_type="text/csv")


def _upload(client, org, rows):
    return client.post(reverse("measurement-import", args=[org.slug]), {"file": _file(rows)})


def test_a_valid_file_is_previewed_then_recorded_and_the_result_shown(client, alice, bob, kpi):
    client.force_login(alice.user)
    start = _this_month().isoformat()
    rows = [
        f"{bob.user.email},{kpi.pk},{start},40,,crm-1",
        f"{bob.user.email},{kpi.pk},{start},2,,",
    ]
    preview = _upload(client, bob.org, rows)
    assert preview.status_code == 200
    assert not Measurement.objects.exists(), "a preview writes nothing"
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.content.decode())[1]
    done = client.post(reverse("measurement-import", args=[bob.org.slug]), {"digest": digest})
    assert done.status_code == 302
    assert done["Location"] == reverse("measurement-import-result", args=[bob.org.slug])
    assert Measurement.objects.count() == 2
    result = client.get(done["Location"]).content.decode()
    assert "2 values added" in result
    # The same confirmation again records nothing more.
    client.post(reverse("measurement-import", args=[bob.org.slug]), {"digest": digest})
    assert Measurement.objects.count() == 2


def test_a_file_with_bad_rows_shows_every_rows_errors_and_records_nothing(client, alice, bob, kpi):
    client.force_login(alice.user)
    start = _this_month()
    rows = [
        f"{bob.user.email},{kpi.pk},{start.isoformat()},40,,",
        f"nobody@acme.test,{kpi.pk},{start.isoformat()},40,,",
        f"{bob.user.email},{kpi.pk},{(start + datetime.timedelta(days=3)).isoformat()},4,,",
        f"{bob.user.email},{kpi.pk},{start.isoformat()},many,,",
    ]
    response = _upload(client, bob.org, rows)
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body and 'data-testid="confirm-form"' not in body
    assert "No one in this organisation" in body
    assert "first of a month" in body and "not a number" in body
    assert not Measurement.objects.exists()


def test_bob_may_not_upload_values_for_alice(client, alice, bob, kpi):
    holder_of(alice, role=kpi.kra.role, start=datetime.date(2020, 1, 1))
    client.force_login(bob.user)
    response = _upload(client, bob.org, [f"{alice.user.email},{kpi.pk},{_this_month()},1,,"])
    assert "You may not record results" in response.content.decode()
    assert not Measurement.objects.exists()


def test_charlie_cannot_upload_into_another_organisation(client, charlie, bob, kpi):
    client.force_login(charlie.user)
    response = _upload(client, bob.org, [f"{bob.user.email},{kpi.pk},{_this_month()},1,,"])
    assert response.status_code == 404
    assert client.get(reverse("measurement-import-result", args=[bob.org.slug])).status_code == 404
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("count", [5, 300])
def test_the_upload_preview_costs_the_same_queries_whatever_the_rows(
    client, alice, bob, kpi, count, django_assert_max_num_queries
):
    client.force_login(alice.user)
    rows = [f"{bob.user.email},{kpi.pk},{_this_month()},{n},,ref-{n}" for n in range(count)]
    with django_assert_max_num_queries(16):
        response = _upload(client, bob.org, rows)
    assert response.content.decode().count('data-testid="preview-row"') == count


@pytest.mark.parametrize(
    ("achievement", "status"),
    [
        (None, ""),
        ("0.95", "on_track"),
        ("0.9", "on_track"),
        ("0.7", "at_risk"),
        ("0.2", "off_track"),
    ],
)
def test_status_follows_the_organisations_thresholds(achievement, status):
    from kpis.measurement_selectors import score_status

    assert score_status(achievement, on_track="0.9", at_risk="0.7") == status


def test_my_kpis_shows_the_status_once_scores_are_computed(client, bob, kpi):
    from kpis.measurements import measurement_record
    from kpis.rollups import rollup_organization

    measurement_record(kpi=kpi, person=bob, actor=bob, period_start=_this_month(), value="50")
    rollup_organization(bob.org_id)
    client.force_login(bob.user)
    body = client.get(reverse("my-kpis", args=[bob.org.slug])).content.decode()
    assert "off track" in body and "Scores last computed" in body


def test_the_upload_result_is_the_uploaders_own(client, alice, bob, kpi):
    client.force_login(alice.user)
    rows = [f"{bob.user.email},{kpi.pk},{_this_month()},40,,"]
    preview = _upload(client, bob.org, rows)
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.content.decode())[1]
    client.post(reverse("measurement-import", args=[bob.org.slug]), {"digest": digest})
    client.force_login(bob.user)
    # Bob may not confirm Alice's upload, and his result page has nothing of hers.
    again = client.post(reverse("measurement-import", args=[bob.org.slug]), {"digest": digest})
    assert again.status_code == 302
    assert Measurement.objects.count() == 1
    result = client.get(reverse("measurement-import-result", args=[bob.org.slug]))
    assert 'data-testid="no-import-result"' in result.content.decode()
