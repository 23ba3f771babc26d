"""Date cells: UK day-first, ISO and Excel serials are read; US month-first never is."""

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.milestones.files import DEFAULT_MILESTONES, DEFAULT_ROUTES, validate_milestone_file
from measures.milestones.files.dates import (
    DATE_BLANK,
    DATE_FUTURE,
    DATE_NOT_A_DAY,
    DATE_OK,
    DATE_SERIAL_RANGE,
    DATE_TOO_EARLY,
    DATE_UNREADABLE,
    DATE_US,
    parse_date_column,
    parse_date_columns,
)

TODAY = date(2025, 6, 30)
EXCEL_EPOCH = date(1899, 12, 30)


def parse(*texts: str) -> list[tuple[int, date | None]]:
    parsed = parse_date_column(pd.Series(list(texts), dtype=str), TODAY)
    days = [None if pd.isna(value) else pd.Timestamp(value).date() for value in parsed.dates]
    return list(zip(parsed.status.tolist(), days, strict=True))


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-05",
        "2024-3-5",
        "2024-03-05 00:00:00",
        "2024-03-05T00:00:00",
        "2024-03-05 14:30",
        "05/03/2024",
        "5/3/2024",
        "05-03-2024",
        "05.03.2024",
        "05/03/24",
        "5.3.24",
        "  05/03/2024 ",
        str((date(2024, 3, 5) - EXCEL_EPOCH).days),
        f"{(date(2024, 3, 5) - EXCEL_EPOCH).days}.0",
        f"{(date(2024, 3, 5) - EXCEL_EPOCH).days}.75",
    ],
)
def test_accepted_formats_read_as_5_march_2024(text):
    assert parse(text) == [(DATE_OK, date(2024, 3, 5))]


def test_an_ambiguous_date_is_read_day_first():
    assert parse("03/04/2025") == [(DATE_OK, date(2025, 4, 3))]


@pytest.mark.parametrize("text", ["12/25/2025", "1/13/2024", "02/30/2024", "12-25-2024"])
def test_month_first_dates_are_refused_as_us_dates(text):
    assert parse(text) == [(DATE_US, None)]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("tbc", DATE_UNREADABLE),
        ("5th March 2024", DATE_UNREADABLE),
        ("2024/13", DATE_UNREADABLE),
        ("05/03-2024", DATE_UNREADABLE),
        ("-45000", DATE_UNREADABLE),
        ("13/13/2024", DATE_NOT_A_DAY),
        ("31/02/2024", DATE_NOT_A_DAY),
        ("00/01/2024", DATE_NOT_A_DAY),
        ("2024-02-30", DATE_NOT_A_DAY),
        ("29/02/2023", DATE_NOT_A_DAY),
        ("01/01/1985", DATE_TOO_EARLY),
        ("1989-12-31", DATE_TOO_EARLY),
        ("05/03/0024", DATE_TOO_EARLY),  # a four-digit year is never read as 20yy
        ("2024", DATE_SERIAL_RANGE),
        ("20240305", DATE_SERIAL_RANGE),
        ("01/07/2025", DATE_FUTURE),
        ("05/03/99", DATE_FUTURE),  # two-digit years are 20yy
    ],
)
def test_unreadable_implausible_and_future_dates_are_flagged(text, status):
    assert parse(text) == [(status, None)]


def test_today_and_the_leap_day_are_fine():
    assert parse("30/06/2025", "29/02/2024") == [
        (DATE_OK, date(2025, 6, 30)),
        (DATE_OK, date(2024, 2, 29)),
    ]


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_blank_cells_are_blank_not_errors(text):
    assert parse(text) == [(DATE_BLANK, None)]


def test_several_columns_share_one_parse_and_keep_their_own_results():
    first = pd.Series(["01/03/2024", "", "tbc"], dtype=str)
    second = pd.Series(["tbc", "01/03/2024", "2024-03-01"], dtype=str)
    one, two = parse_date_columns([first, second], TODAY)
    assert one.status.tolist() == [DATE_OK, DATE_BLANK, DATE_UNREADABLE]
    assert two.status.tolist() == [DATE_UNREADABLE, DATE_OK, DATE_OK]
    assert two.dates[1] == two.dates[2] == one.dates[0]


def test_a_future_date_remembers_what_it_was_read_as():
    parsed = parse_date_column(pd.Series(["12/03/2031"], dtype=str), TODAY)
    assert parsed.status.tolist() == [DATE_FUTURE]
    assert pd.isna(parsed.dates[0])
    assert pd.Timestamp(parsed.read_as[0]).date() == date(2031, 3, 12)


def test_uk_and_us_dates_through_a_whole_file():
    content = (
        b"child_ref,looked_after,first_review\nC-1,03/04/2025,12/25/2024\nC-2,03/04/2025,04/05/25\n"
    )
    result = validate_milestone_file(content, "u.csv", DEFAULT_MILESTONES, DEFAULT_ROUTES, TODAY)
    assert [(p.row, p.code) for p in result.problems] == [(2, "us_date")]
    assert [
        (row.child_ref, row.milestone, row.date.date()) for row in result.records.itertuples()
    ] == [("C-2", "looked_after", date(2025, 4, 3)), ("C-2", "first_review", date(2025, 5, 4))]


# Properties -------------------------------------------------------------------------------

FORMATS = {
    "iso": lambda day: day.isoformat(),
    "iso with time": lambda day: f"{day.isoformat()} 00:00:00",
    "dd/mm/yyyy": lambda day: day.strftime("%d/%m/%Y"),
    "d/m/yyyy": lambda day: f"{day.day}/{day.month}/{day.year}",
    "dd-mm-yyyy": lambda day: day.strftime("%d-%m-%Y"),
    "dd.mm.yyyy": lambda day: day.strftime("%d.%m.%Y"),
    "dd/mm/yy": lambda day: day.strftime("%d/%m/%y"),
    "excel serial": lambda day: str((day - EXCEL_EPOCH).days),
}
plausible_dates = st.dates(min_value=date(1990, 1, 1), max_value=TODAY)


@given(data=st.data(), style=st.sampled_from(sorted(FORMATS)), pad=st.sampled_from(["", " "]))
def test_any_valid_date_in_any_accepted_format_reads_back_as_itself(data, style, pad):
    # Two-digit years are read as 20yy, so that format can only write this century's dates.
    earliest = date(2000, 1, 1) if style == "dd/mm/yy" else date(1990, 1, 1)
    day = data.draw(st.dates(min_value=earliest, max_value=TODAY))
    assert parse(pad + FORMATS[style](day) + pad) == [(DATE_OK, day)]


@given(day=plausible_dates.filter(lambda day: day.day > 12))
def test_a_month_first_date_is_never_read_as_a_date(day):
    assert parse(day.strftime("%m/%d/%Y")) == [(DATE_US, None)]


@given(day=st.dates(min_value=TODAY + timedelta(days=1), max_value=date(2099, 12, 31)))
def test_any_date_after_today_is_a_future_date(day):
    assert parse(day.strftime("%d/%m/%Y")) == [(DATE_FUTURE, None)]
