"""Realistic wide milestone uploads, and a benchmark of validating them.

    .venv/bin/python bench/make_milestone_files.py [--rows 100000] [--directory /tmp/x]

writes a CSV and an XLSX of the same children (child_ref, route, one column per default
milestone), then times ``validate_milestone_file`` on each and reports rows per second and peak
memory. About one cell in a thousand is deliberately wrong, as in real uploads.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measures.milestones.files import (  # noqa: E402
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    validate_milestone_file,
)

# Typical days from one milestone to the next (looked after is the start).
STEP_DAYS = {
    "first_review": 40,
    "legal_advice": 60,
    "permanence_rec": 90,
    "panel": 80,
    "adm_decision": 14,
    "hearing_advice": 50,
    "court_lodged": 60,
    "order_granted": 150,
}
BAD_CELLS = ("tbc", "12/25/2024", "31/02/2024", "2031-01-01", "?")


def make_wide_files(directory: str | Path, rows: int = 100_000, seed: int = 1) -> tuple[Path, Path]:
    """Write ``milestones.csv`` and ``milestones.xlsx`` with ``rows`` children; return paths.

    The CSV holds text dates (mostly dd/mm/yyyy, some yyyy-mm-dd and d/m/yyyy); the XLSX holds
    mostly real date cells, some dd/mm/yyyy text and some Excel serial numbers. Milestones not
    reached by today are blank, and some others are missing at random.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    today = np.datetime64(date.today(), "D")
    references = np.array([f"C-{number:06d}" for number in rng.permutation(rows) + 10_000])
    routes = rng.choice(np.array([*DEFAULT_ROUTES, ""], dtype=object), size=rows)

    start = today - rng.integers(30, 3650, size=rows).astype("timedelta64[D]")
    dates = {"looked_after": start}
    current = start
    for code, mean in STEP_DAYS.items():
        current = current + np.ceil(rng.gamma(2.0, mean / 2, size=rows)).astype("timedelta64[D]")
        dates[code] = current
    codes = [milestone.code for milestone in DEFAULT_MILESTONES]
    day_matrix = np.stack([dates[code] for code in codes], axis=1)
    # A few rows with two milestones swapped: dates out of pathway order (a warning).
    swapped = rng.random(rows) < 0.005
    day_matrix[swapped, 1], day_matrix[swapped, 2] = day_matrix[swapped, 2], day_matrix[swapped, 1]
    blank = (day_matrix > today) | (rng.random(day_matrix.shape) < 0.05)
    blank[:, codes.index("hearing_advice")] |= rng.random(rows) < 0.5

    formatted = pd.DataFrame(day_matrix, columns=codes)
    uk = formatted.apply(lambda column: column.dt.strftime("%d/%m/%Y"))
    iso = formatted.apply(lambda column: column.dt.strftime("%Y-%m-%d"))
    short = formatted.apply(_without_leading_zeros)
    choice = rng.random(day_matrix.shape)
    text = np.where(choice < 0.6, uk.to_numpy(), np.where(choice < 0.9, iso, short))
    text = np.where(blank, "", text).astype(object)
    bad = rng.random(day_matrix.shape) < 0.001
    text[bad] = rng.choice(np.array(BAD_CELLS, dtype=object), size=int(bad.sum()))

    headers = ["child_ref", "route", *codes]
    csv_path = directory / "milestones.csv"
    frame = pd.DataFrame(text, columns=codes)
    frame.insert(0, "route", routes)
    frame.insert(0, "child_ref", references)
    frame.to_csv(csv_path, index=False, header=headers)

    xlsx_path = directory / "milestones.xlsx"
    as_dates = day_matrix.astype("datetime64[D]").astype(object)  # datetime.date objects
    serials = (day_matrix - np.datetime64("1899-12-30", "D")).astype(int)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Milestones")
    sheet.append(headers)
    kind = rng.random(day_matrix.shape)
    for i in range(rows):
        cells: list[object] = [references[i], routes[i]]
        for j in range(len(codes)):
            if bad[i, j]:
                cells.append(text[i, j])
            elif blank[i, j]:
                cells.append(None)
            elif kind[i, j] < 0.8:
                cells.append(as_dates[i, j])
            elif kind[i, j] < 0.9:
                cells.append(uk.iat[i, j])
            else:
                cells.append(int(serials[i, j]))
        sheet.append(cells)
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def _without_leading_zeros(column: pd.Series) -> pd.Series:
    """d/m/yyyy texts, as Excel writes dates in some UK setups."""
    day, month = column.dt.day.astype(str), column.dt.month.astype(str)
    return day + "/" + month + "/" + column.dt.year.astype(str)


def _time_validation(path: Path, repeats: int) -> tuple[float, int, int]:
    """Best time of ``repeats`` runs, the number of rows, and the peak traced memory."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        result = validate_milestone_file(path, path.name, DEFAULT_MILESTONES, DEFAULT_ROUTES, date.today())
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    validate_milestone_file(path, path.name, DEFAULT_MILESTONES, DEFAULT_ROUTES, date.today())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, result.rows, peak


# Run in a fresh process so that its peak resident memory is the validation's alone (tracemalloc
# does not see memory allocated by calamine's Rust code). VmHWM is reset by exec, unlike
# ru_maxrss, which a child inherits from the process that forked it.
_PEAK_RSS_SCRIPT = """
import re, sys
from datetime import date
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from measures.milestones.files import DEFAULT_MILESTONES, DEFAULT_ROUTES, validate_milestone_file
def peak():
    return int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text())[1])
before = peak()
validate_milestone_file(sys.argv[2], sys.argv[2], DEFAULT_MILESTONES, DEFAULT_ROUTES, date.today())
print(before, peak())
"""


def _peak_rss(path: Path) -> tuple[int, int]:
    """Peak RSS in kB of a fresh process before and after validating ``path``."""
    repository = str(Path(__file__).resolve().parents[1])
    output = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS_SCRIPT, repository, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(output[0]), int(output[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--directory", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    directory = arguments.directory or Path(tempfile.mkdtemp(prefix="milestones-"))

    started = time.perf_counter()
    csv_path, xlsx_path = make_wide_files(directory, rows=arguments.rows)
    print(f"generated {arguments.rows:,} rows in {time.perf_counter() - started:.1f} s")
    for path in (csv_path, xlsx_path):
        seconds, rows, peak = _time_validation(path, arguments.repeats)
        before, after = _peak_rss(path)
        size = path.stat().st_size / 1024 / 1024
        print(
            f"{path.suffix[1:]:>4}: {size:5.1f} MB, {rows:,} rows in {seconds:.2f} s "
            f"= {rows / seconds:,.0f} rows/s; peak traced memory {peak / 1024 / 1024:.0f} MB; "
            f"peak RSS {after / 1024:.0f} MB ({before / 1024:.0f} MB after imports)"
        )
    print(f"files in {directory}")


if __name__ == "__main__":
    main()
