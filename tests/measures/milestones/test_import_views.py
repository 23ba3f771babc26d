"""The upload pages: upload, progress, report, preview, commit, roll-back, downloads, history."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, MilestoneImport
from tests.measures.milestones.dates import date_count, stored_dates

HEADER = "child_ref,route,looked_after,permanence_rec\n"
# What the confirmation step posts (tests/measures/milestones/test_import_report.py tests the step).
CONFIRMED = {"confirmed": "True"}
Status = MilestoneImport.Status


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def post_upload(client, org, content: bytes, name: str = "milestones.csv", capture=None):
    with capture(execute=True):
        response = client.post(url("milestone_import_new", org), {"file": SimpleUploadedFile(name, content)})
    return response


def test_data_lead_uploads_reads_the_report_and_commits(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    content = (HEADER + "C-1,adoption,01/02/2024,15/07/2024\nC-2,po,tbc,\nC-1,po,01/03/2024,\n").encode()
    response = post_upload(client, org, content, capture=django_capture_on_commit_callbacks)
    milestone_import = MilestoneImport.objects.get(organisation=org)
    assert response.status_code == 302 and response["Location"] == url("milestone_import", org, milestone_import.code)
    assert milestone_import.uploaded_by == cast.members["data"].user

    page = client.get(response["Location"]).content.decode()
    assert "Has errors" in page
    assert "&#x27;tbc&#x27; is not a date that can be read; use dd/mm/yyyy or yyyy-mm-dd" in page
    assert "child reference &#x27;C-1&#x27; is already used on row 2" in page
    assert "Save these changes" not in page
    assert not Child.objects.exists()

    fixed = (HEADER + "C-1,adoption,01/02/2024,15/07/2024\nC-2,po,01/03/2024,\n").encode()
    response = post_upload(client, org, fixed, capture=django_capture_on_commit_callbacks)
    second = MilestoneImport.objects.filter(organisation=org).first()
    page = client.get(response["Location"]).content.decode()
    assert "Save these changes" in page and 'data-preview="dates_added">3<' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("milestone_import_commit", org, second.code), CONFIRMED)
    second.refresh_from_db()
    assert second.status == Status.COMMITTED
    assert date_count(org) == 3
    page = client.get(url("milestone_import", org, second.code)).content.decode()
    assert "Roll back this upload" in page


def test_refused_upload_shows_the_reason_and_stores_nothing(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    content = b"child_ref,First name,looked_after\nC-1,Amy,01/02/2024\n"
    response = post_upload(client, org, content, capture=django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "The file was refused and nothing was stored" in page
    assert "&#x27;First name&#x27; (a name)" in page
    milestone_import = MilestoneImport.objects.get(organisation=org)
    assert milestone_import.file.name == "" and not Child.objects.exists()


def test_upload_form_refuses_oversized_and_wrong_type_files(cast, org, settings):
    client = cast.client("data")
    settings.UPLOAD_MAX_BYTES = 50
    response = client.post(url("milestone_import_new", org), {"file": SimpleUploadedFile("m.csv", b"x" * 51)})
    assert "files up to 50" in response.content.decode()
    settings.UPLOAD_MAX_BYTES = 10_000
    response = client.post(url("milestone_import_new", org), {"file": SimpleUploadedFile("m.pdf", b"%PDF-1.4")})
    assert "is not a CSV or .xlsx file" in response.content.decode()
    assert not MilestoneImport.objects.exists()


def test_progress_fragment_polls_until_done(cast, org):
    client = cast.client("data")
    milestone_import = MilestoneImport.objects.create(
        organisation=org, original_name="m.csv", file="x.csv", status=Status.COMMITTING, progress=40
    )
    response = client.get(url("milestone_import_progress", org, milestone_import.code))
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'aria-valuenow="40"' in body
    assert "HX-Refresh" not in response
    page = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert 'hx-trigger="every 1s"' in page
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(status=Status.COMMITTED, progress=100)
    response = client.get(url("milestone_import_progress", org, milestone_import.code))
    assert response["HX-Refresh"] == "true" and "every 1s" not in response.content.decode()


def test_progress_fragment_polls_while_rolling_back(cast, org):
    client = cast.client("data")
    milestone_import = MilestoneImport.objects.create(
        organisation=org, original_name="m.csv", file="x.csv", status=Status.ROLLING_BACK, progress=20
    )
    page = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert "Rolling back" in page and 'hx-trigger="every 1s"' in page and 'aria-valuenow="20"' in page
    MilestoneImport.objects.filter(pk=milestone_import.pk).update(status=Status.ROLLED_BACK, progress=100)
    assert client.get(url("milestone_import_progress", org, milestone_import.code))["HX-Refresh"] == "true"


def test_annotated_download_has_a_problems_column(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    post_upload(
        client, org, (HEADER + "C-1,adoption,31/02/2024,\n").encode(), capture=django_capture_on_commit_callbacks
    )
    milestone_import = MilestoneImport.objects.get(organisation=org)
    response = client.get(url("milestone_import_annotated", org, milestone_import.code))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "problems"
    assert "is not a real date" in rows[1][-1]


def test_rollback_through_the_page_and_the_blocking_import_is_named(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    imports_made = []
    for content in [HEADER + "C-1,adoption,01/02/2024,15/07/2024\n", HEADER + "C-1,adoption,01/02/2024,20/07/2024\n"]:
        post_upload(client, org, content.encode(), capture=django_capture_on_commit_callbacks)
        milestone_import = MilestoneImport.objects.filter(organisation=org).first()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("milestone_import_commit", org, milestone_import.code), CONFIRMED)
        imports_made.append(milestone_import)
    first, second = imports_made
    page = client.get(url("milestone_import", org, first.code)).content.decode()
    assert "cannot be rolled back" in page and "Roll back this upload" not in page
    response = client.post(url("milestone_import_rollback", org, first.code), CONFIRMED, follow=True)
    assert "Roll that one back first" in response.content.decode()

    # The worker rolls back once the request's transaction commits; meanwhile the page polls.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("milestone_import_rollback", org, second.code), CONFIRMED, follow=True)
        page = response.content.decode()
        assert "is being rolled back" in page and 'hx-trigger="every 1s"' in page
    response = client.get(url("milestone_import_progress", org, second.code))
    assert response["HX-Refresh"] == "true"
    page = client.get(url("milestone_import", org, second.code)).content.decode()
    assert "What was saved, then rolled back" in page and "Rolled back" in page
    assert [day for _, code, day in stored_dates(org) if code == "permanence_rec"] == [date(2024, 7, 15)]


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_data_leads_and_admins_upload_commit_or_roll_back(cast, org, role):
    milestone_import = MilestoneImport.objects.create(organisation=org, original_name="m.csv", file="x.csv")
    client = cast.client(role)
    assert client.get(url("milestone_import_new", org)).status_code == 403
    assert client.post(url("milestone_import_commit", org, milestone_import.code), CONFIRMED).status_code == 403
    assert client.post(url("milestone_import_rollback", org, milestone_import.code), CONFIRMED).status_code == 403


def test_viewers_and_members_cannot_see_import_reports(cast, org):
    milestone_import = MilestoneImport.objects.create(organisation=org, original_name="m.csv", file="x.csv")
    for role in ("viewer", "member"):
        assert cast.client(role).get(url("milestone_import", org, milestone_import.code)).status_code == 403


def test_templates_download(cast, org):
    client = cast.client("data")
    csv_response = client.get(url("milestone_template_csv", org))
    assert csv_response["Content-Disposition"].endswith('.csv"')
    assert csv_response.content.decode("utf-8-sig").startswith("child_ref,route,Child became looked after")
    xlsx = client.get(url("milestone_template_xlsx", org))
    sheet = load_workbook(io.BytesIO(xlsx.content))["Milestones"]
    assert sheet["A1"].value == "child_ref" and sheet["C1"].value == "Child became looked after and accommodated"


def test_import_history_uses_a_constant_number_of_queries(cast, org, django_assert_num_queries):
    client = cast.client("data")
    client.get(url("milestone_imports", org))  # warm the session
    for number in range(3):
        MilestoneImport.objects.create(
            organisation=org, original_name=f"m{number}.csv", file="x.csv", uploaded_by=cast.members["data"].user
        )
    with django_assert_num_queries(5) as captured:
        response = client.get(url("milestone_imports", org))
    assert response.content.decode().count("m2.csv") == 1
    for number in range(3, 10):
        MilestoneImport.objects.create(organisation=org, original_name=f"m{number}.csv", file="x.csv")
    with django_assert_num_queries(len(captured.captured_queries)):
        client.get(url("milestone_imports", org))


def test_data_home_uses_a_constant_number_of_queries(cast, org, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client("data")
    home = url("milestone_data", org)

    def load(lines: str) -> int:
        response = post_upload(client, org, (HEADER + lines).encode(), capture=django_capture_on_commit_callbacks)
        milestone_import = MilestoneImport.objects.get(code=response["Location"].rstrip("/").split("/")[-1])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("milestone_import_commit", org, milestone_import.code), CONFIRMED)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(home).status_code == 200
        return len(queries.captured_queries)

    few = load("C-1,adoption,01/02/2024,15/07/2024\n")
    many = load("".join(f"C-{n},po,01/0{n % 9 + 1}/2024,15/1{n % 2}/2024\n" for n in range(2, 60)))
    assert few == many
