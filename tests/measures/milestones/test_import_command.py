"""manage.py import_milestones: the same checks and commit as the upload page."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from measures.models import Child, MilestoneImport
from tests.measures.milestones.dates import stored_dates


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_milestones", *args, stdout=out)
    return out.getvalue()


def test_check_only_then_commit(cast, tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_text("child_ref,route,looked_after,notes\nC-1,adoption,01/02/2024,x\n")
    output = run(str(path), "--organisation", cast.org.slug)
    assert "new children 1" in output and "warning: file, column 'notes'" in output
    assert "run again with --commit" in output and not Child.objects.exists()

    output = run(str(path), "--organisation", cast.org.slug, "--commit", "--user", cast.members["data"].user.email)
    assert "Saved: 1 new children" in output
    assert [day for _, _, day in stored_dates(cast.org)] == [date(2024, 2, 1)]
    assert MilestoneImport.objects.filter(status="committed").get().uploaded_by == cast.members["data"].user


def test_errors_exit_non_zero_and_save_nothing(cast, tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_text("child_ref,route,looked_after\nC-1,adoption,12/25/2024\n")
    out = StringIO()
    with pytest.raises(CommandError, match="has errors") as raised:
        call_command("import_milestones", str(path), "--organisation", cast.org.slug, "--commit", stdout=out)
    assert raised.value.returncode == 1
    assert "error: row 2, column 'looked_after': '12/25/2024' looks like a US month-first date" in out.getvalue()
    assert not Child.objects.exists()


def test_refusal_exits_non_zero(cast, tmp_path):
    path = tmp_path / "milestones.csv"
    path.write_text("child_ref,Date of birth,looked_after\nC-1,01/01/2015,01/02/2024\n")
    with pytest.raises(CommandError, match="Refused: .*date of birth") as raised:
        call_command("import_milestones", str(path), "--organisation", cast.org.slug, stdout=StringIO())
    assert raised.value.returncode == 1


def test_unknown_organisation_or_user(cast, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("child_ref\n")
    with pytest.raises(CommandError, match="No organisation"):
        run(str(path), "--organisation", "nowhere")
    with pytest.raises(CommandError, match="No user"):
        run(str(path), "--organisation", cast.org.slug, "--user", "nobody@example.org")
