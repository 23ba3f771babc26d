"""The rows of the measures list, rendered in Python: a list holds dozens of measures and each row
resolved some 300 template variables (about 1 ms a row, most of the page's time at 10× data).
The markup is that of templates/measures/includes/icons.html and the sparkline of chart_card's
compact form (static/js/measure_chart.js reads ``data-measure-chart``/``data-compact``)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe

from measures.selectors import MeasureSummary

register = template.Library()


def _badge(icon: dict | None, urls: dict[str, str]) -> SafeString:
    if not icon:
        return mark_safe("")
    code = icon["code"]
    if code not in urls:
        urls[code] = static(f"img/measures/{code}.svg")
    return format_html(
        '<span class="badge mdc-badge mdc-{}"><img src="{}" alt="" width="16" height="16"> {}</span>',
        code,
        urls[code],
        icon["label"],
    )


def _row(summary: MeasureSummary, urls: dict[str, str]) -> SafeString:
    measure = summary.measure
    spark = summary.sparkline
    payload = spark.payload
    if payload["points"]:
        reading = spark.reading[0] if spark.reading else ""
        sparkline = format_html(
            '<div class="sparkline" id="{}" data-measure-chart="{}" data-compact aria-hidden="true"></div>\n'
            '        {}\n        <span class="visually-hidden">{}: {}</span>',
            spark.dom_id,
            spark.data_id,
            json_script(payload, spark.data_id),
            payload["chart_label"],
            reading,
        )
    else:
        sparkline = mark_safe('<span class="text-body-secondary">No data yet</span>')
    latest = mark_safe("")
    if summary.latest:
        latest = format_html(
            '<div class="small text-body-secondary">{}{}</div>',
            payload["latest_label"],
            " (provisional)" if summary.latest.provisional else "",
        )
    icons = format_html("{}\n{}", _badge(summary.chart.variation, urls), _badge(summary.chart.assurance, urls))
    return format_html(
        "\n    <tr>\n"
        '      <th scope="row" class="fw-normal">\n'
        '        <a class="fw-semibold" href="{}">{}</a>\n'
        "      </th>\n"
        "      <td>{}</td>\n"
        "      <td>\n        {}\n      </td>\n"
        "      <td>{}{}</td>\n"
        '      <td><div class="d-flex flex-column align-items-start gap-1">{}</div></td>\n'
        "    </tr>",
        measure.get_absolute_url(),
        measure.title,
        measure.get_kind_display(),
        sparkline,
        summary.latest_text,
        latest,
        icons,
    )


@register.simple_tag
def measure_rows(summaries: Iterable[MeasureSummary]) -> SafeString:
    """The ``<tr>`` of each measure of a list group (measures.selectors.MeasureGroup)."""
    urls: dict[str, str] = {}
    return format_html_join("", "{}", ((_row(summary, urls),) for summary in summaries))
