"""The aim rows of the governance dashboard and of the home page, rendered in Python: at 10× data
the dashboard holds 30 aims, and each row resolved some 60 template variables through two
includes (a third of the page's time). The markup is exactly that of the templates it replaced
(tests/governance/test_governance_rows.py renders both and compares them)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from governance.selectors.home import HomeAim
from governance.selectors.summary import AimRow, Figure

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


def icons_html(figure: Figure, urls: dict[str, str]) -> SafeString:
    """The Making Data Count icons of a figure, compact (governance/dashboard/icons.html, not quiet)."""
    none = "" if figure.variation or figure.assurance else mark_safe(NO_ICONS)
    return format_html(
        '<span class="mdc-icons">{}{}{}</span>\n', _icon(figure.variation, urls), _icon(figure.assurance, urls), none
    )


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
