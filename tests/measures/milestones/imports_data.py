"""Imports ready to commit, for the tests of what happens while one is saved."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from measures.milestones import imports
from measures.models import MilestoneImport

HEADER = "child_ref,route,looked_after,permanence_rec\n"


def claimed_for_commit(org, rows: str) -> MilestoneImport:
    """A file of ``rows`` (under HEADER) checked without errors and claimed for its commit."""
    milestone_import = imports.milestone_import_record(
        organisation=org, user=None, upload=SimpleUploadedFile("milestones.csv", (HEADER + rows).encode())
    )
    milestone_import = imports.milestone_import_validate(milestone_import=milestone_import, today=timezone.localdate())
    assert milestone_import.status == MilestoneImport.Status.VALIDATED, milestone_import.problems
    imports.milestone_import_claim_commit(milestone_import=milestone_import)
    milestone_import.refresh_from_db()
    return milestone_import
