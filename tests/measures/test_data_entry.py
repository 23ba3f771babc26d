"""Reading pasted and uploaded data points: periods, numbers and row-level errors."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.data_entry import (
    EntryError,
    next_period,
    parse_number,
    parse_paste,
    parse_period,
    parse_upload,
)

TODAY = datetime.date(2026, 11, 26)


@pytest.mark.parametrize(
    "text",
    ["Jan 2025", "January 2025", "jan-25", "2025-01", "2025-01-01", "01/01/2025", "15/01/2025", "1/2025", "2025-01-31"],
)
def test_month_periods(text) -> None:
    assert parse_period(text) == datetime.date(2025, 1, 1)


def test_uk_dates_are_day_first() -> None:
    assert parse_period("03/02/2025") == datetime.date(2025, 2, 1)
    with pytest.raises(EntryError, match="not a real date"):
        parse_period("02/13/2025")  # US month-first: there is no 13th month


def test_quarters_weeks_and_excel_dates() -> None:
    assert parse_period("Q3 2025", "quarter") == datetime.date(2025, 7, 1)
    assert parse_period("2025-08-20", "quarter") == datetime.date(2025, 7, 1)
    assert parse_period("2025-01-15", "week") == datetime.date(2025, 1, 13)  # the Monday
    assert parse_period(datetime.datetime(2025, 5, 17, 0, 0)) == datetime.date(2025, 5, 1)


@pytest.mark.parametrize("text", ["", "Smarch 2025", "soon", "2025-13", "1850-01"])
def test_bad_periods(text) -> None:
    with pytest.raises(EntryError):
        parse_period(text)


def test_numbers() -> None:
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("45%") == 45
    assert parse_number(" ") is None
    assert parse_number(7) == 7.0
    for bad in ("abc", "nan", "inf", True):
        with pytest.raises(EntryError):
            parse_number(bad)


def test_next_period() -> None:
    assert next_period(datetime.date(2025, 12, 1), "month") == datetime.date(2026, 1, 1)
    assert next_period(datetime.date(2025, 10, 1), "quarter") == datetime.date(2026, 1, 1)
    assert next_period(datetime.date(2025, 1, 13), "week") == datetime.date(2025, 1, 20)


def test_paste_with_header_notes_and_blank_lines() -> None:
    result = parse_paste("Month\tValue\tNote\nJan 2025\t12\tSnow\n\n2025-02\t14\n", kind="value", today=TODAY)

    assert result.ok
    assert [(row.row, row.period, row.value, row.note) for row in result.rows] == [
        (2, datetime.date(2025, 1, 1), 12.0, "Snow"),
        (4, datetime.date(2025, 2, 1), 14.0, None),
    ]


def test_paste_errors_name_row_and_column() -> None:
    result = parse_paste("Jan 2025\t12\nFeb 2025\tabc\nMar 2025\nJan 2025\t3\nDec 2026\t1", kind="value", today=TODAY)

    assert result.errors == [
        "row 2, column value: 'abc' is not a number",
        "row 3, column value: a number is needed",
        "row 4, column period: the same period as row 1",
        "row 5, column period: 01/12/2026 is in the future",
    ]


def test_paste_proportions() -> None:
    result = parse_paste("Jan 2025\t12\t20\nFeb 2025\t21\t20\nMar 2025\t1\t0", kind="proportion", today=TODAY)

    assert result.rows[0].value == 60.0 and result.rows[0].numerator == 12
    assert result.errors == [
        "row 2, column numerator: 21 is more than the denominator 20",
        "row 3, column denominator: it must be more than 0",
    ]


def test_empty_paste() -> None:
    assert parse_paste("\n\n", kind="value").errors == ["There are no rows of data."]


def test_csv_upload_with_columns_in_any_order() -> None:
    content = "\ufeffNote,Value,Period\nfirst,3,2025-01\n,4,Feb 2025\n".encode()

    result = parse_upload("points.csv", content, kind="value", today=TODAY)

    assert result.ok
    assert [(row.row, row.value, row.note) for row in result.rows] == [(2, 3.0, "first"), (3, 4.0, "")]


def test_upload_row_errors_count_the_header_as_row_1() -> None:
    content = b"period,value\n2025-01,1\n2025-02,2\n2025-03,abc\n"

    result = parse_upload("points.csv", content, kind="value", today=TODAY)

    assert result.errors == ["row 4, column value: 'abc' is not a number"]


def test_upload_needs_named_columns_and_a_known_type() -> None:
    missing = parse_upload("points.csv", b"when,how many\n2025-01,1\n", kind="proportion", today=TODAY)
    assert missing.errors[0].startswith("The first row must name the columns; missing: period, numerator, denominator")
    assert parse_upload("points.pdf", b"%PDF", kind="value").errors == ["Upload a .csv or .xlsx file."]
    assert (
        parse_upload("points.xlsx", b"not a workbook", kind="value").errors[0].startswith("The file could not be read")
    )


@given(st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_every_written_form_of_a_date_reads_as_its_month(day: datetime.date) -> None:
    month = day.replace(day=1)
    for text in (day.isoformat(), f"{day:%Y-%m}", f"{day:%d/%m/%Y}", f"{day:%b %Y}", f"{day:%B %Y}"):
        assert parse_period(text) == month, text
    if 1930 <= day.year <= 2029:
        assert parse_period(f"{day:%b-%y}") == month


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_numbers_read_back(number: float) -> None:
    assert parse_number(repr(number)) == number
    assert parse_number(f"{number:,}") == pytest.approx(number)
