import datetime

from aims.statements import AIM_TEMPLATES, REQUIRED_PARTS, compose_statement, format_date, missing_parts

FULL = {
    "population": "children accommodated",
    "improvement": "will have a permanence recommendation within 6 months",
    "baseline_value": 55.0,
    "baseline_label": "in 2025",
    "target_value": 90.0,
    "unit": "%",
    "by_date": datetime.date(2027, 3, 31),
}


def test_the_design_example_reads_exactly() -> None:
    assert compose_statement(**FULL) == (
        "90% of children accommodated will have a permanence recommendation within 6 months "
        "by 31 March 2027, from 55% in 2025"
    )


def test_other_units_read_naturally() -> None:
    statement = compose_statement(
        population="children on a CSO",
        improvement="median days from hearing advice to court",
        baseline_value=210,
        target_value=120.5,
        unit="days",
        by_date=datetime.date(2027, 1, 1),
    )
    assert statement == (
        "For children on a CSO, median days from hearing advice to court: 120.5 days by 1 January 2027, from 210 days"
    )


def test_a_draft_reads_as_far_as_it_goes() -> None:
    assert compose_statement(population="children accommodated") == "Children accommodated"
    assert compose_statement(target_value=90, unit="%", population="children accommodated") == (
        "90% of children accommodated"
    )
    assert compose_statement(baseline_value=55, unit="%") == "From 55%"
    assert compose_statement() == ""


def test_dates_have_no_leading_zero() -> None:
    assert format_date(datetime.date(2026, 4, 1)) == "1 April 2026"


def test_missing_parts_name_each_part_and_why() -> None:
    assert missing_parts(FULL) == {}
    missing = missing_parts({**FULL, "population": "  ", "by_date": None, "target_value": None})
    assert list(missing) == ["population", "target_value", "by_date"]
    assert "who the aim is for" in missing["population"]
    assert missing["by_date"] == REQUIRED_PARTS["by_date"]


def test_zero_is_a_value_not_a_missing_part() -> None:
    assert "baseline_value" not in missing_parts({**FULL, "baseline_value": 0.0})


def test_templates_cover_the_pace_national_aims() -> None:
    national = [template for template in AIM_TEMPLATES if template.kind == "national"]
    assert any("6 months" in template.improvement for template in national)
    assert any("compulsory supervision order" in template.population for template in national)
