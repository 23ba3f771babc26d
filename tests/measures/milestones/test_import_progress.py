"""Progress from inside a commit's or roll-back's transaction goes through one side connection
(PostgreSQL: the only database where another connection can report while the transaction runs)."""

import os
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from measures.milestones import imports
from measures.milestones.pathway import pathway_create_defaults
from measures.models import MilestoneImport
from tests.measures.milestones.imports_data import claimed_for_commit

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


def test_a_commit_and_a_roll_back_report_progress_through_one_side_connection(cast) -> None:
    pathway_create_defaults(organisation=cast.org)
    today = timezone.localdate()
    first = claimed_for_commit(cast.org, "C-1,adoption,01/02/2024,\n")
    imports.milestone_import_commit(milestone_import=first, today=today)
    # New and held children: each of the commit's three steps reports.
    second = claimed_for_commit(cast.org, "C-1,adoption,01/02/2024,15/07/2024\nC-2,kinship,03/03/2024,\n")
    opened = mock.patch.object(connection, "get_new_connection", wraps=connection.get_new_connection)
    with opened as spy:
        saved = imports.milestone_import_commit(milestone_import=second, today=today)
    assert saved.status == MilestoneImport.Status.COMMITTED
    assert spy.call_count == 1
    imports.milestone_import_claim_rollback(milestone_import=saved, user=None)
    saved.refresh_from_db()
    with opened as spy:
        rolled_back = imports.milestone_import_run_rollback(milestone_import=saved, today=today)
    assert rolled_back.status == MilestoneImport.Status.ROLLED_BACK
    assert spy.call_count == 1
    # Nothing is left open: each block closed its side connection.
    assert imports._progress_side.connection is None
