"""Time to permanence (DESIGN.md §4c): for a timescale, the Kaplan–Meier curve of days from its
earlier milestone to its later one, the children still waiting counted as censored at the as-of
date; the median with its 95% band; the share reaching the later milestone within the target;
cohorts by year or before and after an annotated change, compared with the log-rank test and
described in plain words.

Reads only; the arithmetic is `measures.analysis.survival`. Children whose route never reaches
the later milestone are left out, as for the derived measures, and so are children whose dates
are out of order (the completeness page lists them).

Viewers (no child-level data) never see a step of the curve that rests on fewer than 5 children
at risk: the curve stops before it and says so, and a median or within-target share that would
rest on such a step is not shown. Counts of 1–4 children are shown as "<5".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from measures.analysis import KaplanMeierResult, LogRankResult, kaplan_meier, logrank
from measures.milestones.derived import dates_by_child, routes_without, suppress
from measures.models import Annotation, Measure, Phase, Timescale
from pace_hub.wording import count_text

SMALL_AT_RISK = 5  # viewers see no step resting on fewer children at risk than this
SIGNIFICANT = 0.05
COLOURS = ["#1d3f6e", "#a33f00", "#146c43", "#6f42c1", "#5a5a5a", "#0b5cad"]
BANDS = [
    "rgba(29,63,110,0.15)",
    "rgba(163,63,0,0.15)",
    "rgba(20,108,67,0.15)",
    "rgba(111,66,193,0.15)",
    "rgba(90,90,90,0.15)",
    "rgba(11,92,173,0.15)",
]
# Cohorts differ by line pattern as well as colour, so that colour is never the only signal.
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# How the default milestones read in a sentence, after "children …" and after "reached …".
REACHED_FROM = {
    "looked_after": "looked after",
    "first_review": "with a first LAC review",
    "legal_advice": "with legal advice",
    "permanence_rec": "recommended for permanence",
    "panel": "recommended by panel",
    "adm_decision": "with an agency decision",
    "hearing_advice": "with hearing advice to the court",
    "court_lodged": "with an application lodged",
}
REACHED_TO = {
    "first_review": "a first LAC review",
    "legal_advice": "legal advice",
    "permanence_rec": "a permanence recommendation",
    "panel": "panel",
    "adm_decision": "an agency decision",
    "hearing_advice": "hearing advice to the court",
    "court_lodged": "an application lodged in court",
    "order_granted": "a final order",
}


@dataclass(frozen=True)
class TimescaleDurations:
    """One entry per child on the timescale: the earlier milestone's date, the days to the
    later one (or to the as-of date) and whether it was reached."""

    starts: np.ndarray  # datetime64[D]
    durations: np.ndarray  # float days
    observed: np.ndarray  # bool

    def subset(self, keep: np.ndarray) -> TimescaleDurations:
        return TimescaleDurations(self.starts[keep], self.durations[keep], self.observed[keep])

    def __len__(self) -> int:
        return len(self.durations)


def durations_from_dates(start: np.ndarray, end: np.ndarray, today: datetime.date) -> TimescaleDurations:
    """Days from `start` to `end` (datetime64[D], NaT where missing) for every child who has a
    start on or before `today`: an event where the end is reached, censored at `today` where
    not. Ends before their start (dates out of order) are left out."""
    as_of = np.datetime64(today, "D")
    started = ~np.isnat(start) & (start <= as_of)
    start, end = start[started], end[started]
    reached = ~np.isnat(end)
    stop = np.where(reached, end, as_of)
    days = (stop - start).astype("timedelta64[D]").astype(float)
    usable = days >= 0
    return TimescaleDurations(start[usable], days[usable], reached[usable])


def timescale_durations(timescale: Timescale, *, today: datetime.date) -> TimescaleDurations:
    """Every child's days on the timescale, from the stored milestone dates. Two queries."""
    return durations_by_timescale([timescale], today=today)[timescale.pk]


def durations_by_timescale(timescales: list[Timescale], *, today: datetime.date) -> dict[int, TimescaleDurations]:
    """Every child's days on each timescale (all of one organisation), by timescale id: two
    queries whatever the number of timescales."""
    if not timescales:
        return {}
    milestones = list({m.pk: m for t in timescales for m in (t.from_milestone, t.to_milestone)}.values())
    frame = dates_by_child(timescales[0].organisation, milestones)
    found = {}
    for timescale in timescales:
        if frame.empty:
            start = end = np.array([], dtype="datetime64[D]")
        else:
            on_route = ~frame["route"].isin(routes_without(timescale.to_milestone.code)).to_numpy()
            start = frame[timescale.from_milestone_id].to_numpy(dtype="datetime64[D]")[on_route]
            end = frame[timescale.to_milestone_id].to_numpy(dtype="datetime64[D]")[on_route]
        found[timescale.pk] = durations_from_dates(start, end, today)
    return found


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve as it may be shown. For viewers it is shown up to `cut_at`, the
    last day on which at least 5 children are still at risk (None: shown whole); with fewer
    than 5 children in all (`too_few`) it is not shown at all."""

    label: str
    km: KaplanMeierResult
    children: int
    waiting: int
    target_days: int
    cut_at: float | None
    hide_small_counts: bool
    too_few: bool = False

    @property
    def shown_steps(self) -> int:
        if self.too_few:
            return 0
        if self.cut_at is None:
            return len(self.km.times)
        return int(np.searchsorted(self.km.times, self.cut_at, side="right"))

    @property
    def children_text(self) -> str:
        return suppress(self.children) if self.hide_small_counts else str(self.children)

    @property
    def waiting_text(self) -> str:
        return suppress(self.waiting) if self.hide_small_counts else str(self.waiting)

    def _shown(self, t: float | None) -> bool:
        return t is not None and not self.too_few and (self.cut_at is None or t <= self.cut_at)

    @property
    def median(self) -> float | None:
        """The median days, or None when not reached or not shown."""
        return self.km.median if self._shown(self.km.median) else None

    @property
    def median_hidden(self) -> bool:
        return self.km.median is not None and self.median is None

    @property
    def median_band(self) -> tuple[float | None, float | None]:
        lower, upper = self.km.median_lower, self.km.median_upper
        return (lower if self._shown(lower) else None, upper if self._shown(upper) else None)

    @property
    def within_target(self) -> tuple[float, float | None, float | None] | None:
        """(share, lower, upper) reaching the later milestone within the target: 1 − S(target)
        and its band; None when it would rest on a step not shown."""
        if not self._shown(float(self.target_days)):
            return None
        lower, upper = self.km.band_at(self.target_days)
        share = 1 - self.km.survival_at(self.target_days)
        return share, None if upper is None else 1 - upper, None if lower is None else 1 - lower

    def rows(self) -> list[dict[str, Any]]:
        """The shown steps, for the table view."""
        km = self.km
        return [
            {
                "time": km.times[i],
                "at_risk": km.at_risk[i],
                "events": km.events[i],
                "survival": km.survival[i],
                "lower": km.ci_lower[i],
                "upper": km.ci_upper[i],
                "survival_text": f"{km.survival[i]:.0%}",
                "band_text": "—" if km.ci_lower[i] is None else f"{km.ci_lower[i]:.0%} to {km.ci_upper[i]:.0%}",
            }
            for i in range(self.shown_steps)
        ]


def curve_for(label: str, durations: TimescaleDurations, target_days: int, *, hide_small_counts: bool) -> Curve | None:
    """The curve of these children; for viewers, cut after the last day on which at least 5
    children are at risk (at risk on day t: waited t days or more). None without children."""
    if not len(durations):
        return None
    km = kaplan_meier(durations.durations, durations.observed)
    cut_at = None
    too_few = False
    if hide_small_counts:
        if len(durations) < SMALL_AT_RISK:
            too_few = True
        else:
            # At least 5 children have waited this long or longer; fewer beyond it.
            fifth_longest = float(np.sort(durations.durations)[-SMALL_AT_RISK])
            if fifth_longest < float(durations.durations.max()):
                cut_at = fifth_longest
    return Curve(
        label=label,
        km=km,
        children=len(durations),
        waiting=int((~durations.observed).sum()),
        target_days=target_days,
        cut_at=cut_at,
        hide_small_counts=hide_small_counts,
        too_few=too_few,
    )


@dataclass(frozen=True)
class Split:
    """A change people recorded on the timescale's charts, usable to split children into before
    and after: an annotation or a phase of one of its derived measures."""

    code: str
    date: datetime.date
    text: str


def timescale_splits(timescale: Timescale) -> list[Split]:
    """The annotations and phases of the timescale's derived measures, by date. Two queries."""
    measures = Measure.objects.filter(organisation=timescale.organisation, timescale=timescale)
    splits = [
        Split(str(code), date, text)
        for code, date, text in Annotation.objects.filter(measure__in=measures).values_list("code", "date", "text")
    ]
    splits += [
        Split(str(code), start, reason)
        for code, start, reason in Phase.objects.filter(measure__in=measures).values_list("code", "start", "reason")
    ]
    unique = {(split.date, split.text): split for split in sorted(splits, key=lambda split: (split.date, split.code))}
    return sorted(unique.values(), key=lambda split: split.date)


def financial_year(day: datetime.date) -> tuple[datetime.date, str]:
    """The financial year (from 1 April) a day falls in, and its label: "2024/25"."""
    year = day.year if day.month >= 4 else day.year - 1
    return datetime.date(year, 4, 1), f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Comparison:
    """Two cohorts compared with the log-rank test, and the result in words."""

    earlier: Curve
    later: Curve
    test: LogRankResult | None
    sentence: str


@dataclass
class TimescaleSurvival:
    """Everything the time-to-permanence pages, the measure page and reports show for one
    timescale."""

    timescale: Timescale
    today: datetime.date
    overall: Curve | None
    cohorts: list[Curve] = field(default_factory=list)
    comparison: Comparison | None = None
    compare: str = ""
    splits: list[Split] = field(default_factory=list)
    hide_small_counts: bool = False
    figure: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return str(self.timescale.code)

    @property
    def figure_id(self) -> str:
        return f"survival-{self.code}-figure"

    @property
    def table_curves(self) -> list[Curve]:
        """The curves the page tabulates: the cohorts', or the one of all children."""
        return self.cohorts or ([self.overall] if self.overall else [])

    @property
    def sentences(self) -> list[str]:
        return summary_sentences(self.timescale, self.overall)


def _phrase_from(timescale: Timescale) -> str:
    milestone = timescale.from_milestone
    return REACHED_FROM.get(milestone.code, f"who reached “{milestone.name}”")


def _phrase_to(timescale: Timescale) -> str:
    milestone = timescale.to_milestone
    return REACHED_TO.get(milestone.code, f"“{milestone.name}”")


def _days(value: float) -> str:
    return f"{value:,.0f}"


def p_text(p: float) -> str:
    """A p-value as people read it: "p < 0.001", "p = 0.003", "p = 0.31"."""
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def summary_sentences(timescale: Timescale, curve: Curve | None) -> list[str]:
    """The curve in words: how many children, the median and its band, the share within target."""
    to = _phrase_to(timescale)
    if curve is None:
        return [f"No child has reached “{timescale.from_milestone.name}” yet."]
    if curve.too_few:
        return [f"{count_text(curve.children_text, 'child')} counted: too few to show their curve."]
    sentences = [
        f"{curve.children_text} {'child' if curve.children_text == '1' else 'children'} counted, of whom "
        f"{curve.waiting_text} {'is' if curve.waiting_text == '1' else 'are'} still waiting for {to}: "
        "each counts for as long as they have waited so far."
    ]
    if curve.median is not None:
        lower, upper = curve.median_band
        if lower is not None and upper is not None:
            band = f" (95% band {_days(lower)} to {_days(upper)} days)"
        elif lower is not None:
            band = f" (95% band from {_days(lower)} days; its upper end is not reached yet)"
        else:
            band = ""
        sentences.append(f"Median {_days(curve.median)} days to {to}{band}.")
    elif curve.median_hidden:
        sentences.append("The median is not shown: it rests on fewer than 5 children at risk.")
    else:
        sentences.append(f"Fewer than half have reached {to} so far: the median is not known yet.")
    within = curve.within_target
    if within is None:
        sentences.append(
            f"The share within the target of {timescale.target_days} days is not shown: it rests on fewer than 5 "
            "children at risk."
        )
    else:
        share, lower, upper = within
        band = f" (95% band {lower:.0%} to {upper:.0%})" if lower is not None and upper is not None else ""
        sentences.append(f"{share:.0%} reached {to} within the target of {timescale.target_days} days{band}.")
    if curve.cut_at is not None:
        sentences.append(
            f"The curve stops at day {_days(curve.cut_at)}: beyond it fewer than 5 children remain at risk, "
            "too few to show."
        )
    return sentences


def comparison_sentence(timescale: Timescale, earlier: Curve, later: Curve, test: LogRankResult | None) -> str:
    """E.g. "Children looked after since April 2025 reached a permanence recommendation sooner:
    median 142 days against 201; log-rank p = 0.003."."""
    who = f"Children {_phrase_from(timescale)} {later.label}"
    to = _phrase_to(timescale)
    if test is None or test.p is None:
        return f"{who} cannot be compared with those {earlier.label} yet: too few have reached {to}."
    # More events than expected if the cohorts did not differ: they got there sooner.
    sooner = test.observed_b > test.expected_b
    medians = (
        f"median {_days(later.median) if later.median is not None else 'not reached'} days against "
        f"{_days(earlier.median) if earlier.median is not None else 'not reached'}"
    ).replace("not reached days", "not reached")
    way = "sooner" if sooner else "later"
    if test.p < SIGNIFICANT:
        return f"{who} reached {to} {way}: {medians}; log-rank {p_text(test.p)}."
    return f"{who} reached {to} {way} ({medians}), but the difference could be chance: log-rank {p_text(test.p)}."


def _compare(
    timescale: Timescale, earlier: Curve | None, later: Curve | None, data: tuple[TimescaleDurations, ...]
) -> Comparison | None:
    if earlier is None or later is None:
        return None
    if earlier.hide_small_counts and min(earlier.children, later.children) < SMALL_AT_RISK:
        sentence = "The cohorts are not compared: one of them has fewer than 5 children."
        return Comparison(earlier, later, None, sentence)
    a, b = data
    test = logrank(a.durations, a.observed, b.durations, b.observed)
    return Comparison(earlier, later, test, comparison_sentence(timescale, earlier, later, test))


def timescale_survival(
    timescale: Timescale,
    *,
    today: datetime.date,
    hide_small_counts: bool,
    compare: str = "",
    durations: TimescaleDurations | None = None,
) -> TimescaleSurvival:
    """The timescale's curve, and with `compare` its cohorts: "year" (by the financial year
    they reached the earlier milestone, the latest two compared) or the code of an annotation
    or phase (children before it against those since). Four queries, two more with cohorts."""
    data = durations if durations is not None else timescale_durations(timescale, today=today)
    target = timescale.target_days
    overall = curve_for("all children", data, target, hide_small_counts=hide_small_counts)
    result = TimescaleSurvival(timescale, today, overall, hide_small_counts=hide_small_counts, compare=compare)
    if compare == "year" and len(data):
        years = np.array([financial_year(day)[0] for day in data.starts.astype(datetime.date)])
        groups: list[tuple[str, TimescaleDurations]] = []
        for year in sorted(set(years)):
            label = financial_year(year)[1]
            groups.append((label, data.subset(years == year)))
        result.cohorts = [
            curve
            for label, part in groups
            if (curve := curve_for(f"in {label}", part, target, hide_small_counts=hide_small_counts))
        ]
        if len(groups) >= 2:
            (_, before), (_, after) = groups[-2], groups[-1]
            result.comparison = _compare(timescale, result.cohorts[-2], result.cohorts[-1], (before, after))
    elif compare:
        result.splits = timescale_splits(timescale)
        split = next((split for split in result.splits if split.code == compare), None)
        if split is not None and len(data):
            boundary = np.datetime64(split.date, "D")
            before, after = data.subset(data.starts < boundary), data.subset(data.starts >= boundary)
            earlier = curve_for(
                f"before {split.date.day} {split.date:%B %Y}", before, target, hide_small_counts=hide_small_counts
            )
            later = curve_for(f"since {split.date:%B %Y}", after, target, hide_small_counts=hide_small_counts)
            result.cohorts = [curve for curve in (earlier, later) if curve]
            result.comparison = _compare(timescale, earlier, later, (before, after))
        else:
            result.compare = ""
    result.figure = survival_figure(result)
    return result


# The figure: a plain plotly dict, drawn by static/js/survival_chart.js and by reports ---------


def _curve_traces(curve: Curve, number: int, show_band: bool) -> list[dict[str, Any]]:
    km = curve.km
    if curve.too_few:
        return []
    steps = curve.shown_steps
    end = curve.cut_at
    if end is None:
        end = max([*km.times, *km.censor_times, 0.0])
    xs = [0.0, *km.times[:steps], end]
    ys = [100.0, *(100 * s for s in km.survival[:steps])]
    ys.append(ys[-1])
    colour, dash = COLOURS[number % len(COLOURS)], DASHES[number % len(DASHES)]
    name = curve.label[0].upper() + curve.label[1:]
    traces: list[dict[str, Any]] = []
    if show_band:
        uppers = [100.0, *(None if u is None else 100 * u for u in km.ci_upper[:steps])]
        lowers = [100.0, *(None if v is None else 100 * v for v in km.ci_lower[:steps])]
        uppers.append(uppers[-1])
        lowers.append(lowers[-1])
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": uppers,
                "line": {"width": 0, "shape": "hv"},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": f"{name}: upper 95% band",
                "uid": f"band-upper-{number}",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": lowers,
                "line": {"width": 0, "shape": "hv"},
                "fill": "tonexty",
                "fillcolor": BANDS[number % len(BANDS)],
                "hoverinfo": "skip",
                "name": f"{name}: 95% band",
                "uid": f"band-{number}",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "name": name,
            "line": {"color": colour, "width": 2, "dash": dash, "shape": "hv"},
            "hovertemplate": "Day %{x}: %{y:.0f}% not yet there<extra>" + name + "</extra>",
            "uid": f"curve-{number}",
        }
    )
    censored = [t for t in km.censor_times if curve.cut_at is None or t <= curve.cut_at]
    if censored:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": censored,
                "y": [100 * km.survival_at(t) for t in censored],
                "name": f"{name}: still waiting",
                "marker": {
                    "symbol": "line-ns-open",
                    "size": 9,
                    "color": colour,
                    "line": {"width": 1.5, "color": colour},
                },
                "hovertemplate": "Still waiting at day %{x}<extra></extra>",
                "uid": f"censored-{number}",
            }
        )
    return traces


def survival_figure(result: TimescaleSurvival, *, width: int = 760, height: int = 380) -> dict[str, Any]:
    """The curve (or the cohorts' curves) as a plotly figure: steps, 95% bands, a tick for each
    time at which children are still waiting, and the target as a dashed line."""
    timescale = result.timescale
    curves = result.cohorts or ([result.overall] if result.overall else [])
    traces: list[dict[str, Any]] = []
    for number, curve in enumerate(curves):
        traces.extend(_curve_traces(curve, number, show_band=len(curves) <= 2))
    return {
        "data": traces,
        "layout": {
            "width": width,
            "height": height,
            "margin": {"l": 64, "r": 20, "t": 30, "b": 60},
            "font": {"family": FONT, "size": 12, "color": "#212529"},
            "xaxis": {"title": {"text": f"Days since “{timescale.from_milestone.name}”"}, "rangemode": "tozero"},
            "yaxis": {
                "title": {"text": f"Not yet at “{timescale.to_milestone.name}” (%)"},
                "range": [0, 102],
                "ticksuffix": "%",
            },
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": timescale.target_days,
                    "x1": timescale.target_days,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#146c43", "width": 1.5, "dash": "longdash"},
                }
            ],
            "annotations": [
                {
                    "x": timescale.target_days,
                    "xref": "x",
                    "yref": "paper",
                    "y": 1,
                    "yanchor": "bottom",
                    "text": f"Target: {timescale.target_days} days",
                    "showarrow": False,
                    "font": {"size": 11, "color": "#146c43"},
                }
            ],
            "legend": {"orientation": "h", "y": -0.2},
            "hovermode": "closest",
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
    }


def default_svg(figure: dict[str, Any]) -> str:
    """The figure as SVG with kaleido and Debian's chromium (one browser per call: reports that
    draw many charts pass their own long-lived renderer instead)."""
    import kaleido
    from django.conf import settings

    layout = figure["layout"]
    options = {"format": "svg", "width": layout["width"], "height": layout["height"]}
    content = kaleido.calc_fig_sync(
        figure, opts=options, kopts={"mathjax": False, "path": getattr(settings, "CHART_BROWSER_PATH", None)}
    )
    return content.decode("utf-8") if isinstance(content, bytes) else content


@dataclass(frozen=True)
class TimeToPermanenceFigure:
    """For governance reports: the figure, its SVG and the sentences that describe it."""

    figure: dict[str, Any]
    svg: str
    sentences: list[str]


def time_to_permanence_figure(
    timescale: Timescale,
    *,
    today: datetime.date,
    hide_small_counts: bool,
    compare: str = "",
    render_svg: Callable[[dict[str, Any]], str] = default_svg,
    width: int = 760,
    height: int = 340,
) -> TimeToPermanenceFigure:
    """The timescale's time-to-permanence chart, ready for a report: the plotly figure, its SVG
    (drawn by `render_svg`, e.g. governance's long-lived kaleido renderer) and its reading,
    with the same suppression rules as the web page."""
    result = timescale_survival(timescale, today=today, hide_small_counts=hide_small_counts, compare=compare)
    figure = survival_figure(result, width=width, height=height)
    sentences = list(result.sentences)
    if result.comparison:
        sentences.append(result.comparison.sentence)
    return TimeToPermanenceFigure(figure, render_svg(figure), sentences)
