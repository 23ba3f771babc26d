"""The worst upload the limits allow, checked by the import service: time, memory, what is stored.

    .venv/bin/python bench/dense_upload.py [--rows 630000] [--keep FILE]

The audit's file: one XLSX under the 20 MB upload limit (and the 200 MB uncompressed limit),
630,000 children with nine random milestone dates each, so that about six dates a row are out of
pathway order — 3.9 million problems. It is written compactly (inline strings, numbers for the
dates, as Excel serials), then stored and checked with ``milestone_import_validate`` in a fresh
process, whose peak resident memory (VmHWM) is the check's own. Reported: the time, the peak
memory, the problems kept and their JSON size, the counts, and the state the import ends in.
Runs against DATABASE_URL (SQLite by default).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CODES = [
    "looked_after",
    "first_review",
    "legal_advice",
    "permanence_rec",
    "panel",
    "adm_decision",
    "hearing_advice",
    "court_lodged",
    "order_granted",
]
ROUTES = ["home", "kinship", "po", "poa", "adoption"]
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)


def write_dense_xlsx(path: Path, rows: int, seed: int = 7) -> None:
    """An XLSX of `rows` children, each with nine random dates from the last three years."""
    rng = np.random.default_rng(seed)
    today = (np.datetime64(date.today()) - np.datetime64("1899-12-30")).astype(int)
    serials = rng.integers(today - 3 * 365, today, size=(rows, len(CODES)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOCUMENT}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT}"><sheets>'
            '<sheet name="Milestones" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            header = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in ["child_ref", "route", *CODES])
            sheet.write(f"<row>{header}</row>".encode())
            for start in range(0, rows, 10_000):
                chunk = []
                for number in range(start, min(rows, start + 10_000)):
                    cells = f'<c t="inlineStr"><is><t>D-{number:07d}</t></is></c>'
                    cells += f'<c t="inlineStr"><is><t>{ROUTES[number % 5]}</t></is></c>'
                    cells += "".join(f"<c><v>{value}</v></c>" for value in serials[number].tolist())
                    chunk.append(f"<row>{cells}</row>")
                sheet.write("".join(chunk).encode())
            sheet.write(b"</sheetData></worksheet>")


# Run in a fresh process so that its peak resident memory is the check's alone.
_CHECK = """
import json, os, re, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")
import django
django.setup()
from django.core.files import File
from django.core.management import call_command
from django.utils import timezone
from measures.milestones import imports
from pace_hub.models import Organisation
call_command("migrate", verbosity=0)
def peak():
    return int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text())[1]) // 1024
stamp = time.strftime("%Y%m%d%H%M%S")
org = Organisation.objects.create(name=f"Dense {stamp}", slug=f"dense-{stamp}")
path = Path(sys.argv[2])
before = peak()
with path.open("rb") as handle:
    row = imports.milestone_import_record(organisation=org, user=None, upload=File(handle, name=path.name))
started = time.perf_counter()
row = imports.milestone_import_validate(milestone_import=row, today=timezone.localdate())
seconds = time.perf_counter() - started
row.refresh_from_db()
print(json.dumps({
    "seconds": seconds, "peak_mb": peak(), "before_mb": before, "status": row.status, "rows": row.rows,
    "kept": len(row.problems), "json_bytes": len(json.dumps(row.problems)), "errors": row.error_count,
    "warnings": row.warning_count, "counts": row.problem_counts, "message": row.error_message,
    "history_rows": row.history.count(),
}))
row.file.delete(save=False)
try:
    org.delete()
except Exception as error:
    print(f"(the bench organisation {org.slug} was left behind: {error})", file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=630_000)
    parser.add_argument("--keep", type=Path, help="write the file here and keep it")
    arguments = parser.parse_args()
    path = arguments.keep or Path(tempfile.mkdtemp(prefix="pace-dense-")) / "dense.xlsx"
    started = time.perf_counter()
    write_dense_xlsx(path, arguments.rows)
    with zipfile.ZipFile(path) as archive:
        expanded = sum(member.file_size for member in archive.infolist())
    size = path.stat().st_size
    print(
        f"wrote {arguments.rows:,} rows in {time.perf_counter() - started:.0f} s: {size / 2**20:.1f} MB "
        f"({expanded / 2**20:.0f} MB uncompressed)"
    )
    environment = {**os.environ, "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", tempfile.mkdtemp(prefix="pace-media-"))}
    check = subprocess.run(
        [sys.executable, "-c", _CHECK, str(ROOT), str(path)], capture_output=True, text=True, env=environment
    )
    found = re.findall(r"^\{.*\}$", check.stdout, re.MULTILINE)
    if not found:
        sys.exit(f"the check did not finish:\n{check.stderr[-3000:]}")
    result = json.loads(found[-1])
    print(
        f"checked in {result['seconds']:.1f} s; peak RSS {result['peak_mb']:,} MB "
        f"({result['before_mb']} MB before the check); import ends {result['status']}"
    )
    print(
        f"problems: {result['errors']:,} errors and {result['warnings']:,} warnings, counted by code "
        f"{result['counts']}; {result['kept']:,} kept with row and column ({result['json_bytes'] / 1024:.0f} KB "
        f"of JSON, in {result['history_rows']} history rows)"
    )
    if not arguments.keep:
        path.unlink()


if __name__ == "__main__":
    main()
