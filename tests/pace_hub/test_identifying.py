"""Screening free text and values for what identifies a person (pace_hub.identifying)."""

import pytest

from pace_hub.identifying import (
    CHI_NUMBER,
    DATE,
    DATE_OF_BIRTH,
    FULL_NAME,
    NAME,
    NHS_NUMBER,
    POSTCODE,
    find_identifying,
    identifying_value_kind,
    is_chi_number,
    is_nhs_number,
)


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in find_identifying(text)]


def test_the_audit_sentence_is_caught_in_full() -> None:
    found = kinds_and_texts("Helped Jamie MacLeod (DOB 03/04/2016, CHI 0304161234)")
    assert found == [(FULL_NAME, "Jamie MacLeod"), (DATE_OF_BIRTH, "DOB 03/04/2016"), (CHI_NUMBER, "0304161234")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("born on 3rd of April 2016", (DATE_OF_BIRTH, "born on 3rd of April 2016")),
        ("date of birth: 2016-04-03", (DATE_OF_BIRTH, "date of birth: 2016-04-03")),
        ("d.o.b. 3.4.16", (DATE_OF_BIRTH, "d.o.b. 3.4.16")),
        ("CHI 030416 1234 on file", (CHI_NUMBER, "030416 1234")),
        ("NHS 943 476 5919", (NHS_NUMBER, "943 476 5919")),
        ("lives at AB10 1XG now", (POSTCODE, "AB10 1XG")),
        ("met Mrs Smith at the hearing", (FULL_NAME, "Mrs Smith")),
        ("Kirsty O'Neill said it helped", (FULL_NAME, "Kirsty O'Neill")),
        ("\uff24\uff2f\uff22 03/04/2016", (DATE_OF_BIRTH, "DOB 03/04/2016")),  # full-width letters
    ],
)
def test_each_kind_of_identifying_detail_is_found(text, expected) -> None:
    assert expected in kinds_and_texts(text)


@pytest.mark.parametrize(
    "text",
    [
        "90% of children accommodated will have a permanence recommendation within 6 months by 31 March 2027.",
        "The Named Person Review met on 03/04/2024 in the Hope Street office.",
        "Legal advice booked at the first LAC review for 12 cases; SCRA and CHS agreed.",
        "Panel within 84 days; 1234567890 was the wrong total.",  # not a real date in front
        "The Scottish Improvement Leader programme, Children's Hearings Scotland and the Court Order.",
        "Reference C-10234 moved to the kinship route.",
    ],
)
def test_ordinary_improvement_writing_is_not_flagged(text) -> None:
    assert find_identifying(text) == []


def test_chi_and_nhs_checks() -> None:
    assert is_chi_number("0304161234") and not is_chi_number("3204161234") and not is_chi_number("030416123")
    assert is_nhs_number("9434765919") and not is_nhs_number("9434765918")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("JaneSmith", NAME),
        ("SMITH_Jane", NAME),
        ("0304161234", CHI_NUMBER),
        ("03/04/2016", DATE),
        ("20160403", DATE),
        ("AB10 1XG", POSTCODE),
        ("C-10234", None),
        ("10234", None),
        ("99999999", None),
    ],
)
def test_values_are_told_apart(value, kind) -> None:
    assert identifying_value_kind(value) == kind
