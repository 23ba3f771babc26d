"""Work asked for while the broker is unreachable is kept in the outbox and done by a real worker
once the broker is back: the worker sends the waiting rows as it starts (beat does the same every
half minute), then runs them."""

import os

from django.core.files.uploadedfile import SimpleUploadedFile

from measures.milestones import imports
from measures.milestones.pathway import pathway_create_defaults
from measures.models import MilestoneImport
from pace_hub import services
from pace_hub.models import Invitation, OutboxTask
from pace_hub.roles import Role
from tests.background import CLOSED_BROKER, broker_at, needs_worker, wait_for, workers

pytestmark = needs_worker


def test_uploads_and_invitations_made_while_redis_was_down_are_done_once_it_is_back(cast) -> None:
    pathway_create_defaults(organisation=cast.org)
    with broker_at(os.environ["REDIS_URL"]) as queue:
        with broker_at(CLOSED_BROKER, queue):  # delivery stops: nothing reaches Redis
            milestone_import = imports.milestone_import_create(
                organisation=cast.org,
                user=cast.members[Role.DATA].user,
                upload=SimpleUploadedFile("m.csv", b"child_ref,looked_after\nC-1,01/02/2024\n"),
            )
            invitation = services.invitation_create(
                organisation=cast.org,
                invited_by=cast.members[Role.ADMIN].user,
                email="later@example.org",
                role=Role.MEMBER,
                base_url="http://testserver/",
            )
        assert OutboxTask.objects.filter(sent_at__isnull=True, attempts=1).count() == 2
        assert MilestoneImport.objects.get(pk=milestone_import.pk).status == MilestoneImport.Status.UPLOADED

        with workers(queue) as start:
            start()
            wait_for(
                lambda: MilestoneImport.objects.get(pk=milestone_import.pk).status == MilestoneImport.Status.VALIDATED,
                60,
                "the upload to be checked",
            )
            wait_for(
                lambda: Invitation.objects.get(pk=invitation.pk).email_sent_at is not None,
                60,
                "the invitation e-mail",
            )
            wait_for(lambda: not OutboxTask.objects.filter(done_at__isnull=True).exists(), 30, "the outbox to be done")
