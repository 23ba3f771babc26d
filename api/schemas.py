"""The API's request and response shapes (pydantic, through django-ninja). These are the
OpenAPI document's components; docs/api.md shows them in use."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field, StrictStr, StringConstraints, model_validator

# Text cells as a spreadsheet would hold them: the upload rules decide what they may say.
Cell = Annotated[StrictStr, StringConstraints(max_length=200)]
# A wide row's milestone keys become column headers: no separators or line breaks in them.
MilestoneKey = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^,;\t\r\n\"]+$")]


class Strict(Schema):
    """Request bodies refuse fields they do not know (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class MilestoneRecord(Strict):
    child_ref: Cell = Field(description="The council's pseudonymous reference, e.g. C-10234.")
    route: Cell | None = Field(None, description="home, kinship, po, poa or adoption (or their usual labels).")
    milestone: Cell = Field(description="A milestone code of your pathway (GET /api/v1/pathway/) or its name.")
    date: Cell = Field(description="yyyy-mm-dd (or day-first dd/mm/yyyy). Never month-first; not in the future.")


class WideChild(Strict):
    child_ref: Cell = Field(description="The council's pseudonymous reference, e.g. C-10234.")
    route: Cell | None = None
    dates: dict[MilestoneKey, Cell | None] = Field(
        description="Milestone code (or name) → date, as the columns of a wide spreadsheet."
    )


class MilestoneBatchIn(Strict):
    """Either ``records`` (long: one date per item) or ``children`` (wide: one row per child)."""

    records: list[MilestoneRecord] | None = None
    children: list[WideChild] | None = None

    @model_validator(mode="after")
    def one_layout(self) -> MilestoneBatchIn:
        if (self.records is None) == (self.children is None):
            raise ValueError("give either 'records' (one date per item) or 'children' (one row per child), not both")
        return self


class FieldError(Schema):
    pointer: str = Field(description="JSON pointer to the field in the request, e.g. /records/3/date.")
    source: str = Field(description="body, query, path or header.")
    message: str


class RowProblem(Schema):
    row: int | None = Field(description="The row this item would have in a spreadsheet upload (header = row 1).")
    index: int | None = Field(description="The item's position in the batch (0-based); null for the whole batch.")
    pointer: str | None = Field(description="JSON pointer to the field, e.g. /records/3/date.")
    column: str | None
    value: str
    reason: str
    severity: str = Field(description="error (the item is not saved) or warning (saved).")
    code: str = Field(description="e.g. future_date, us_date, unparseable_date, duplicate_reference.")


class Problem(Schema):
    type: str = Field(description="urn:pace-hub:problem:<code>")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    problems: list[RowProblem] | None = None
    problem_count: int | None = None
    retry_after: int | None = None


class Icon(Schema):
    code: str
    label: str


class LatestValue(Schema):
    period: datetime.date
    value: float | None = Field(description="Null when withheld (fewer than 5 children).")
    text: str = Field(description='As a page shows it, e.g. "45 days" or "<5".')
    suppressed: bool
    provisional: bool


class MeasureSummaryOut(Schema):
    code: uuid.UUID
    title: str
    kind: str
    unit: str
    better: str
    chart: str
    period: str
    source: str
    derivation: str
    target: float | None
    latest: LatestValue | None
    variation: Icon | None
    assurance: Icon | None
    signal_status: str = Field(description="improvement, concern, neither or none (the latest phase).")
    url: str


class PointOut(Schema):
    period: datetime.date
    label: str
    value: float | None = Field(description="Null when there is no value or it is withheld.")
    numerator: float | None
    denominator: float | None
    suppressed: bool = Field(description="Withheld: fewer than 5 children (shown as shown_instead).")
    shown_instead: str
    provisional: bool
    astronomical: bool
    note: str
    phase: int
    centre: float | None
    ucl: float | None
    lcl: float | None
    signal: str | None
    improvement: bool | None


class PhaseOut(Schema):
    number: int
    label: str
    reason: str
    start: datetime.date
    end: datetime.date
    trial_limits: bool


class SignalOut(Schema):
    kind: str
    name: str
    start: datetime.date
    end: datetime.date
    direction: str | None
    improvement: bool | None
    phase: int


class MeasureDetailOut(MeasureSummaryOut):
    description: str
    chart_label: str
    centre_name: str
    baseline_points: int | None
    timescale: uuid.UUID | None
    points: list[PointOut]
    phases: list[PhaseOut]
    signals: list[SignalOut]
    reading: list[str]
    error: str | None


class MeasurePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[MeasureSummaryOut]


class AimOut(Schema):
    code: uuid.UUID
    title: str
    kind: str
    status: str
    statement: str
    population: str
    improvement: str
    baseline_value: float | None
    baseline_label: str
    target_value: float | None
    unit: str
    start_date: datetime.date | None
    by_date: datetime.date | None
    progress_score: str | None = Field(description="The IHI progress score, 0.5 to 5.0, as the leads group set it.")
    progress_description: str | None
    outcome_measure: uuid.UUID | None
    measures: list[uuid.UUID]
    last_reviewed: datetime.date | None
    version: int
    updated_at: datetime.datetime
    url: str


class AimPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[AimOut]


class MilestoneOut(Schema):
    code: str
    name: str
    order: int
    active: bool


class RouteOut(Schema):
    code: str
    label: str


class PathwayOut(Schema):
    milestones: list[MilestoneOut]
    routes: list[RouteOut]


class TimescaleMeasure(Schema):
    code: uuid.UUID
    derivation: str
    url: str


class TimescaleOut(Schema):
    code: uuid.UUID
    name: str
    from_milestone: MilestoneOut
    to_milestone: MilestoneOut
    target_days: int
    basis: str
    active: bool
    measures: list[TimescaleMeasure]


class TimescalePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[TimescaleOut]


class ImportOut(Schema):
    code: uuid.UUID
    status: str = Field(
        description="uploaded, validating, validated, invalid, refused, committing, committed, failed, "
        "rolling_back or rolled_back."
    )
    status_label: str
    source: str = Field(description="api (pushed through this API) or upload (a spreadsheet).")
    api_key: str | None = Field(description="The name of the key that pushed it.")
    name: str
    layout: str
    rows: int
    new_children: int
    updated_children: int
    unchanged_children: int
    error_rows: int
    warning_count: int
    progress: int
    progress_message: str
    error_message: str
    created_at: datetime.datetime
    committed_at: datetime.datetime | None
    rolled_back_at: datetime.datetime | None
    url: str


class ImportDetailOut(ImportOut):
    problems: list[RowProblem]
    problem_count: int


class ImportPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ImportOut]
