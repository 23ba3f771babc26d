"""The aim rows and timescale tiles of the governance dashboard and the aim rows of the home page,
rendered in Python: at 10× data the dashboard holds 30 aims, and each row (and each tile's two
figures) resolved dozens of template variables through nested includes, a third of the page's
time. The markup is exactly that of the templates they replaced (tests/governance/
test_governance_rows.py renders both and compares them)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.templatetags.static import static
from django.utils.formats import date_format, localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from governance.selectors.home import HomeAim
from governance.selectors.summary import AimRow, Figure, GovernanceSummary, TimescaleTile

register = template.Library()

NO_ICONS = '<span class="small text-body-secondary">No icons yet</span>'


def figure_html(figure: Figure) -> SafeString:
    """A latest value as it may be shown (the dashboard's figure template drew it so). Withheld
    values (1–4 children) say so and name the latest value that may be shown; never 0."""
    if figure.suppressed:
        earlier = mark_safe("")
        if figure.earlier_text:
            shown = (
                format_html('<a href="{}">{}</a>', figure.measure_url, figure.earlier_text)
                if figure.measure_url
                else figure.earlier_text
            )
            earlier = format_html("; {}: {}", figure.earlier_period, shown)
        return format_html(
            '<span class="figure-value figure-withheld">{}</span> <span class="figure-when">{}: fewer than 5 children{}'
            "</span>",
            figure.text,
            figure.period,
            earlier,
        )
    if figure.period:
        value = (
            format_html('<a href="{}">{}</a>', figure.measure_url, figure.text) if figure.measure_url else figure.text
        )
        return format_html(
            '<span class="figure-value">{}</span> <span class="figure-when">{}{}</span>',
            value,
            figure.period,
            " (provisional)" if figure.provisional else "",
        )
    return format_html('<span class="figure-when">{}</span>', figure.text)


def _icon(icon: dict | None, urls: dict[str, str]) -> SafeString:
    if not icon:
        return mark_safe("")
    code = icon["code"]
    if code not in urls:
        urls[code] = static(f"img/measures/{code}.svg")
    return format_html(
        '<img src="{}" alt="{}" title="{}" width="22" height="22">', urls[code], icon["label"], icon["label"]
    )


def icons_html(figure: Figure, urls: dict[str, str], *, quiet: bool = False) -> SafeString:
    """The Making Data Count icons of a figure, compact: the icon with its meaning as its name (alt
    and tooltip). ``quiet`` (the tiles): nothing said when there are no icons."""
    none = "" if figure.variation or figure.assurance or quiet else mark_safe(NO_ICONS)
    return format_html(
        '<span class="mdc-icons">{}{}{}</span>\n', _icon(figure.variation, urls), _icon(figure.assurance, urls), none
    )


def tile_figure_html(figure: Figure, urls: dict[str, str]) -> SafeString:
    """A timescale tile's figure: value and icons on one line, its month (or why it is withheld)
    under it."""
    icons = icons_html(figure, urls, quiet=True)
    if figure.suppressed:
        earlier = mark_safe("")
        if figure.earlier_text:
            shown = (
                format_html('<a href="{}">{}</a>', figure.measure_url, figure.earlier_text)
                if figure.measure_url
                else figure.earlier_text
            )
            earlier = format_html("; {}: {}", figure.earlier_period, shown)
        return format_html(
            '<span class="figure-value figure-withheld">{}</span>{}'
            '<span class="figure-when">{}: fewer than 5{}</span>\n',
            figure.text,
            icons,
            figure.short_period,
            earlier,
        )
    if figure.period:
        value = (
            format_html('<a href="{}">{}</a>', figure.measure_url, figure.text) if figure.measure_url else figure.text
        )
        return format_html(
            '<span class="figure-value">{}</span>{}<span class="figure-when">{}{}</span>\n',
            value,
            icons,
            figure.short_period,
            " (provisional)" if figure.provisional else "",
        )
    return format_html('<span class="figure-when">{}</span>\n', figure.text)


def _tile(tile: TimescaleTile, summary: GovernanceSummary, urls: dict[str, str]) -> SafeString:
    if tile.waiting_counted:
        as_of = summary.freshness.counts_as_of
        when = format_html("on {}", date_format(as_of, "DATE_FORMAT")) if as_of and as_of != summary.today else "now"
        waiting = format_html(
            '<span class="figure-value{}">{}</span> {} past target {}',
            " figure-waiting" if tile.waiting != "0" else "",
            tile.waiting,
            tile.waiting_noun,
            when,
        )
    else:
        waiting = "Children waiting: being counted"
    return format_html(
        '\n    <li class="col-6 col-md-4 col-xl-2">\n'
        '      <div class="card h-100 timescale-tile" data-timescale="{}">\n'
        '        <div class="card-body p-2">\n'
        '          <h3 class="h6 tile-name mb-1">{}</h3>\n'
        '          <p class="tile-target mb-1">Target: within {} days</p>\n'
        '          <dl class="mb-0 tile-figures">\n'
        '            <div><dt>Median</dt><dd data-figure="median_days">{}</dd></div>\n'
        '            <div><dt>Within target</dt><dd data-figure="within_target">{}</dd></div>\n'
        '            <div class="tile-waiting"><dt class="visually-hidden">Waiting past the target now</dt>'
        '<dd data-figure="waiting">{}</dd></div>\n'
        "          </dl>\n"
        "        </div>\n"
        "      </div>\n"
        "    </li>\n    ",
        tile.code,
        tile.name,
        localize(tile.target_days),
        tile_figure_html(tile.median_days, urls),
        tile_figure_html(tile.within_target, urls),
        waiting,
    )


@register.simple_tag
def dashboard_tiles(summary: GovernanceSummary) -> SafeString:
    """The ``<li>`` of each permanence timescale's tile (governance.selectors.summary.TimescaleTile)."""
    urls: dict[str, str] = {}
    return format_html_join("", "{}", ((_tile(tile, summary, urls),) for tile in summary.timescales))


def _dashboard_row(row: AimRow, urls: dict[str, str]) -> SafeString:
    latest = row.latest
    kind = format_html(' <span class="small text-body-secondary">· {}</span>', row.kind) if row.kind else ""
    spark = (
        mark_safe(row.sparkline_svg)
        if row.sparkline_svg
        else format_html('<span class="small text-body-secondary">{}</span>', latest.text)
    )
    icons = icons_html(latest, urls) if latest.period or latest.suppressed else ""
    if row.progress_score:
        progress = format_html(
            '<span class="fw-semibold">{}</span> <span class="small">{}</span>', row.progress_score, row.progress_label
        )
    else:
        progress = format_html('<span class="small text-body-secondary">{}</span>', row.progress_label)
    return format_html(
        '\n        <tr data-aim="{}">\n'
        '          <th scope="row" class="fw-normal aim-cell">\n'
        '            <a class="fw-semibold" href="{}">{}</a>{}\n'
        '            <div class="small aim-statement">{}</div>\n'
        "          </th>\n"
        '          <td class="spark-cell">{}</td>\n'
        '          <td class="latest-cell">{}\n</td>\n'
        '          <td class="small target-cell">{}</td>\n'
        "          <td>{}</td>\n"
        '          <td class="progress-cell">{}</td>\n'
        "        </tr>\n        ",
        row.code,
        row.url,
        row.title,
        kind,
        row.statement,
        spark,
        figure_html(latest),
        row.target_text,
        icons,
        progress,
    )


@register.simple_tag
def dashboard_aim_rows(rows: Iterable[AimRow]) -> SafeString:
    """The ``<tr>`` of each aim of the dashboard (governance.selectors.summary.AimRow)."""
    urls: dict[str, str] = {}
    return format_html_join("", "{}", ((_dashboard_row(row, urls),) for row in rows))


def _home_row(row: HomeAim) -> SafeString:
    aim = row.aim
    mine = mark_safe(' <span class="badge text-bg-light border">You lead</span>') if row.mine else ""
    if row.sparkline_svg:
        outcome = format_html('{}<div class="small">Latest {}</div>', mark_safe(row.sparkline_svg), row.latest_text)
    else:
        outcome = format_html('<span class="small text-body-secondary">{}</span>', row.latest_text)
    kind = "fw-semibold" if aim.progress_score else "text-body-secondary"
    return format_html(
        '\n        <tr data-aim="{}">\n'
        '          <th scope="row" class="fw-normal"><a href="{}">{}</a>{}\n'
        '            <div class="small text-body-secondary">{} · target {}</div></th>\n'
        "          <td>{}</td>\n"
        '          <td class="small" data-progress><span class="{}">{}</span></td>\n'
        "        </tr>\n      ",
        aim.code,
        aim.get_absolute_url(),
        aim.title,
        mine,
        aim.get_status_display(),
        row.target_text,
        outcome,
        kind,
        row.progress,
    )


@register.simple_tag
def home_aim_rows(rows: Iterable[HomeAim]) -> SafeString:
    """The ``<tr>`` of each aim on the home page (governance.selectors.home.HomeAim)."""
    return format_html_join("", "{}", ((_home_row(row),) for row in rows))
