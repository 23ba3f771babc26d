"""With Redis down, pages keep serving, and upload, save and invite succeed with a clear message:
the change and its background work are saved together and the work runs once Redis is back.

These tests commit for real (transaction=True), as the message depends on what happened after
the commit; "Redis is back" is the memory transport, and the task is run as a worker would.
"""

import importlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.milestones.pathway import pathway_create_defaults
from measures.models import MilestoneImport
from pace_hub import background
from pace_hub.models import Invitation, OutboxTask
from pace_hub.roles import Role
from tests.background import CLOSED_BROKER, broker_at, queued_messages

CONTENT = b"child_ref,route,looked_after\nC-1,adoption,01/02/2024\nC-2,po,01/03/2024\n"
Status = MilestoneImport.Status


def run_as_a_worker(queue: str) -> None:
    """Run what reached the queue, as a worker would, and mark it done; then what those tasks
    sent in turn (a commit sends the chart-cache warm), until nothing new arrives."""
    seen = set()
    while fresh := [message for message in queued_messages(queue) if message[1] not in seen]:
        for name, task_id, args in fresh:
            seen.add(task_id)
            module_name, _, function = name.rpartition(".")
            getattr(importlib.import_module(module_name), function)(*args)
            background.task_done(task_id)


@pytest.mark.django_db(transaction=True)
def test_upload_and_save_with_redis_down_are_kept_and_run_when_it_is_back(cast) -> None:
    pathway_create_defaults(organisation=cast.org)
    client = cast.client(Role.DATA)
    with broker_at(CLOSED_BROKER):
        response = client.post(
            reverse("milestone_import_new", args=[cast.org.slug]),
            {"file": SimpleUploadedFile("m.csv", CONTENT)},
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is saved. Checking starts when the background service is back." in page
    assert 'id="background-waiting"' in page
    milestone_import = MilestoneImport.objects.get()
    assert milestone_import.status == Status.UPLOADED and milestone_import.file

    with broker_at("memory://") as queue:
        assert background.outbox_sweep() == 1
        run_as_a_worker(queue)
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.VALIDATED

    with broker_at(CLOSED_BROKER):
        response = client.post(
            reverse("milestone_import_commit", args=[cast.org.slug, milestone_import.code]),
            {"confirmed": "True"},
            follow=True,
        )
    assert "Your request to save is kept. Saving starts when the background service is back." in (
        response.content.decode()
    )
    milestone_import.refresh_from_db()
    assert milestone_import.status == Status.COMMITTING
    with broker_at("memory://") as queue:
        background.outbox_sweep()
        run_as_a_worker(queue)
    milestone_import.refresh_from_db()
    assert (milestone_import.status, milestone_import.new_children) == (Status.COMMITTED, 2)
    assert not OutboxTask.objects.filter(done_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_with_redis_down_is_saved_and_its_email_sent_when_it_is_back(cast) -> None:
    client = cast.client(Role.ADMIN)
    with broker_at(CLOSED_BROKER):
        response = client.post(
            reverse("member_invite", args=[cast.org.slug]),
            {"email": "later@example.org", "role": Role.MEMBER, "job_title": ""},
            follow=True,
        )
    assert response.status_code == 200
    assert (
        "The invitation for later@example.org is saved; the e-mail is sent when the background service is back."
        in response.content.decode()
    )
    assert Invitation.objects.filter(email="later@example.org").exists() and not mail.outbox
    with broker_at("memory://") as queue:
        background.outbox_sweep()
        run_as_a_worker(queue)
    assert [message.to for message in mail.outbox] == [["later@example.org"]]


@pytest.mark.parametrize(
    "page",
    ["org_home", "milestone_data", "milestone_imports", "milestone_import_new", "team"],
)
def test_pages_keep_serving_while_redis_is_down(cast, settings, page) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_BROKER}}
    pathway_create_defaults(organisation=cast.org)
    with broker_at(CLOSED_BROKER):
        response = cast.client(Role.DATA).get(reverse(page, args=[cast.org.slug]))
    assert response.status_code == 200
