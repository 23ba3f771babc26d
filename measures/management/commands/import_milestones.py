"""Import a milestone spreadsheet from the command line, with the same checks as the upload page.

    manage.py import_milestones FILE --organisation SLUG [--commit] [--user EMAIL]

Prints the report (counts and every problem). Without --commit nothing is written but the import
row recording the check. Exits with status 1 when the file is refused or has errors.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures.milestones import imports
from measures.models import MilestoneImport
from pace_hub.models import Organisation

Status = MilestoneImport.Status


class Command(BaseCommand):
    help = "Check (and with --commit, save) a milestone spreadsheet for an organisation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument("--commit", action="store_true", help="Save the changes when there are no errors.")
        parser.add_argument("--user", help="E-mail of the person the import is recorded against.")

    def handle(self, *args, file: Path, organisation: str, commit: bool, user: str | None, **options) -> None:
        try:
            org = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with the slug {organisation!r}.") from None
        uploader = None
        if user:
            uploader = get_user_model().objects.filter(email__iexact=user).first()
            if uploader is None:
                raise CommandError(f"No user with the e-mail {user!r}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")

        today = timezone.localdate()
        with file.open("rb") as handle:
            upload = File(handle, name=file.name)
            upload.size = file.stat().st_size
            milestone_import = imports.milestone_import_record(organisation=org, user=uploader, upload=upload)
        milestone_import = imports.milestone_import_validate(milestone_import=milestone_import, today=today)
        self._report(milestone_import)
        if milestone_import.status == Status.REFUSED:
            raise CommandError(f"Refused: {milestone_import.error_message}", returncode=1)
        if milestone_import.status == Status.INVALID:
            raise CommandError("The file has errors; nothing was saved.", returncode=1)
        if not commit:
            self.stdout.write("Checked only: run again with --commit to save these changes.")
            return
        try:
            imports.milestone_import_claim_commit(milestone_import=milestone_import)
        except ValidationError as error:
            raise CommandError(error.messages[0], returncode=1) from None
        milestone_import.refresh_from_db()
        milestone_import = imports.milestone_import_commit(milestone_import=milestone_import, today=today)
        if milestone_import.status != Status.COMMITTED:
            raise CommandError(f"Not saved: {milestone_import.error_message}", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Saved: {milestone_import.new_children} new children, {milestone_import.updated_children} updated, "
                f"{milestone_import.unchanged_children} unchanged."
            )
        )

    def _report(self, milestone_import: MilestoneImport) -> None:
        write = self.stdout.write
        write(f"{milestone_import.original_name}: {milestone_import.get_status_display()}")
        if milestone_import.status == Status.REFUSED:
            return
        preview = milestone_import.preview
        write(
            f"  rows {milestone_import.rows}; new children {milestone_import.new_children}; "
            f"updated {milestone_import.updated_children}; unchanged {milestone_import.unchanged_children}; "
            f"rows with errors {milestone_import.error_rows}; warnings {milestone_import.warning_count}"
        )
        write(
            f"  dates added {preview.get('dates_added', 0)}; dates changed {preview.get('dates_changed', 0)}; "
            f"routes changed {preview.get('routes_changed', 0)}"
        )
        for problem in milestone_import.problems:
            where = f"row {problem['row']}" if problem["row"] is not None else "file"
            column = f", column {problem['column']!r}" if problem["column"] else ""
            write(f"  {problem['severity']}: {where}{column}: {problem['reason']}")
        not_listed = milestone_import.error_count + milestone_import.warning_count - len(milestone_import.problems)
        if not_listed > 0:  # only the first problems are kept; all are counted
            counts = ", ".join(f"{code} {count}" for code, count in milestone_import.problem_counts.items())
            write(f"  … and {not_listed} more problems not listed (all problems by kind: {counts})")
