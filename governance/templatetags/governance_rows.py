"""The aim rows, timescale tiles and governance groups of the governance dashboard and the aim rows
of the home page, rendered in Python: at 10× data the dashboard holds 30 aims and 10 groups, and
each row (and each tile's two figures) resolved dozens of template variables through nested
includes, a third of the page's time. The markup is exactly that of the templates they replaced (tests/governance/
test_governance_rows.py renders both and compares them).

Every value is escaped once with ``html.escape`` (what Django's ``escape`` and the templates'
autoescaping do) and the pieces are joined as plain strings, marked safe once: a row holds a
dozen values, and ``format_html`` per fragment cost more than the template it replaced.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from governance.selectors.dashboard import GroupReports
from governance.selectors.home import HomeAim
from governance.selectors.summary import AimRow, Figure, GovernanceSummary, TimescaleTile

register = template.Library()

NO_ICONS = '<span class="small text-body-secondary">No icons yet</span>'


def _e(value: Any) -> str:
    return escape(str(value))


def _linked(text: str, url: str) -> str:
    return f'<a href="{_e(url)}">{_e(text)}</a>' if url else _e(text)


def _earlier(figure: Figure) -> str:
    """The latest value that may be shown, after a withheld one: "; Feb 2026: 9 children"."""
    if not figure.earlier_text:
        return ""
    return f"; {_e(figure.earlier_period)}: {_linked(figure.earlier_text, figure.measure_url)}"


def figure_html(figure: Figure) -> str:
    """A latest value as it may be shown (the dashboard's figure template drew it so). Withheld
    values (1–4 children) say so and name the latest value that may be shown; never 0."""
    if figure.suppressed:
        return (
            f'<span class="figure-value figure-withheld">{_e(figure.text)}</span> '
            f'<span class="figure-when">{_e(figure.period)}: fewer than 5 children{_earlier(figure)}</span>'
        )
    if figure.period:
        provisional = " (provisional)" if figure.provisional else ""
        return (
            f'<span class="figure-value">{_linked(figure.text, figure.measure_url)}</span> '
            f'<span class="figure-when">{_e(figure.period)}{provisional}</span>'
        )
    return f'<span class="figure-when">{_e(figure.text)}</span>'


def _icon(icon: dict | None, urls: dict[str, str]) -> str:
    if not icon:
        return ""
    code = icon["code"]
    if code not in urls:
        urls[code] = _e(static(f"img/measures/{code}.svg"))
    label = _e(icon["label"])
    return f'<img src="{urls[code]}" alt="{label}" title="{label}" width="22" height="22">'


def icons_html(figure: Figure, urls: dict[str, str], *, quiet: bool = False) -> str:
    """The Making Data Count icons of a figure, compact: the icon with its meaning as its name (alt
    and tooltip). ``quiet`` (the tiles): nothing said when there are no icons."""
    none = "" if figure.variation or figure.assurance or quiet else NO_ICONS
    return f'<span class="mdc-icons">{_icon(figure.variation, urls)}{_icon(figure.assurance, urls)}{none}</span>\n'


def tile_figure_html(figure: Figure, urls: dict[str, str]) -> str:
    """A timescale tile's figure: value and icons on one line, its month (or why it is withheld)
    under it."""
    if figure.suppressed:
        return (
            f'<span class="figure-value figure-withheld">{_e(figure.text)}</span>{icons_html(figure, urls, quiet=True)}'
            f'<span class="figure-when">{_e(figure.short_period)}: fewer than 5{_earlier(figure)}</span>\n'
        )
    if figure.period:
        provisional = " (provisional)" if figure.provisional else ""
        return (
            f'<span class="figure-value">{_linked(figure.text, figure.measure_url)}</span>'
            f"{icons_html(figure, urls, quiet=True)}"
            f'<span class="figure-when">{_e(figure.short_period)}{provisional}</span>\n'
        )
    return f'<span class="figure-when">{_e(figure.text)}</span>\n'


def _tile(tile: TimescaleTile, summary: GovernanceSummary, urls: dict[str, str]) -> str:
    if tile.waiting_counted:
        as_of = summary.freshness.counts_as_of
        when = f"on {_e(date_format(as_of, 'DATE_FORMAT'))}" if as_of and as_of != summary.today else "now"
        waiting_class = " figure-waiting" if tile.waiting != "0" else ""
        waiting = (
            f'<span class="figure-value{waiting_class}">{_e(tile.waiting)}</span> '
            f"{_e(tile.waiting_noun)} past target {when}"
        )
    else:
        waiting = "Children waiting: being counted"
    return (
        '\n    <li class="col-6 col-md-4 col-xl-2">\n'
        f'      <div class="card h-100 timescale-tile" data-timescale="{_e(tile.code)}">\n'
        '        <div class="card-body p-2">\n'
        f'          <h3 class="h6 tile-name mb-1">{_e(tile.name)}</h3>\n'
        f'          <p class="tile-target mb-1">Target: within {_e(localize(tile.target_days))} days</p>\n'
        '          <dl class="mb-0 tile-figures">\n'
        '            <div><dt>Median</dt><dd data-figure="median_days">'
        f"{tile_figure_html(tile.median_days, urls)}</dd></div>\n"
        '            <div><dt>Within target</dt><dd data-figure="within_target">'
        f"{tile_figure_html(tile.within_target, urls)}</dd></div>\n"
        '            <div class="tile-waiting"><dt class="visually-hidden">Waiting past the target now</dt>'
        f'<dd data-figure="waiting">{waiting}</dd></div>\n'
        "          </dl>\n"
        "        </div>\n"
        "      </div>\n"
        "    </li>\n    "
    )


@register.simple_tag
def dashboard_tiles(summary: GovernanceSummary) -> SafeString:
    """The ``<li>`` of each permanence timescale's tile (governance.selectors.summary.TimescaleTile)."""
    urls: dict[str, str] = {}
    return mark_safe("".join(_tile(tile, summary, urls) for tile in summary.timescales))


def _day(value: datetime.date | datetime.datetime) -> str:
    """A day as ``|date:"DATE_FORMAT"`` shows it (a datetime in the current time zone)."""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return _e(date_format(value, "DATE_FORMAT"))


def _group_report(row: GroupReports, can_lead: bool) -> str:
    group = row.group
    name = _e(group.name)
    reporter = f" · reporter {_e(group.reporter)}" if group.reporter else ""
    if row.latest_issued:
        latest = (
            f'Latest: <a href="{_e(row.latest_issued.get_absolute_url())}" aria-label="{name} report for '
            f'{_e(row.latest_label)}" data-latest-report>{_e(row.latest_label)}</a>, issued '
            f"{_day(row.latest_issued.issued_at)}"
        )
    else:
        latest = "No report issued yet"
    draft = ""
    if row.next_report:
        status = _e(row.next_report.get_status_display().lower())
        if can_lead:
            draft = (
                f' · <a href="{_e(row.next_report.get_absolute_url())}" aria-label="{name}: draft {status} for '
                f'{_e(row.next_label)}">draft {status}</a>'
            )
        else:
            draft = f" · draft {status}"
    overdue = ""
    if row.overdue:
        overdue = (
            '<p class="small mb-0 text-concern" data-overdue><strong>Overdue:</strong> the '
            f"{_e(row.overdue.period.label)} report was due {_day(row.overdue.due_on)} and has not been issued.</p>"
        )
    return (
        f'\n      <li class="group-report" data-group="{_e(group.code)}">\n'
        f'        <h3 class="h6 mb-0 small fw-semibold">{name} <span class="fw-normal text-body-secondary">'
        f"· {_e(group.get_cadence_display().lower())}{reporter}</span></h3>\n"
        f'        <p class="small mb-0">{latest}</p>\n'
        f'        <p class="small mb-0">Next due <strong>{_day(row.next_due.due_on)}</strong> for '
        f"{_e(row.next_label)}{draft}</p>\n"
        f"        {overdue}\n"
        "      </li>\n      "
    )


@register.simple_tag
def dashboard_group_reports(groups: Iterable[GroupReports], can_lead: bool) -> SafeString:
    """The ``<li>`` of each governance group's reports (governance.selectors.dashboard.GroupReports)."""
    return mark_safe("".join(_group_report(row, can_lead) for row in groups))


def _dashboard_row(row: AimRow, urls: dict[str, str]) -> str:
    latest = row.latest
    kind = f' <span class="small text-body-secondary">· {_e(row.kind)}</span>' if row.kind else ""
    spark = row.sparkline_svg or f'<span class="small text-body-secondary">{_e(latest.text)}</span>'
    icons = icons_html(latest, urls) if latest.period or latest.suppressed else ""
    if row.progress_score:
        progress = (
            f'<span class="fw-semibold">{_e(row.progress_score)}</span> '
            f'<span class="small">{_e(row.progress_label)}</span>'
        )
    else:
        progress = f'<span class="small text-body-secondary">{_e(row.progress_label)}</span>'
    return (
        f'\n        <tr data-aim="{_e(row.code)}">\n'
        '          <th scope="row" class="fw-normal aim-cell">\n'
        f'            <a class="fw-semibold" href="{_e(row.url)}">{_e(row.title)}</a>{kind}\n'
        f'            <div class="small aim-statement">{_e(row.statement)}</div>\n'
        "          </th>\n"
        f'          <td class="spark-cell">{spark}</td>\n'
        f'          <td class="latest-cell">{figure_html(latest)}\n</td>\n'
        f'          <td class="small target-cell">{_e(row.target_text)}</td>\n'
        f"          <td>{icons}</td>\n"
        f'          <td class="progress-cell">{progress}</td>\n'
        "        </tr>\n        "
    )


@register.simple_tag
def dashboard_aim_rows(rows: Iterable[AimRow]) -> SafeString:
    """The ``<tr>`` of each aim of the dashboard (governance.selectors.summary.AimRow)."""
    urls: dict[str, str] = {}
    return mark_safe("".join(_dashboard_row(row, urls) for row in rows))


def _home_row(row: HomeAim) -> str:
    aim = row.aim
    mine = ' <span class="badge text-bg-light border">You lead</span>' if row.mine else ""
    if row.sparkline_svg:
        outcome = f'{row.sparkline_svg}<div class="small">Latest {_e(row.latest_text)}</div>'
    else:
        outcome = f'<span class="small text-body-secondary">{_e(row.latest_text)}</span>'
    kind = "fw-semibold" if aim.progress_score else "text-body-secondary"
    return (
        f'\n        <tr data-aim="{_e(aim.code)}">\n'
        '          <th scope="row" class="fw-normal">'
        f'<a href="{_e(aim.get_absolute_url())}">{_e(aim.title)}</a>{mine}\n'
        f'            <div class="small text-body-secondary">{_e(aim.get_status_display())} · target '
        f"{_e(row.target_text)}</div></th>\n"
        f"          <td>{outcome}</td>\n"
        f'          <td class="small" data-progress><span class="{kind}">{_e(row.progress)}</span></td>\n'
        "        </tr>\n      "
    )


@register.simple_tag
def home_aim_rows(rows: Iterable[HomeAim]) -> SafeString:
    """The ``<tr>`` of each aim on the home page (governance.selectors.home.HomeAim)."""
    return mark_safe("".join(_home_row(row) for row in rows))
