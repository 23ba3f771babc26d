"""POST /api/v1/milestones/: the spreadsheet upload's rules, services and import history."""

import datetime

import pytest
from django.utils import timezone

from api.models import ApiCall, MilestoneBatch
from measures.milestones.files import FileRefused, validate_milestone_file
from measures.milestones.imports import milestone_import_rollback, problem_dicts
from measures.milestones.pathway import milestone_specs
from measures.models import Child, MilestoneImport, Route
from tests.api.conftest import make_key
from tests.measures.milestones.dates import date_count, stored_dates

pytestmark = pytest.mark.django_db

URL = "/api/v1/milestones/"


def _records(*items):
    return {"records": [dict(zip(("child_ref", "route", "milestone", "date"), item, strict=True)) for item in items]}


GOOD = _records(
    ("C-10001", "adoption", "looked_after", "2024-01-05"),
    ("C-10001", "adoption", "permanence_rec", "10/05/2024"),
    ("C-10002", "kinship", "looked_after", "2024-02-01"),
)


def test_a_batch_is_saved_as_an_import_that_can_be_rolled_back(cast, write_api) -> None:
    answer = write_api.post(URL, GOOD)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "committed" and body["source"] == "api" and body["api_key"] == write_api.key.name
    assert (body["new_children"], body["rows"]) == (2, 3)
    assert answer["Location"] == body["url"] == f"/api/v1/imports/{body['code']}/"
    milestone_import = MilestoneImport.objects.get(code=body["code"], organisation=cast.org)
    assert milestone_import.status == MilestoneImport.Status.COMMITTED
    dates = [(reference, day) for reference, _, day in stored_dates(cast.org)]
    assert list(dates) == [
        ("C-10001", datetime.date(2024, 1, 5)),
        ("C-10002", datetime.date(2024, 2, 1)),
        ("C-10001", datetime.date(2024, 5, 10)),
    ]
    # The same import history as uploads: listed on the data lead's page, and undone by roll-back.
    page = cast.client("data").get(f"/o/{cast.org.slug}/measures/data/imports/")
    assert milestone_import.original_name in page.content.decode()
    milestone_import_rollback(milestone_import=milestone_import, user=None, today=timezone.localdate())
    assert not Child.objects.for_organisation(cast.org).exists()


def test_a_wide_row_per_child_is_accepted(cast, write_api) -> None:
    body = {
        "children": [
            {
                "child_ref": "C-20001",
                "route": "po",
                "dates": {"looked_after": "2024-03-01", "Permanence / adoption panel recommendation": "2024-09-02"},
            },
            {"child_ref": "C-20002", "dates": {"looked_after": "2024-04-01", "permanence_rec": None}},
        ]
    }
    answer = write_api.post(URL, body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["layout"] == "wide"
    assert date_count(cast.org) == 3
    assert Child.objects.get(organisation=cast.org, reference="C-20001").route == Route.PO
    # Keys are column headers: a milestone given by name and by code is two columns for one
    # milestone, refused as in a spreadsheet.
    twice = {
        "children": [
            {
                "child_ref": "C-20003",
                "dates": {"panel": "2024-09-02", "Permanence / adoption panel recommendation": "2024-09-02"},
            }
        ]
    }
    refused = write_api.post(URL, twice)
    assert refused.status_code == 422 and "Two columns are for the same milestone" in refused.json()["detail"]


def test_problems_are_the_uploads_problems_with_rows_and_pointers(cast, write_api) -> None:
    today = timezone.localdate()
    future = (today + datetime.timedelta(days=3)).isoformat()
    batch = _records(
        ("C-30001", "adoption", "looked_after", "2024-01-05"),
        ("C-30002", "adoption", "looked_after", "03/25/2024"),  # month-first
        ("C-30003", "adoption", "looked_after", future),
        ("C/30004!", "adoption", "looked_after", "2024-01-05"),  # not a reference
        ("C-30005", "adoption", "looked_after", "yesterday"),
    )
    answer = write_api.post(URL, batch)
    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:pace-hub:problem:invalid_batch"
    assert "4 of 5 items have errors" in problem["detail"] and "nothing was saved" in problem["detail"]
    codes = [(item["index"], item["pointer"], item["code"]) for item in problem["problems"]]
    assert codes == [
        (1, "/records/1/date", "us_date"),
        (2, "/records/2/date", "future_date"),
        (3, "/records/3/child_ref", "invalid_reference"),
        (4, "/records/4/date", "unparseable_date"),
    ]
    # Exactly what the same rows uploaded as a spreadsheet give.
    csv = "child_ref,route,milestone,date\n" + "\n".join(",".join(item.values()) for item in batch["records"])
    uploaded = validate_milestone_file(
        csv.encode(), "same.csv", milestone_specs(cast.org), [route.value for route in Route], today
    )
    expected = [(item["row"], item["column"], item["reason"]) for item in problem_dicts(uploaded.problems)]
    assert [(item["row"], item["column"], item["reason"]) for item in problem["problems"]] == expected
    assert not Child.objects.for_organisation(cast.org).exists()


def test_a_reference_that_looks_like_a_name_refuses_the_batch_as_it_refuses_a_file(cast, write_api) -> None:
    batch = _records(("C-40001", "", "looked_after", "2024-01-05"), ("Jane Smith", "", "looked_after", "2024-01-05"))
    csv = "child_ref,route,milestone,date\n" + "\n".join(",".join(item.values()) for item in batch["records"])
    with pytest.raises(FileRefused) as refusal:
        validate_milestone_file(
            csv.encode(), "same.csv", milestone_specs(cast.org), [route.value for route in Route], timezone.localdate()
        )
    answer = write_api.post(URL, batch)
    assert answer.status_code == 422
    assert answer.json()["type"] == "urn:pace-hub:problem:refused_batch"
    assert answer.json()["detail"] == str(refusal.value)
    assert not Child.objects.for_organisation(cast.org).exists()


def test_identifying_columns_refuse_a_wide_batch(cast, write_api) -> None:
    body = {"children": [{"child_ref": "C-1", "dates": {"looked_after": "2024-01-01", "Date of birth": "2016-04-03"}}]}
    answer = write_api.post(URL, body)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "urn:pace-hub:problem:identifying_data"
    assert "'Date of birth' (a date of birth)" in problem["detail"]
    assert not MilestoneImport.objects.for_organisation(cast.org).exists()


def test_unknown_fields_and_wrong_types_are_refused_with_pointers(cast, write_api) -> None:
    answer = write_api.post(
        URL, {"records": [{"child_ref": 10234, "milestone": "looked_after", "date": "2024-01-01", "name": "Jane"}]}
    )
    assert answer.status_code == 422
    errors = {(item["pointer"], item["message"]) for item in answer.json()["errors"]}
    assert ("/records/0/child_ref", "Input should be a valid string") in errors
    assert ("/records/0/name", "Extra inputs are not permitted") in errors
    wide = write_api.post(URL, {"children": [{"child_ref": "C-1", "dates": {"looked_afterr": "2024-01-01"}}]})
    assert wide.status_code == 422
    assert wide.json()["errors"][0]["pointer"] == "/children/0/dates/looked_afterr"
    both = write_api.post(URL, {"records": [], "children": []})
    assert both.status_code == 422 and "not both" in both.json()["detail"]
    assert write_api.post(URL, "{not json").status_code == 400
    assert not MilestoneImport.objects.for_organisation(cast.org).exists()


def test_a_batch_over_the_size_limit_is_refused(cast, write_api, settings) -> None:
    settings.API_BATCH_MAX_RECORDS = 2
    answer = write_api.post(URL, GOOD)
    assert answer.status_code == 413
    assert "at most 2 are accepted" in answer.json()["detail"]
    assert write_api.post(URL, {"records": []}).status_code == 422
    assert not MilestoneImport.objects.for_organisation(cast.org).exists()


def test_a_read_key_may_not_post(cast, read_api) -> None:
    answer = read_api.post(URL, GOOD)
    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:pace-hub:problem:insufficient_scope"
    assert not Child.objects.exists()


def test_a_retry_with_the_same_idempotency_key_is_a_no_op(cast, write_api) -> None:
    first = write_api.post(URL, GOOD, HTTP_IDEMPOTENCY_KEY="nightly-2024-06-01")
    retry = write_api.post(URL, GOOD, HTTP_IDEMPOTENCY_KEY="nightly-2024-06-01")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert MilestoneImport.objects.for_organisation(cast.org).count() == 1
    other_body = write_api.post(
        URL, _records(("C-1", "", "looked_after", "2024-01-01")), HTTP_IDEMPOTENCY_KEY="nightly-2024-06-01"
    )
    assert other_body.status_code == 409
    assert other_body.json()["type"] == "urn:pace-hub:problem:idempotency_key_reused"
    assert MilestoneImport.objects.for_organisation(cast.org).count() == 1
    # Another key's Idempotency-Key space is its own.
    other_key = make_key(cast.org, "milestones:write", name="second system")
    assert other_key.post(URL, GOOD, HTTP_IDEMPOTENCY_KEY="nightly-2024-06-01").status_code == 201


def test_a_large_batch_goes_to_the_worker_with_a_status_url(
    cast, write_api, settings, django_capture_on_commit_callbacks
) -> None:
    settings.API_SYNC_MAX_RECORDS = 2
    with django_capture_on_commit_callbacks(execute=True):
        answer = write_api.post(URL, GOOD)
    assert answer.status_code == 202, answer.content
    status_url = answer["Location"]
    assert answer.json()["status"] == "uploaded"
    # Tasks run eagerly in the tests, once the request's transaction commits.
    status = write_api.get(status_url)
    assert status.status_code == 200 and status.json()["status"] == "committed"
    assert date_count(cast.org) == 3


def test_a_large_batch_with_errors_reports_them_at_its_status_url(
    cast, write_api, settings, django_capture_on_commit_callbacks
) -> None:
    settings.API_SYNC_MAX_RECORDS = 1
    batch = _records(("C-1", "", "looked_after", "2024-01-01"), ("C-2", "", "looked_after", "31/31/2024"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = write_api.post(URL, batch)
    assert answer.status_code == 202
    status = write_api.get(answer["Location"]).json()
    assert status["status"] == "invalid"
    assert [(item["pointer"], item["code"]) for item in status["problems"]] == [("/records/1/date", "unparseable_date")]
    assert not Child.objects.for_organisation(cast.org).exists()


def test_each_batch_and_call_is_recorded_against_its_key(cast, write_api) -> None:
    write_api.post(URL, GOOD)
    batch = MilestoneBatch.objects.get(key=write_api.key)
    assert batch.records == 3 and batch.milestone_import.organisation == cast.org
    call = ApiCall.objects.get(key=write_api.key)
    assert (call.method, call.path, call.status, call.organisation) == ("POST", URL, 201, cast.org)


def test_the_workers_step_is_safe_to_run_twice(cast, write_api, settings, django_capture_on_commit_callbacks) -> None:
    from api.services.batches import milestone_batch_process

    settings.API_SYNC_MAX_RECORDS = 2
    with django_capture_on_commit_callbacks(execute=True):
        answer = write_api.post(URL, GOOD)
    milestone_import = MilestoneImport.objects.get(code=answer.json()["code"])
    again = milestone_batch_process(milestone_import=milestone_import, today=timezone.localdate())
    assert again.status == MilestoneImport.Status.COMMITTED
    assert date_count(cast.org) == 3


def test_a_batch_saved_in_its_request_leaves_the_run_charts_to_the_worker(
    cast, write_api, django_capture_on_commit_callbacks
) -> None:
    # The request answers once the dates are saved; the organisation-wide recompute of the
    # derived measures is the worker's, as after an upload, and finishes the import.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = write_api.post(URL, GOOD)
    assert answer.status_code == 201, answer.content
    milestone_import = MilestoneImport.objects.get(code=answer.json()["code"])
    assert milestone_import.status == MilestoneImport.Status.COMMITTED
    assert (milestone_import.progress, milestone_import.progress_message) == (90, "Updating the run charts")
    assert date_count(cast.org) == 3
    assert len(callbacks) == 1  # the commit task, asked for the run charts
    callbacks[0]()
    milestone_import.refresh_from_db()
    assert (milestone_import.progress, milestone_import.progress_message) == (100, "Saved")
