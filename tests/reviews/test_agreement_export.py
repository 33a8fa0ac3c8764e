"""HR's bulk export of signed agreements: a real worker on real Redis builds the ZIP, with
an index CSV and one PDF per agreement in force; a PDF that fails is named and the rest
still come; only HR and org admins start or follow an export."""

from __future__ import annotations

import csv
import io
import subprocess
import time
import zipfile

import pytest
from django.urls import reverse

from reviews.models import ExportJob, ExportStatus

from .conftest import assign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def wait_for(job_id: int, timeout: float = 120) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError("the export did not finish")


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def two_in_force(active, dave, alice, role, sign):
    """Bob's agreement and Dave's, both in force."""
    from reviews.services import agreement_create, agreement_propose

    assign(role, dave)
    second = agreement_create(org=role.org, actor=alice, employee=dave, role=role)
    agreement_propose(agreement=second, actor=alice)
    sign(second, dave)
    sign(second, alice)
    second.refresh_from_db()
    return active, second


def read_zip(client, url) -> zipfile.ZipFile:
    response = client.get(url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_worker_builds_the_zip_with_an_index_and_each_persons_pdf(
    celery_worker, api, org_a, alice, two_in_force
):
    bob_agreement, dave_agreement = two_in_force
    client = api(alice)
    started = client.post(reverse("api:agreement-export-list", args=["acme"]), {})
    assert started.status_code == 201, started.content
    job = wait_for(started.json()["id"])
    assert job.status == ExportStatus.DONE
    assert (job.total, job.done, job.errors) == (2, 2, [])
    assert job.file_path == f"exports/{org_a.pk}/{job.pk}.zip"

    status = client.get(reverse("api:agreement-export-detail", args=["acme", job.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100

    archive = read_zip(client, reverse("api:agreement-export-download", args=["acme", job.pk]))
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    assert {row["person"] for row in rows} == {"Bob Member", "Dave Dealer"}
    assert all(row["result"] == "ok" for row in rows)
    for row in rows:
        agreement = bob_agreement if row["person"] == "Bob Member" else dave_agreement
        assert row["content_hash"] == agreement.current_version.content_hash
        text = pdf_text(archive.read(row["file"]))
        assert row["person"] in text
    assert sorted(archive.namelist()) == sorted([*(row["file"] for row in rows), "index.csv"])


def test_a_pdf_that_fails_is_named_and_the_others_still_come(
    celery_worker, api, login, alice, two_in_force, monkeypatch
):
    from reviews import tasks

    _bob_agreement, dave_agreement = two_in_force
    real = tasks.agreement_pdf

    def failing(*, agreement, version=None):
        if agreement.pk == dave_agreement.pk:
            raise ValueError("the font could not be loaded")
        return real(agreement=agreement, version=version)

    monkeypatch.setattr(tasks, "agreement_pdf", failing)
    client = api(alice)
    started = client.post(reverse("api:agreement-export-list", args=["acme"]), {})
    job = wait_for(started.json()["id"])
    assert job.status == ExportStatus.DONE
    assert [(e["person"], e["error"]) for e in job.errors] == [
        ("Dave Dealer", "the font could not be loaded")
    ]
    archive = read_zip(client, reverse("api:agreement-export-download", args=["acme", job.pk]))
    rows = {r["person"]: r for r in csv.DictReader(io.StringIO(archive.read("index.csv").decode()))}
    assert rows["Dave Dealer"]["result"].startswith("error: the font")
    assert "Bob Member" in pdf_text(archive.read(rows["Bob Member"]["file"]))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 1

    # The page says which one failed, and still offers the ZIP.
    page = login(alice).get(reverse("agreement-export-status", args=["acme", job.pk]))
    body = page.content.decode()
    assert "Dave Dealer: the font could not be loaded" in body
    assert reverse("agreement-export-download", args=["acme", job.pk]) in body


def test_the_export_page_starts_a_job_and_shows_its_progress_then_the_link(
    celery_worker, login, alice, sales, two_in_force
):
    client = login(alice)
    form = client.get(reverse("agreement-export", args=["acme"]))
    assert form.status_code == 200
    assert "Sales" in form.content.decode()
    started = client.post(reverse("agreement-export", args=["acme"]), {"department": sales.pk})
    assert started.status_code == 302
    job = ExportJob.objects.get()
    assert started["Location"] == reverse("agreement-export-status", args=["acme", job.pk])
    job = wait_for(job.pk)
    # Only Bob is in Sales; Dave is in no department.
    assert (job.total, job.scope_label) == (1, "Sales")
    fragment = client.get(
        reverse("agreement-export-status", args=["acme", job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in fragment  # finished: no more polling
    assert reverse("agreement-export-download", args=["acme", job.pk]) in fragment
    download = client.get(reverse("agreement-export-download", args=["acme", job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert [n for n in archive.namelist() if n.endswith(".pdf")][0].startswith("Bob-Member")


def test_a_running_export_polls_its_progress(login, alice, org_a):
    job = ExportJob.objects.create(org=org_a, requested_by=alice, scope_label="Everyone")
    fragment = login(alice).get(
        reverse("agreement-export-status", args=["acme", job.pk]), HTTP_HX_REQUEST="true"
    )
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and "<progress" in body


def test_bob_and_charlie_may_not_export_or_see_an_export(
    api, login, org_a, alice, bob, charlie, django_capture_on_commit_callbacks
):
    job = ExportJob.objects.create(org=org_a, requested_by=alice, scope_label="Everyone")
    with django_capture_on_commit_callbacks() as scheduled:
        assert (
            api(bob).post(reverse("api:agreement-export-list", args=["acme"]), {}).status_code
            == 403
        )
        assert login(bob).post(reverse("agreement-export", args=["acme"])).status_code == 403
        assert (
            api(charlie).post(reverse("api:agreement-export-list", args=["acme"]), {}).status_code
            == 404
        )
    assert not scheduled
    assert ExportJob.objects.count() == 1
    assert (
        api(bob).get(reverse("api:agreement-export-detail", args=["acme", job.pk])).status_code
        == 403
    )
    globex = reverse("api:agreement-export-detail", args=[charlie.org.slug, job.pk])
    assert api(charlie).get(globex).status_code == 404
    assert (
        api(charlie)
        .get(reverse("api:agreement-export-list", args=[charlie.org.slug]))
        .json()["count"]
        == 0
    )
    client = login(charlie)
    assert client.get(reverse("agreement-export-status", args=["acme", job.pk])).status_code == 404
    assert (
        client.get(reverse("agreement-export-status", args=[charlie.org.slug, job.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("agreement-export-download", args=["acme", job.pk])).status_code == 404
    )


def test_the_export_list_takes_the_same_queries_for_few_and_many(
    api, org_a, alice, django_assert_max_num_queries
):
    client = api(alice)
    for count in (2, 20):
        ExportJob.objects.bulk_create(
            ExportJob(org=org_a, requested_by=alice, scope_label=f"Batch {n}") for n in range(count)
        )
        with django_assert_max_num_queries(13):
            answer = client.get(reverse("api:agreement-export-list", args=["acme"]))
        assert answer.status_code == 200


@pytest.mark.django_db
def test_an_archive_that_cannot_be_written_fails_the_job_with_the_reason(
    org_a, alice, active, monkeypatch, login
):
    from reviews import tasks

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tasks, "write_export", no_space)
    job = ExportJob.objects.create(org=org_a, requested_by=alice, scope_label="Everyone")
    assert tasks.export_signed_agreements(org_id=org_a.pk, job_id=job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.is_finished
    assert "No space left on device" in job.errors[0]["error"]
    body = login(alice).get(reverse("agreement-export-status", args=["acme", job.pk])).content
    assert b"The export failed." in body and b"No space left on device" in body
    assert b"hx-trigger" not in body
