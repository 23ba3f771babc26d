"""The dashboard's aim rows and timescale tiles and the home page's aim rows, rendered in Python
(governance/templatetags/governance_rows.py), are exactly the markup of the templates they
replaced, for every kind of row and tile: withheld values (with and without an earlier value to
name), provisional, no data, no measure, no icons, unscored, unlinked, counts not made yet or
from an earlier day."""

import datetime
import itertools
import uuid

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings

from aims.models import Aim
from governance import schedule
from governance.models import GovernanceGroup, Report
from governance.selectors.dashboard import GroupReports
from governance.selectors.home import HomeAim
from governance.selectors.summary import AimRow, Figure, Freshness, GovernanceSummary, TimescaleTile
from governance.sparklines import Sparkline, sparkline_svg
from governance.templatetags.governance_rows import (
    dashboard_aim_rows,
    dashboard_group_reports,
    dashboard_tiles,
    home_aim_rows,
)
from pace_hub.roles import Role

# The templates as they were, verbatim (their comments left out): governance/dashboard/aims.html's
# and timescales.html's loops and their includes figure.html, tile_figure.html and icons.html.
ICONS = (
    "{% load static %}"
    '<span class="mdc-icons">{% if figure.variation %}'
    "<img src=\"{% static 'img/measures/'|add:figure.variation.code|add:'.svg' %}\" "
    'alt="{{ figure.variation.label }}" '
    'title="{{ figure.variation.label }}" width="22" height="22">{% endif %}{% if figure.assurance %}'
    "<img src=\"{% static 'img/measures/'|add:figure.assurance.code|add:'.svg' %}\" "
    'alt="{{ figure.assurance.label }}" '
    'title="{{ figure.assurance.label }}" width="22" height="22">{% endif %}'
    "{% if not figure.variation and not figure.assurance and not quiet %}"
    '<span class="small text-body-secondary">No icons yet</span>{% endif %}</span>\n'
)
TILE_FIGURE = (
    "{% if figure.suppressed %}"
    '<span class="figure-value figure-withheld">{{ figure.text }}</span>{% include icons_template with quiet=True %}'
    '<span class="figure-when">{{ figure.short_period }}: fewer than 5{% if figure.earlier_text %}; '
    "{{ figure.earlier_period }}: {% if figure.measure_url %}"
    '<a href="{{ figure.measure_url }}">{{ figure.earlier_text }}</a>{% else %}{{ figure.earlier_text }}{% endif %}'
    "{% endif %}</span>"
    '{% elif figure.period %}<span class="figure-value">{% if figure.measure_url %}'
    '<a href="{{ figure.measure_url }}">{{ figure.text }}</a>{% else %}{{ figure.text }}{% endif %}</span>'
    '{% include icons_template with quiet=True %}<span class="figure-when">{{ figure.short_period }}'
    "{% if figure.provisional %} (provisional){% endif %}</span>"
    '{% else %}<span class="figure-when">{{ figure.text }}</span>{% endif %}\n'
)
FIGURE = (
    "{% if figure.suppressed %}"
    '<span class="figure-value figure-withheld">{{ figure.text }}</span> <span class="figure-when">'
    "{{ figure.period }}: fewer than 5 children{% if figure.earlier_text %}; {{ figure.earlier_period }}: "
    '{% if figure.measure_url %}<a href="{{ figure.measure_url }}">{{ figure.earlier_text }}</a>'
    "{% else %}{{ figure.earlier_text }}{% endif %}{% endif %}</span>"
    '{% elif figure.period %}<span class="figure-value">{% if figure.measure_url %}'
    '<a href="{{ figure.measure_url }}">{{ figure.text }}</a>{% else %}{{ figure.text }}{% endif %}</span> '
    '<span class="figure-when">{{ figure.period }}{% if figure.provisional %} (provisional){% endif %}</span>'
    '{% else %}<span class="figure-when">{{ figure.text }}</span>{% endif %}\n'
)
DASHBOARD_ROWS = """{% for row in rows %}
        <tr data-aim="{{ row.code }}">
          <th scope="row" class="fw-normal aim-cell">
            <a class="fw-semibold" href="{{ row.url }}">{{ row.title }}</a>{% if row.kind %} <span class="small text-body-secondary">· {{ row.kind }}</span>{% endif %}
            <div class="small aim-statement">{{ row.statement }}</div>
          </th>
          <td class="spark-cell">{% if row.sparkline_svg %}{{ row.sparkline_svg|safe }}{% else %}<span class="small text-body-secondary">{{ row.latest.text }}</span>{% endif %}</td>
          <td class="latest-cell">{% include figure_template with figure=row.latest %}</td>
          <td class="small target-cell">{{ row.target_text }}</td>
          <td>{% if row.latest.period or row.latest.suppressed %}{% include icons_template with figure=row.latest %}{% endif %}</td>
          <td class="progress-cell">{% if row.progress_score %}<span class="fw-semibold">{{ row.progress_score }}</span> <span class="small">{{ row.progress_label }}</span>{% else %}<span class="small text-body-secondary">{{ row.progress_label }}</span>{% endif %}</td>
        </tr>
        {% endfor %}"""  # noqa: E501
TILES = """{% for tile in summary.timescales %}
    <li class="col-6 col-md-4 col-xl-2">
      <div class="card h-100 timescale-tile" data-timescale="{{ tile.code }}">
        <div class="card-body p-2">
          <h3 class="h6 tile-name mb-1">{{ tile.name }}</h3>
          <p class="tile-target mb-1">Target: within {{ tile.target_days }} days</p>
          <dl class="mb-0 tile-figures">
            <div><dt>Median</dt><dd data-figure="median_days">{% include tile_figure_template with figure=tile.median_days %}</dd></div>
            <div><dt>Within target</dt><dd data-figure="within_target">{% include tile_figure_template with figure=tile.within_target %}</dd></div>
            <div class="tile-waiting"><dt class="visually-hidden">Waiting past the target now</dt><dd data-figure="waiting">{% if tile.waiting_counted %}<span class="figure-value{% if tile.waiting != '0' %} figure-waiting{% endif %}">{{ tile.waiting }}</span> {{ tile.waiting_noun }} past target {% if summary.freshness.counts_as_of and summary.freshness.counts_as_of != summary.today %}on {{ summary.freshness.counts_as_of|date:"DATE_FORMAT" }}{% else %}now{% endif %}{% else %}Children waiting: being counted{% endif %}</dd></div>
          </dl>
        </div>
      </div>
    </li>
    {% endfor %}"""  # noqa: E501
GROUP_REPORTS = """{% for row in groups %}
      <li class="group-report" data-group="{{ row.group.code }}">
        <h3 class="h6 mb-0 small fw-semibold">{{ row.group.name }} <span class="fw-normal text-body-secondary">· {{ row.group.get_cadence_display|lower }}{% if row.group.reporter %} · reporter {{ row.group.reporter }}{% endif %}</span></h3>
        <p class="small mb-0">{% if row.latest_issued %}Latest: <a href="{{ row.latest_issued.get_absolute_url }}" aria-label="{{ row.group.name }} report for {{ row.latest_label }}" data-latest-report>{{ row.latest_label }}</a>, issued {{ row.latest_issued.issued_at|date:"DATE_FORMAT" }}{% else %}No report issued yet{% endif %}</p>
        <p class="small mb-0">Next due <strong>{{ row.next_due.due_on|date:"DATE_FORMAT" }}</strong> for {{ row.next_label }}{% if row.next_report %} · {% if can_lead %}<a href="{{ row.next_report.get_absolute_url }}" aria-label="{{ row.group.name }}: draft {{ row.next_report.get_status_display|lower }} for {{ row.next_label }}">draft {{ row.next_report.get_status_display|lower }}</a>{% else %}draft {{ row.next_report.get_status_display|lower }}{% endif %}{% endif %}</p>
        {% if row.overdue %}<p class="small mb-0 text-concern" data-overdue><strong>Overdue:</strong> the {{ row.overdue.period.label }} report was due {{ row.overdue.due_on|date:"DATE_FORMAT" }} and has not been issued.</p>{% endif %}
      </li>
      {% endfor %}"""  # noqa: E501
HOME_ROWS = """{% for row in rows %}
        <tr data-aim="{{ row.aim.code }}">
          <th scope="row" class="fw-normal"><a href="{{ row.aim.get_absolute_url }}">{{ row.aim.title }}</a>{% if row.mine %} <span class="badge text-bg-light border">You lead</span>{% endif %}
            <div class="small text-body-secondary">{{ row.aim.get_status_display }} · target {{ row.target_text }}</div></th>
          <td>{% if row.sparkline_svg %}{{ row.sparkline_svg|safe }}<div class="small">Latest {{ row.latest_text }}</div>{% else %}<span class="small text-body-secondary">{{ row.latest_text }}</span>{% endif %}</td>
          <td class="small" data-progress>{% if row.aim.progress_score %}<span class="fw-semibold">{{ row.progress }}</span>{% else %}<span class="text-body-secondary">{{ row.progress }}</span>{% endif %}</td>
        </tr>
      {% endfor %}"""  # noqa: E501

IMPROVING = {"code": "special_cause_improving", "label": "Special cause: improving"}
FAILING = {"code": "consistently_failing", "label": "Consistently fails the target"}
URL = "/o/aberdeen-city/measures/m/?tab=chart&x=<1>"  # text needing escaping, as any text might

FIGURES = [
    Figure(text="No outcome measure"),
    Figure(text="No data yet", measure_title="% adopted", measure_url=URL),
    Figure(text="78.9%", period="December 2025", short_period="Dec 2025", variation=IMPROVING, assurance=FAILING,
           measure_url=URL),
    Figure(text="78.9%", period="December 2025", provisional=True, measure_url=""),
    Figure(text="3 children", period="Q1 2026", assurance=FAILING, measure_url=URL),
    Figure(text="12 days", period="week of 3 March 2026"),  # no icons yet
    Figure(text="<5", period="March 2026", suppressed=True, earlier_text="9 children", earlier_period="Feb 2026",
           variation=IMPROVING, measure_url=URL),
    Figure(text="<5", period="March 2026", suppressed=True, earlier_text="9 children", earlier_period="Feb 2026"),
    Figure(text="not shown", period="March 2026", suppressed=True),
]  # fmt: skip


def _svg(title: str) -> str:
    spark = Sparkline(values=[50.0, None, 75.5], labels=["Jan", "Feb", "Mar"], suppressed=[False, True, False])
    return sparkline_svg(spark, title=title)


def _dashboard_rows() -> list[AimRow]:
    rows = []
    for number, (figure, svg, kind, score) in enumerate(
        itertools.product(FIGURES, (True, False), ("PACE national aim", ""), ("2.5", ""))
    ):
        title = f"Aim {number} <& 'quoted'>"
        rows.append(
            AimRow(
                code=str(uuid.uuid4()),
                url=f"/o/aberdeen-city/aims/{number}/",
                title=title,
                statement=f'By March 2027, {number} & more "children" <b>',
                kind=kind,
                status="active",
                status_label="Active",
                progress_score=score,
                progress_label="Changes tested, but no improvement" if score else "Not scored yet",
                target_text="90% by Mar 2027",
                latest=figure,
                sparkline=None,
                sparkline_svg=_svg(title) if svg else "",
            )
        )
    return rows


def _template(source: str) -> Template:
    return Template(source, engine=Engine.get_default())


def _reference(source: str, **context) -> str:
    includes = {"figure_template": FIGURE, "tile_figure_template": TILE_FIGURE, "icons_template": ICONS}
    context.update({name: _template(text) for name, text in includes.items()})
    return _template(source).render(Context(context, autoescape=True))


def test_the_dashboard_rows_are_the_templates_markup_for_every_kind_of_row() -> None:
    rows = _dashboard_rows()
    expected = _reference(DASHBOARD_ROWS, rows=rows)
    assert dashboard_aim_rows(rows) == expected
    assert "&lt;5" in expected and "No icons yet" in expected and "(provisional)" in expected  # every branch seen


def _summary(tiles: list[TimescaleTile], *, counts_as_of: datetime.date | None) -> GovernanceSummary:
    today = datetime.date(2026, 12, 2)
    return GovernanceSummary(
        organisation_name="Aberdeen City",
        today=today,
        period_start=today - datetime.timedelta(days=89),
        period_end=today,
        viewer=False,
        aims=[],
        timescales=tiles,
        testing=None,
        implementations=None,
        listening=None,
        freshness=Freshness(None, None, "3", 3, None, counts_as_of=counts_as_of),
    )


@pytest.mark.parametrize("counts_as_of", [None, datetime.date(2026, 12, 2), datetime.date(2026, 11, 30)])
def test_the_dashboard_tiles_are_the_templates_markup_for_every_kind_of_tile(counts_as_of) -> None:
    tiles = []
    for number, (median, within, (waiting, counted)) in enumerate(
        itertools.product(FIGURES, FIGURES[::-1], [("0", True), ("<5", True), ("12", True), ("", False)])
    ):
        tiles.append(
            TimescaleTile(
                code=str(uuid.uuid4()),
                name=f"Looked after to panel <{number}>",
                basis="looked_after",
                target_days=183 + number * 7,  # some past 1,000
                median_days=median,
                within_target=within,
                waiting=waiting,
                waiting_noun="children" if waiting != "1" else "child",
                waiting_count=None,
                waiting_counted=counted,
            )
        )
    summary = _summary(tiles, counts_as_of=counts_as_of)
    expected = _reference(TILES, summary=summary)
    assert dashboard_tiles(summary) == expected
    assert "fewer than 5;" in expected and "being counted" in expected and "figure-waiting" in expected


@override_settings(STATIC_URL="/static/")
def test_the_dashboard_rows_name_each_icon_by_its_static_url() -> None:
    html = dashboard_aim_rows(_dashboard_rows()[16:17])  # the third figure: both icons
    assert '<img src="/static/img/measures/special_cause_improving.svg" alt="Special cause: improving"' in html


@pytest.mark.django_db
def test_the_home_rows_are_the_templates_markup_for_every_kind_of_row(org) -> None:
    rows = []
    for number, (mine, svg, score, status) in enumerate(
        itertools.product((True, False), (True, False), ("3.5", ""), (Aim.Status.ACTIVE, Aim.Status.DRAFT))
    ):
        aim = Aim(organisation=org, title=f"Aim {number} <&>", status=status, progress_score=score)
        rows.append(
            HomeAim(
                aim=aim,
                mine=mine,
                progress=f"{score} — improvement" if score else "Not scored yet",
                target_text="<5 children by " + f"{datetime.date(2027, 3, 1):%b %Y}",
                latest_text="<5" if number % 3 else "78.9%",
                sparkline_svg=_svg(aim.title) if svg else "",
            )
        )
    assert home_aim_rows(rows) == _reference(HOME_ROWS, rows=rows)


@pytest.mark.django_db
@pytest.mark.parametrize("can_lead", [True, False])
def test_the_dashboard_groups_are_the_templates_markup_for_every_kind_of_group(cast, can_lead) -> None:
    org = cast.org
    reporter = cast.members[Role.LEAD]
    # Issued late in the evening in summer: the day shown is the local one (BST), as the template's.
    issued = datetime.datetime(2026, 7, 14, 23, 30, tzinfo=datetime.UTC)
    quarter = schedule.Period(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    next_quarter = schedule.Period(datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    due = schedule.DueReport(next_quarter, datetime.date(2026, 11, 20), datetime.date(2026, 11, 6))
    rows = []
    for number, (issued_one, pending, overdue, has_reporter) in enumerate(itertools.product((True, False), repeat=4)):
        group = GovernanceGroup(
            organisation=org,
            name=f"Board <{number}> & 'friends'",
            cadence=GovernanceGroup.Cadence.QUARTERLY,
            reporter=reporter if has_reporter else None,
        )
        latest = Report(
            organisation=org,
            group=group,
            kind=Report.Kind.GOVERNANCE,
            period_start=quarter.start,
            period_end=quarter.end,
            issued_at=issued,
            status=Report.Status.DONE,
        )
        draft = Report(organisation=org, group=group, kind=Report.Kind.GOVERNANCE, status=Report.Status.PENDING)
        rows.append(
            GroupReports(
                group=group,
                latest_issued=latest if issued_one else None,
                next_due=due,
                next_report=draft if pending else None,
                issued_count=1 if issued_one else 0,
                overdue=schedule.DueReport(quarter, datetime.date(2026, 8, 20), datetime.date(2026, 8, 6))
                if overdue
                else None,
            )
        )
    expected = _reference(GROUP_REPORTS, groups=rows, can_lead=can_lead)
    assert dashboard_group_reports(rows, can_lead) == expected
    assert "issued 15 Jul 2026" in expected and "data-overdue" in expected and "reporter " in expected
