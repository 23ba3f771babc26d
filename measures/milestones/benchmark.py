"""Benchmarking across Scotland (DESIGN.md §4d): sharing aggregates into the national table, and
reading it back as funnel plots.

This module is the second deliberate cross-organisation read in PACE Hub (the first is the
library of published learning in pdsa): `national_view` reads the national table of every
organisation that shares. Nothing else reads `BenchmarkAggregate` across organisations, and the
table holds aggregates only:
- per timescale, named by its milestones' default codes (never an organisation's own names or
  any other free text), with its target, and per financial year of the cohort (the children
  who reached the earlier milestone in it), once the year is complete — every child in it has
  reached the later milestone or run past the target;
- children counted, children within target, and the Kaplan–Meier median days (children still
  waiting included);
- a cohort whose counts would include a group of 1–4 children (counted, within target, or not
  within target) is published as withheld, with no figures at all.
An organisation chooses to share and, separately, to be named; unnamed organisations appear as
letters in an order drawn at random. Withdrawing deletes the organisation's rows at once.
"""

from __future__ import annotations

import datetime
import string
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from measures.analysis import FunnelResult, funnel, kaplan_meier
from measures.milestones.derived import usable_timescales
from measures.milestones.files import DEFAULT_MILESTONES
from measures.milestones.survival import TimescaleDurations, durations_by_timescale, financial_year
from measures.models import BenchmarkAggregate, BenchmarkSharing
from pace_hub.background import enqueue
from pace_hub.models import Organisation
from pace_hub.wording import count_text

SMALL = 5  # no published count may be 1–4
PUBLISH_TASK = "measures.tasks.benchmark_publish_task"
NATIONAL_NAMES = {spec.code: spec.name for spec in DEFAULT_MILESTONES}


# Sharing: the organisation's choice ----------------------------------------------------------


def sharing_for(organisation: Organisation) -> BenchmarkSharing:
    """The organisation's sharing choice (not sharing until an admin opts in)."""
    return BenchmarkSharing.objects.filter(organisation=organisation).first() or BenchmarkSharing(
        organisation=organisation
    )


@transaction.atomic
def benchmark_sharing_update(
    *, organisation: Organisation, sharing: bool, named: bool, user: AbstractBaseUser | None
) -> BenchmarkSharing:
    """Opt in or out of sharing, and of being named. Opting in publishes the aggregates (on the
    worker); opting out deletes them at once."""
    choice, _ = BenchmarkSharing.objects.select_for_update().get_or_create(organisation=organisation)
    choice.sharing = sharing
    choice.named = named and sharing
    choice.changed_by = user
    if not sharing:
        BenchmarkAggregate.objects.filter(organisation=organisation).delete()
        choice.published_at = None
        choice.published_rows = 0
    choice.full_clean()
    choice.save()
    if sharing:
        enqueue(PUBLISH_TASK, organisation.pk)
    return choice


def benchmark_publish_request(*, organisation: Organisation) -> bool:
    """Ask the worker to publish again, if the organisation shares. Called after every change
    to its milestone data (imports, roll-backs) and by the "publish now" button."""
    if not BenchmarkSharing.objects.filter(organisation=organisation, sharing=True).exists():
        return False
    enqueue(PUBLISH_TASK, organisation.pk)
    return True


# Publishing: the organisation's aggregates ---------------------------------------------------


@dataclass(frozen=True)
class Aggregate:
    """One cohort's figures, before they are written (None figures: withheld)."""

    from_code: str
    to_code: str
    target_days: int
    period_start: datetime.date
    period_label: str
    children: int | None
    within_target: int | None
    median_days: float | None

    @property
    def withheld(self) -> bool:
        return self.children is None


def cohort_aggregate(durations: TimescaleDurations, target_days: int) -> tuple[int | None, int | None, float | None]:
    """(children counted, children within target, median days) of one complete cohort, or
    (None, None, None) when publishing them would show a group of 1–4 children.

    Counted are the children whose outcome is known: reached the later milestone (within the
    target or not) or waited past the target without it.
    """
    reached_within = durations.observed & (durations.durations <= target_days)
    known = durations.observed | (durations.durations > target_days)
    children, within = int(known.sum()), int(reached_within.sum())
    outside = children - within
    if children < SMALL or 0 < within < SMALL or 0 < outside < SMALL:
        return None, None, None
    median = kaplan_meier(durations.durations, durations.observed).median
    return children, within, median


def organisation_aggregates(organisation: Organisation, *, today: datetime.date) -> list[Aggregate]:
    """The organisation's aggregates for every timescale between two default milestones, per
    complete financial year. Two queries for the dates, one for the timescales."""
    timescales = [
        timescale
        for timescale in usable_timescales(organisation)
        if timescale.from_milestone.code in NATIONAL_NAMES and timescale.to_milestone.code in NATIONAL_NAMES
    ]
    durations = durations_by_timescale(timescales, today=today)
    aggregates = []
    for timescale in timescales:
        data = durations[timescale.pk]
        if not len(data):
            continue
        years = np.array([financial_year(day)[0] for day in data.starts.astype(datetime.date)])
        for year in sorted(set(years)):
            year_end = datetime.date(year.year + 1, 3, 31)
            # Complete: the last child who could start in the year has passed the target.
            if (today - year_end).days <= timescale.target_days:
                continue
            children, within, median = cohort_aggregate(data.subset(years == year), timescale.target_days)
            aggregates.append(
                Aggregate(
                    from_code=timescale.from_milestone.code,
                    to_code=timescale.to_milestone.code,
                    target_days=timescale.target_days,
                    period_start=year,
                    period_label=financial_year(year)[1],
                    children=children,
                    within_target=within,
                    median_days=median,
                )
            )
    return aggregates


@transaction.atomic
def benchmark_publish(*, organisation: Organisation, today: datetime.date) -> int:
    """Replace the organisation's rows in the national table with its current aggregates (none
    when it does not share); return how many rows it now has."""
    choice = BenchmarkSharing.objects.select_for_update().filter(organisation=organisation).first()
    BenchmarkAggregate.objects.filter(organisation=organisation).delete()
    if choice is None or not choice.sharing:
        return 0
    now = timezone.now()
    rows = [
        BenchmarkAggregate(
            organisation=organisation,
            from_code=aggregate.from_code,
            to_code=aggregate.to_code,
            target_days=aggregate.target_days,
            period_start=aggregate.period_start,
            period_label=aggregate.period_label,
            children=aggregate.children,
            within_target=aggregate.within_target,
            median_days=aggregate.median_days,
            withheld=aggregate.withheld,
            published_at=now,
        )
        for aggregate in organisation_aggregates(organisation, today=today)
    ]
    BenchmarkAggregate.objects.bulk_create(rows)
    choice.published_at = now
    choice.published_rows = len(rows)
    choice.save(update_fields=["published_at", "published_rows", "updated_at"])
    return len(rows)


# Reading: the national table as funnel plots (the cross-organisation read) ------------------


@dataclass(frozen=True)
class NationalTimescale:
    """A timescale as the national table knows it: two default milestones and a target."""

    from_code: str
    to_code: str
    target_days: int

    @property
    def key(self) -> str:
        return f"{self.from_code}.{self.to_code}.{self.target_days}"

    @property
    def name(self) -> str:
        return (
            f"{NATIONAL_NAMES.get(self.from_code, self.from_code)} → {NATIONAL_NAMES.get(self.to_code, self.to_code)}"
        )

    @property
    def label(self) -> str:
        return f"{self.name}, within {self.target_days} days"

    @classmethod
    def from_key(cls, key: str) -> NationalTimescale | None:
        parts = key.split(".")
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]))


@dataclass(frozen=True)
class NationalPoint:
    """One authority on the funnel plot."""

    label: str
    own: bool
    named: bool
    children: int
    within_target: int
    median_days: float | None
    outside95: bool
    outside998: bool

    @property
    def share(self) -> float:
        return self.within_target / self.children

    @property
    def share_text(self) -> str:
        return f"{self.share:.0%}"

    @property
    def against_limits(self) -> str:
        if self.outside998:
            return "Outside the 99.8% limits"
        if self.outside95:
            return "Outside the 95% limits"
        return "Within the limits"


@dataclass
class NationalView:
    """The funnel plot of one timescale and year, and what the page says about it."""

    timescale: NationalTimescale | None
    period_label: str
    period_start: datetime.date | None
    overdispersion: bool
    points: list[NationalPoint] = field(default_factory=list)
    withheld: int = 0
    own_withheld: bool = False
    result: FunnelResult | None = None
    timescales: list[NationalTimescale] = field(default_factory=list)
    periods: list[tuple[datetime.date, str]] = field(default_factory=list)
    figure: dict[str, Any] = field(default_factory=dict)

    @property
    def own(self) -> NationalPoint | None:
        return next((point for point in self.points if point.own), None)

    @property
    def sentences(self) -> list[str]:
        """The funnel plot in words: the national share, where we stand, the spread."""
        result = self.result
        if result is None or result.centre is None or self.timescale is None:
            return []
        count = len(self.points)
        sentences = [
            f"Across the {count} authorit{'y' if count == 1 else 'ies'} shown, {result.centre:.0%} of children "
            f"reached it within {self.timescale.target_days} days."
        ]
        own = self.own
        if own is not None:
            side = "above" if own.share > result.centre else "below"
            if own.outside998:
                verdict = f"outside the 99.8% limits: well {side} what chance explains"
            elif own.outside95:
                verdict = f"outside the 95% limits ({side}), though within 99.8%: worth a closer look"
            else:
                verdict = "within the limits: no different from the others beyond what chance explains"
            sentences.append(f"{own.label}: {own.share_text} of {count_text(own.children, 'child')}, {verdict}.")
        elif self.own_withheld:
            sentences.append("Our own figures for this year are not shown: a count among them is of 1 to 4 children.")
        if result.phi is not None:
            if self.overdispersion and result.inflation > 1:
                sentences.append(
                    f"Allowing for overdispersion (φ = {result.phi:.2f}), the limits are {result.inflation:.2f} "
                    "times as wide."
                )
            elif result.phi > 1:
                sentences.append(
                    f"The authorities vary {result.phi:.2f} times as much as chance predicts (φ): allowing for "
                    "overdispersion may be fairer."
                )
            else:
                sentences.append(f"The authorities vary no more than chance predicts (φ = {result.phi:.2f}).")
        if self.withheld:
            sentences.append(
                f"{self.withheld} authorit{'y' if self.withheld == 1 else 'ies'} shared figures for this year that "
                "are not shown: a count among them is of 1 to 4 children."
            )
        return sentences


def _letters(count: int) -> list[str]:
    """A, B, …, Z, AA, AB, …: enough letters for every unnamed authority."""
    letters = list(string.ascii_uppercase)
    while len(letters) < count:
        letters += [first + second for first in string.ascii_uppercase for second in string.ascii_uppercase]
    return letters[:count]


def _labels(organisation: Organisation) -> dict[int, tuple[str, bool]]:
    """Every sharing organisation's label on the national page as `organisation` sees it:
    its name where it chose to be named (and always for `organisation` itself), otherwise a
    letter, in an order drawn at random when it opted in. One query."""
    choices = list(
        BenchmarkSharing.objects.filter(sharing=True).select_related("organisation").order_by("letter_key", "pk")
    )
    unnamed = [choice for choice in choices if not choice.named]
    letters = dict(zip([choice.organisation_id for choice in unnamed], _letters(len(unnamed)), strict=True))
    labels = {}
    for choice in choices:
        if choice.organisation_id == organisation.pk or choice.named:
            labels[choice.organisation_id] = (choice.organisation.name, True)
        else:
            labels[choice.organisation_id] = (f"Authority {letters[choice.organisation_id]}", False)
    return labels


def national_view(
    organisation: Organisation, *, timescale_key: str = "", period: str = "", overdispersion: bool = False
) -> NationalView:
    """The national funnel plot of % within target for one timescale and year, as
    `organisation` (which must share) sees it. Three queries."""
    rows = list(
        BenchmarkAggregate.objects.filter(
            organisation__in=BenchmarkSharing.objects.filter(sharing=True).values("organisation")
        )
        .order_by("from_code", "to_code", "target_days", "period_start")
        .values_list(
            "organisation_id",
            "from_code",
            "to_code",
            "target_days",
            "period_start",
            "period_label",
            "children",
            "within_target",
            "median_days",
            "withheld",
        )
    )
    order = list(NATIONAL_NAMES)
    timescales = sorted(
        {NationalTimescale(row[1], row[2], row[3]) for row in rows},
        # Pathway order: the earlier milestone first, then the later one, then the target.
        key=lambda t: (order.index(t.from_code), order.index(t.to_code), t.target_days),
    )
    chosen = NationalTimescale.from_key(timescale_key)
    if chosen not in timescales:
        chosen = timescales[0] if timescales else None
    view = NationalView(chosen, "", None, overdispersion, timescales=timescales)
    if chosen is None:
        return view
    mine = [row for row in rows if (row[1], row[2], row[3]) == (chosen.from_code, chosen.to_code, chosen.target_days)]
    view.periods = sorted({(row[4], row[5]) for row in mine}, reverse=True)
    wanted = next((start for start, label in view.periods if label == period), view.periods[0][0])
    view.period_start = wanted
    view.period_label = next(label for start, label in view.periods if start == wanted)
    cohort = [row for row in mine if row[4] == wanted]
    labels = _labels(organisation)
    shown = [row for row in cohort if not row[9] and row[6] is not None and row[6] >= SMALL]
    view.withheld = len(cohort) - len(shown)
    view.own_withheld = any(row[0] == organisation.pk and row[9] for row in cohort)
    if not shown:
        view.figure = funnel_figure(view)
        return view
    result = funnel([row[7] for row in shown], [row[6] for row in shown], overdispersion=overdispersion)
    view.result = result
    outside95, outside998 = set(result.outside95), set(result.outside998)
    view.points = [
        NationalPoint(
            label=labels.get(row[0], ("Authority", False))[0],
            own=row[0] == organisation.pk,
            named=labels.get(row[0], ("", False))[1],
            children=row[6],
            within_target=row[7],
            median_days=row[8],
            outside95=index in outside95,
            outside998=index in outside998,
        )
        for index, row in enumerate(shown)
    ]
    view.points.sort(key=lambda point: (not point.own, point.label))
    view.figure = funnel_figure(view)
    return view


def funnel_figure(view: NationalView, *, width: int = 760, height: int = 420) -> dict[str, Any]:
    """The funnel plot as a plotly figure: 95% and 99.8% limits around the national
    proportion, every authority a point (its own a larger diamond), labelled by name or letter."""
    result = view.result
    traces: list[dict[str, Any]] = []
    if result is not None and result.centre is not None and view.points:
        largest = max(point.children for point in view.points)
        sizes = np.unique(np.linspace(SMALL, max(largest * 1.1, SMALL + 1), 80).round(1))
        bands = [result.limits(float(n)) for n in sizes]
        for number, (name, dash) in enumerate((("95% limits", "dash"), ("99.8% limits", "dot"))):
            for side in (0, 1):
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "x": sizes.tolist(),
                        "y": [100 * band[number * 2 + side] for band in bands],
                        "name": name,
                        "showlegend": side == 0,
                        "legendgroup": name,
                        "line": {"color": "#6c757d", "width": 1.5, "dash": dash},
                        "hoverinfo": "skip",
                        "uid": f"limit-{number}-{side}",
                    }
                )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [float(sizes[0]), float(sizes[-1])],
                "y": [100 * result.centre, 100 * result.centre],
                "name": f"Scotland (shared): {result.centre:.0%}",
                "line": {"color": "#3d3d3d", "width": 1.5},
                "hoverinfo": "skip",
                "uid": "centre",
            }
        )
        for own in (False, True):
            group = [point for point in view.points if point.own == own]
            if not group:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers+text",
                    "x": [point.children for point in group],
                    "y": [100 * point.share for point in group],
                    "text": [point.label for point in group],
                    "textposition": "top center",
                    "name": "Your authority" if own else "Other authorities",
                    "marker": {
                        "symbol": "diamond" if own else "circle",
                        "size": 14 if own else 9,
                        "color": "#a33f00" if own else "#1d3f6e",
                        "line": {"width": 1, "color": "#ffffff"},
                    },
                    "hovertemplate": "%{text}: %{y:.0f}% of %{x} children<extra></extra>",
                    "uid": "own" if own else "others",
                }
            )
    return {
        "data": traces,
        "layout": {
            "width": width,
            "height": height,
            "margin": {"l": 64, "r": 20, "t": 20, "b": 60},
            "font": {
                "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "size": 12,
                "color": "#212529",
            },
            "xaxis": {"title": {"text": "Children counted"}, "rangemode": "tozero"},
            "yaxis": {"title": {"text": "Within target (%)"}, "range": [0, 102], "ticksuffix": "%"},
            "legend": {"orientation": "h", "y": -0.2},
            "hovermode": "closest",
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
    }
