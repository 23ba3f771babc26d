"""The upload report reads in the order a data lead works: problems to fix first, then what saving
would change; long problem lists are pages of an ordinary table; saving and rolling back go
through a confirmation step that says how many children and dates change."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, MilestoneImport

HEADER = "child_ref,route,looked_after,permanence_rec\n"
CONFIRMED = {"confirmed": "True"}
Status = MilestoneImport.Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def upload(client, org, content: str, capture) -> MilestoneImport:
    with capture(execute=True):
        response = client.post(
            url("milestone_import_new", org), {"file": SimpleUploadedFile("milestones.csv", content.encode())}
        )
    return MilestoneImport.objects.get(code=response["Location"].rstrip("/").split("/")[-1])


def saved(client, org, content: str, capture) -> MilestoneImport:
    milestone_import = upload(client, org, content, capture)
    with capture(execute=True):
        client.post(url("milestone_import_commit", org, milestone_import.code), CONFIRMED)
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.COMMITTED
    return milestone_import


def test_problems_come_before_the_preview_in_an_ordinary_table(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    content = HEADER + "C-1,adoption,01/02/2024,15/07/2024\nC-2,adoption,31/02/2024,\nC-3,adoption,tbc,\n"
    milestone_import = upload(client, org, content, django_capture_on_commit_callbacks)
    page = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert page.index('id="problems-heading"') < page.index('id="counts"') < page.index('id="preview-heading"')
    assert "Problems to fix" in page and "a file with errors cannot be saved" in page
    assert '<span data-problem-count="unparseable_date">2</span> dates that cannot be read' in page
    # No box scrolling inside the page (the .sr-table region is capped at 24rem).
    table_start = page.index('id="problems"')
    assert "sr-table" not in page[page.index('id="problems-heading"') : table_start]
    assert 'id="problem-pages"' not in page  # one page: no page links


def test_a_file_without_errors_says_its_warnings_do_not_stop_saving(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    content = "child_ref,route,looked_after,permanence_rec,colour\nC-1,adoption,01/02/2024,15/07/2024,blue\n"
    milestone_import = upload(client, org, content, django_capture_on_commit_callbacks)
    assert milestone_import.status == Status.VALIDATED and milestone_import.warning_count == 1
    page = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    assert "Warnings do not stop saving" in page and "Problems to fix" not in page
    assert "The 1 warning above does not stop saving." in page
    assert page.index('id="problems-heading"') < page.index("Save these changes")


def test_a_long_problem_list_is_paginated(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    lines = "".join(f"C-{number},adoption,tbc,\n" for number in range(250))
    milestone_import = upload(client, org, HEADER + lines, django_capture_on_commit_callbacks)
    report = url("milestone_import", org, milestone_import.code)
    first = client.get(report).content.decode()
    assert first.count("is not a date that can be read") == 100
    assert "1 to 100 of 250" in first and 'id="problem-pages"' in first
    # Spreadsheet row 2 is on the first page.
    assert '<td class="text-break">tbc</td>' in first and "<td>2</td>" in first
    last = client.get(report, {"problems": 3}).content.decode()
    assert last.count("is not a date that can be read") == 50 and "201 to 250 of 250" in last
    assert "<td>251</td>" in last
    # A page past the end shows the last one rather than an error.
    assert "201 to 250 of 250" in client.get(report, {"problems": 99}).content.decode()


def test_saving_asks_first_and_says_how_many_children_and_dates_change(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    saved(client, org, HEADER + "C-1,adoption,01/02/2024,\n", django_capture_on_commit_callbacks)
    content = HEADER + "C-1,adoption,01/02/2024,15/07/2024\nC-2,po,01/03/2024,\nC-3,po,01/04/2024,01/09/2024\n"
    milestone_import = upload(client, org, content, django_capture_on_commit_callbacks)
    report = client.get(url("milestone_import", org, milestone_import.code)).content.decode()
    commit_url = url("milestone_import_commit", org, milestone_import.code)
    assert f'<form method="get" action="{commit_url}"' in report  # the button opens the step

    step = client.get(commit_url)
    assert step.status_code == 200
    text = step.content.decode()
    for change in [
        "2 new children added",
        "1 child already held updated",
        "4 milestone dates added",
        "0 milestone dates changed",
        "0 routes changed",
    ]:
        assert f"<li>{change}</li>" in text
    assert "Yes, save these changes" in text and 'name="confirmed" value="True"' in text
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.VALIDATED and Child.objects.filter(organisation=org).count() == 1

    # A POST without the confirmed form changes nothing and asks again.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(commit_url)
    assert again.status_code == 200 and 'id="not-confirmed"' in again.content.decode()
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.VALIDATED and Child.objects.filter(organisation=org).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(commit_url, CONFIRMED)
    assert response.status_code == 302
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.COMMITTED and Child.objects.filter(organisation=org).count() == 3
    # Once saved, the step is not offered again.
    follow = client.get(commit_url, follow=True).content.decode()
    assert "This upload cannot be saved: it is saved." in follow


def test_a_file_with_errors_has_no_confirmation_step(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    milestone_import = upload(client, org, HEADER + "C-1,adoption,31/02/2024,\n", django_capture_on_commit_callbacks)
    response = client.get(url("milestone_import_commit", org, milestone_import.code), follow=True)
    assert "This file has errors. Fix them and upload it again before saving." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("milestone_import_commit", org, milestone_import.code), CONFIRMED)
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.INVALID


def test_rolling_back_asks_first_and_says_what_goes_back(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    saved(client, org, HEADER + "C-1,adoption,01/02/2024,\n", django_capture_on_commit_callbacks)
    content = HEADER + "C-1,adoption,01/02/2024,15/07/2024\nC-2,po,01/03/2024,\n"
    later = saved(client, org, content, django_capture_on_commit_callbacks)
    report = client.get(url("milestone_import", org, later.code)).content.decode()
    rollback_url = url("milestone_import_rollback", org, later.code)
    assert f'<form method="get" action="{rollback_url}"' in report

    text = client.get(rollback_url).content.decode()
    for change in [
        "1 child it added is removed",
        "1 child it updated gets its earlier dates and route back",
        "2 milestone dates it added are removed",
        "0 milestone dates it changed go back to the dates held before",
    ]:
        assert f"<li>{change}</li>" in text
    assert "Yes, roll back this upload" in text

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(rollback_url).status_code == 200
    later.refresh_from_db()
    assert later.status == Status.COMMITTED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(rollback_url, CONFIRMED)
    later.refresh_from_db()
    assert later.status == Status.ROLLED_BACK
    assert list(Child.objects.filter(organisation=org).values_list("reference", flat=True)) == ["C-1"]


def test_a_blocked_roll_back_names_the_later_upload_instead_of_asking(cast, org, django_capture_on_commit_callbacks):
    client = cast.client("data")
    first = saved(client, org, HEADER + "C-1,adoption,01/02/2024,15/07/2024\n", django_capture_on_commit_callbacks)
    saved(client, org, HEADER + "C-1,adoption,01/02/2024,20/07/2024\n", django_capture_on_commit_callbacks)
    response = client.get(url("milestone_import_rollback", org, first.code), follow=True)
    assert response.redirect_chain[-1][0] == url("milestone_import", org, first.code)
    assert "Roll that one back first." in response.content.decode()


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_uploaders_see_the_confirmation_steps(cast, org, role):
    milestone_import = MilestoneImport.objects.create(organisation=org, original_name="m.csv", file="x.csv")
    client = cast.client(role)
    assert client.get(url("milestone_import_commit", org, milestone_import.code)).status_code == 403
    assert client.get(url("milestone_import_rollback", org, milestone_import.code)).status_code == 403
