"""Reading date cells of a milestone spreadsheet: UK day-first, ISO and Excel serial dates,
never US month-first. Work is vectorised over the distinct texts of a column."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

EARLIEST_DATE = date(1990, 1, 1)

# Date texts: ISO year first, UK day first (/ - or . between parts, 4- or 2-digit year), or an
# Excel serial number. A time after the date (as XLSX date cells give) is allowed and dropped.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_TEXT = re.compile(
    rf"^(?:(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}}){_TIME}"
    rf"|(?P<d>\d{{1,2}})(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}"
    r"|(?P<serial>\d+(?:\.\d+)?))$"
)
# Excel's 1900 date system counts days from 30/12/1899 (it wrongly treats 1900 as a leap year,
# which only matters before March 1900).
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_SERIAL_MIN = float((np.datetime64("1990-01-01", "D") - _EXCEL_EPOCH).astype(int))
_SERIAL_MAX = float((np.datetime64("2101-01-01", "D") - _EXCEL_EPOCH).astype(int))

# Status of each date cell.
DATE_OK = 0
DATE_BLANK = 1
DATE_UNREADABLE = 2
DATE_NOT_A_DAY = 3
DATE_US = 4
DATE_SERIAL_RANGE = 5
DATE_TOO_EARLY = 6
DATE_FUTURE = 7


@dataclass
class DateColumn:
    """Parsed date cells: a ``status`` per cell (``DATE_OK``, ``DATE_BLANK``, ...), ``dates``
    (datetime64[ns]; NaT unless the status is OK) and ``read_as``, the date each cell was read
    as even when it is refused (a future date), for messages.
    """

    dates: np.ndarray
    status: np.ndarray
    read_as: np.ndarray


def parse_date_column(cells: pd.Series, today: date) -> DateColumn:
    """Parse a column of date texts (UK day-first, ISO, Excel serials; never US month-first)."""
    return parse_date_columns([cells], today)[0]


def parse_date_columns(columns: Sequence[pd.Series], today: date) -> list[DateColumn]:
    """Parse several columns of date texts at once.

    Each distinct text is parsed once, vectorised, and the result spread back over the cells:
    the cost follows the number of distinct dates (milestone columns share most of theirs),
    not the number of cells.
    """
    if not columns:
        return []
    factorised = [pd.factorize(column, sort=False) for column in columns]
    every_text = np.concatenate([np.asarray(uniques, dtype=object) for _, uniques in factorised])
    shared_codes, distinct = pd.factorize(pd.Series(every_text, dtype=str).str.strip())
    distinct_dates, distinct_status = _parse_distinct_dates(pd.Series(distinct, dtype=str))
    after = np.datetime64(today, "ns")
    parsed = []
    offset = 0
    for codes, uniques in factorised:
        indices = shared_codes[offset : offset + len(uniques)][codes]
        offset += len(uniques)
        dates = distinct_dates[indices]
        status = distinct_status[indices]
        status = np.where((status == DATE_OK) & (dates > after), DATE_FUTURE, status)
        valid = np.where(status == DATE_OK, dates, np.datetime64("NaT", "ns"))
        parsed.append(DateColumn(dates=valid, status=status.astype(np.int8), read_as=dates))
    return parsed


def _parse_distinct_dates(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    parts = texts.str.extract(_DATE_TEXT)
    iso_year = pd.to_numeric(parts["iso_y"]).to_numpy(dtype=float)
    day_first_year = pd.to_numeric(parts["y"]).to_numpy(dtype=float)
    two_digits = (parts["y"].str.len() == 2).to_numpy(dtype=bool)
    day_first_year = np.where(two_digits, day_first_year + 2000, day_first_year)
    is_iso = ~np.isnan(iso_year)
    year = np.where(is_iso, iso_year, day_first_year)
    month = np.where(is_iso, pd.to_numeric(parts["iso_m"]), pd.to_numeric(parts["m"]))
    day = np.where(is_iso, pd.to_numeric(parts["iso_d"]), pd.to_numeric(parts["d"]))
    serial = pd.to_numeric(parts["serial"]).to_numpy(dtype=float)

    status = np.full(len(texts), DATE_UNREADABLE, dtype=np.int8)
    status[(texts == "").to_numpy()] = DATE_BLANK
    has_parts = ~np.isnan(year)
    us = has_parts & ~is_iso & (day <= 12) & (month > 12) & (month <= 31)
    calendar_like = has_parts & ~us & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    early = calendar_like & (year < EARLIEST_DATE.year)
    candidates = calendar_like & ~early

    dates = np.full(len(texts), np.datetime64("NaT", "ns"))
    if candidates.any():
        parsed = pd.to_datetime(
            pd.DataFrame({"year": year[candidates], "month": month[candidates], "day": day[candidates]}),
            errors="coerce",
        )
        dates[candidates] = parsed.to_numpy(dtype="datetime64[ns]")
    real = candidates & ~np.isnat(dates)
    status[has_parts & ~real] = DATE_NOT_A_DAY
    status[us] = DATE_US
    status[early] = DATE_TOO_EARLY
    status[real] = DATE_OK

    is_serial = ~np.isnan(serial)
    serial_ok = is_serial & (serial >= _SERIAL_MIN) & (serial < _SERIAL_MAX)
    whole_days = np.floor(np.where(serial_ok, serial, 0)).astype("timedelta64[D]")
    dates = np.where(serial_ok, (_EXCEL_EPOCH + whole_days).astype("datetime64[ns]"), dates)
    status[is_serial] = DATE_SERIAL_RANGE
    status[serial_ok] = DATE_OK
    return dates, status


DATE_CODES = {
    DATE_UNREADABLE: "unparseable_date",
    DATE_NOT_A_DAY: "unparseable_date",
    DATE_SERIAL_RANGE: "unparseable_date",
    DATE_TOO_EARLY: "unparseable_date",
    DATE_US: "us_date",
    DATE_FUTURE: "future_date",
}


def date_reason(status: int, value: str, read_as: np.datetime64) -> str:
    if status == DATE_FUTURE:
        return f"date is in the future ({uk_date(read_as)})"
    if status == DATE_US:
        match = _DATE_TEXT.match(value)
        day_first = f"{match['m']}/{match['d']}/{match['y']}" if match else "dd/mm/yyyy"
        return f"{value!r} looks like a US month-first date; write dates day first (dd/mm/yyyy), e.g. {day_first}"
    if status == DATE_TOO_EARLY:
        return f"date {value!r} is before {EARLIEST_DATE.year}, which is not plausible"
    if status == DATE_NOT_A_DAY:
        return f"{value!r} is not a real date (check the day and month)"
    if status == DATE_SERIAL_RANGE:
        return f"the number {value} is not a date: Excel date numbers must fall between {EARLIEST_DATE.year} and 2100"
    return f"{value!r} is not a date that can be read; use dd/mm/yyyy or yyyy-mm-dd"


def uk_date(value: np.datetime64) -> str:
    return uk_dates(np.array([value]))[0]


def uk_dates(values: np.ndarray) -> list[str]:
    """dd/mm/yyyy texts for an array of datetime64 values, formatting each distinct day once."""
    codes, days = pd.factorize(values.astype("datetime64[D]"))
    iso = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D").tolist()
    texts = np.array([f"{text[8:10]}/{text[5:7]}/{text[:4]}" for text in iso], dtype=object)
    return texts[codes].tolist()
