"""Finding identifying details about a person in text: dates of birth, CHI and NHS numbers,
postcodes and obvious full names (DESIGN.md §3: children are held as pseudonymous references,
and nothing that names them may be written down or shared).

Two uses:
- ``find_identifying(text)`` screens free text (PDSA learning, feedback, annotations, library
  items). Saving warns with what was found; publishing to the library is refused.
- ``identifying_value_kind(value)`` says whether one spreadsheet value (a child reference) is
  shaped like a name, a CHI number, a date or a postcode.

These are deliberately plain, explainable rules rather than a statistical model: a person must be
able to read what was found and why, and fix it. Names are only "obvious" ones — a title and a
surname ("Mrs Smith"), or a common first name followed by a capitalised surname ("Jamie
MacLeod") — so ordinary improvement writing is not flagged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

DATE_OF_BIRTH = "a date of birth"
CHI_NUMBER = "a CHI number"
NHS_NUMBER = "an NHS number"
POSTCODE = "a postcode"
FULL_NAME = "a full name"
NAME = "a name"
DATE = "a date"

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMERIC_DATE = r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
_ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_WORDED_DATE = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(?:\d{{4}}|\d{{2}})"
_ANY_DATE = rf"(?:{_ISO_DATE}|{_NUMERIC_DATE}|{_WORDED_DATE})"
# A birth word, then up to a few words (e.g. "DOB is", "born on the"), then a date.
_BIRTH_DATE = re.compile(
    rf"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*(?:date|day|dt)\b|\bborn\b|\bb\.)"
    rf"[^\d\n]{{0,20}}?(?P<date>{_ANY_DATE})",
    re.IGNORECASE,
)
# Ten digits, maybe written 030416 1234 or 030416-1234; checked for a real date below.
_TEN_DIGITS = re.compile(r"(?<![\d/.\-])(\d{6})[ \-]?(\d{4})(?![\d/\-]|\.\d)")
_NHS_SPACED = re.compile(r"(?<!\d)(\d{3})[ \-](\d{3})[ \-](\d{4})(?!\d)")
# A full UK postcode (outward and inward parts), capitals as written on letters.
_POSTCODE_TEXT = re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|[A-PR-UWYZ]\d[A-HJKPSTUW])\s?\d[ABD-HJLNP-UW-Z]{2}\b")
_POSTCODE_VALUE = re.compile(
    r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|[A-PR-UWYZ]\d[A-HJKPSTUW])\s?\d[ABD-HJLNP-UW-Z]{2}", re.IGNORECASE
)
_SURNAME = r"(?:(?:Mac|Mc|O'|O’|D'|De|Van|Von|St\.?\s?)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
_TITLED = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?\s+(?:[A-Z][a-z]+\s+)?(?P<surname>{_SURNAME})\b")

# Common first names in Scotland (National Records of Scotland lists, children and adults).
# Names that are also ordinary English words (Will, May, Grace, Hope, Mark...) are left out, so
# that "Hope Street" or "Will Review" are not taken for people.
FIRST_NAMES = frozenset(
    [
        "aaron",
        "adam",
        "aidan",
        "aiden",
        "ailsa",
        "aimee",
        "alan",
        "alana",
        "alastair",
        "alex",
        "alexander",
        "alexandra",
        "alfie",
        "ali",
        "alice",
        "alison",
        "alistair",
        "allan",
        "amanda",
        "amelia",
        "amy",
        "andrea",
        "andrew",
        "angela",
        "angus",
        "anna",
        "anne",
        "annie",
        "archie",
        "arran",
        "arthur",
        "ava",
        "barbara",
        "ben",
        "benjamin",
        "beth",
        "bethany",
        "billy",
        "blair",
        "brian",
        "bruce",
        "caitlin",
        "caleb",
        "calum",
        "callum",
        "cameron",
        "carly",
        "carol",
        "caroline",
        "catherine",
        "charles",
        "charlie",
        "charlotte",
        "chloe",
        "christina",
        "christine",
        "christopher",
        "claire",
        "colin",
        "conor",
        "connor",
        "craig",
        "daniel",
        "darren",
        "david",
        "dean",
        "debbie",
        "deborah",
        "declan",
        "denise",
        "derek",
        "diane",
        "donald",
        "donna",
        "dougie",
        "douglas",
        "duncan",
        "dylan",
        "eilidh",
        "eleanor",
        "elizabeth",
        "ella",
        "ellie",
        "elsie",
        "emily",
        "emma",
        "eric",
        "erin",
        "ethan",
        "euan",
        "evie",
        "ewan",
        "fergus",
        "finlay",
        "finn",
        "fiona",
        "frances",
        "fraser",
        "freya",
        "gail",
        "gary",
        "gavin",
        "george",
        "gillian",
        "gordon",
        "graeme",
        "graham",
        "hamish",
        "hannah",
        "harris",
        "harry",
        "harvey",
        "heather",
        "heidi",
        "helen",
        "holly",
        "ian",
        "iain",
        "imogen",
        "innes",
        "iona",
        "isaac",
        "isabel",
        "isabella",
        "isla",
        "isobel",
        "jack",
        "jacob",
        "jake",
        "james",
        "jamie",
        "jane",
        "janet",
        "janice",
        "jasmine",
        "jason",
        "jay",
        "jayden",
        "jennifer",
        "jessica",
        "jill",
        "joanne",
        "john",
        "jonathan",
        "jordan",
        "joseph",
        "josh",
        "joshua",
        "julie",
        "kai",
        "karen",
        "kate",
        "katie",
        "kayla",
        "keira",
        "keith",
        "kelly",
        "kenneth",
        "kerr",
        "kevin",
        "kieran",
        "kirsty",
        "kyle",
        "laura",
        "lauren",
        "layla",
        "leah",
        "lee",
        "leo",
        "lewis",
        "liam",
        "lily",
        "linda",
        "lindsay",
        "lisa",
        "logan",
        "lois",
        "lola",
        "lorna",
        "lorraine",
        "louise",
        "lucas",
        "lucy",
        "luke",
        "lynn",
        "lynne",
        "maisie",
        "malcolm",
        "marc",
        "margaret",
        "maria",
        "marie",
        "martin",
        "mary",
        "matthew",
        "megan",
        "melissa",
        "michael",
        "michelle",
        "millie",
        "mohammed",
        "molly",
        "morag",
        "morgan",
        "muhammad",
        "murray",
        "nathan",
        "neil",
        "nicola",
        "niamh",
        "nina",
        "oliver",
        "olivia",
        "oscar",
        "owen",
        "paul",
        "pauline",
        "peter",
        "rachel",
        "rebecca",
        "rhys",
        "richard",
        "rioghnach",
        "robbie",
        "robert",
        "robyn",
        "rory",
        "ross",
        "rowan",
        "ruairidh",
        "ryan",
        "samantha",
        "samuel",
        "sandra",
        "sarah",
        "scott",
        "sean",
        "shannon",
        "sharon",
        "sheila",
        "shona",
        "sophie",
        "stephen",
        "steven",
        "stewart",
        "stuart",
        "susan",
        "suzanne",
        "sylvia",
        "thomas",
        "tom",
        "tony",
        "tracy",
        "tyler",
        "victoria",
        "william",
        "zara",
        "zoe",
    ]
)
# Capitalised words that follow a first name without being a surname ("Jordan Hill" is a place
# more often than a person is not knowable; these are the words of this domain and calendar).
_NOT_SURNAMES = frozenset(
    [
        "academy",
        "authority",
        "board",
        "centre",
        "children",
        "city",
        "council",
        "court",
        "drive",
        "group",
        "hearing",
        "hearings",
        "house",
        "lane",
        "lead",
        "leads",
        "nursery",
        "order",
        "panel",
        "place",
        "primary",
        "review",
        "road",
        "school",
        "service",
        "services",
        "social",
        "street",
        "team",
        "trust",
        "unit",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
# A lookahead, so that "Helped Jamie MacLeod" is tried at every word, not in pairs.
_FIRST_THEN_SURNAME = re.compile(rf"\b(?=(?P<first>[A-Z][a-z]+)\s+(?P<surname>{_SURNAME})\b)")


@dataclass(frozen=True)
class Finding:
    """One identifying detail: what kind it is and the text exactly as written."""

    kind: str
    text: str
    start: int

    def __str__(self) -> str:
        return f"{self.kind}: “{self.text}”"


def find_identifying(text: str) -> list[Finding]:
    """Every date of birth, CHI or NHS number, postcode and obvious full name in ``text``, in the
    order they appear (overlapping matches reported once)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    found: list[Finding] = []
    for match in _BIRTH_DATE.finditer(text):
        found.append(Finding(DATE_OF_BIRTH, match.group(0).strip(), match.start()))
    for match in _TEN_DIGITS.finditer(text):
        digits = match.group(1) + match.group(2)
        if is_chi_number(digits):
            found.append(Finding(CHI_NUMBER, match.group(0), match.start()))
        elif is_nhs_number(digits):
            found.append(Finding(NHS_NUMBER, match.group(0), match.start()))
    for match in _NHS_SPACED.finditer(text):
        if is_nhs_number("".join(match.groups())):
            found.append(Finding(NHS_NUMBER, match.group(0), match.start()))
    for match in _POSTCODE_TEXT.finditer(text):
        found.append(Finding(POSTCODE, match.group(0), match.start()))
    for match in _TITLED.finditer(text):
        found.append(Finding(FULL_NAME, match.group(0), match.start()))
    for match in _FIRST_THEN_SURNAME.finditer(text):
        first, surname = match.group("first"), match.group("surname")
        if first.casefold() in FIRST_NAMES and surname.casefold() not in _NOT_SURNAMES:
            found.append(Finding(FULL_NAME, text[match.start("first") : match.end("surname")], match.start()))
    return _without_overlaps(found)


def describe(findings: list[Finding]) -> str:
    """The findings as one sentence part, e.g. 'a date of birth: “DOB 03/04/2016”; a full name: …'."""
    return "; ".join(str(finding) for finding in findings)


def is_chi_number(digits: str) -> bool:
    """Ten digits whose first six are a real date of birth, day-month-year (the CHI format)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    return any(_real_date(century + year, month, day) for century in (1900, 2000))


def is_nhs_number(digits: str) -> bool:
    """Ten digits passing the NHS number's modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def identifying_value_kind(value: str) -> str | None:
    """What a whole spreadsheet value looks like, if it looks like something that identifies a
    person: ``NAME`` (letters only, e.g. JaneSmith, SMITH_Jane), ``CHI_NUMBER``, ``DATE`` or
    ``POSTCODE``; None otherwise."""
    value = unicodedata.normalize("NFKC", value).strip()
    if not value:
        return None
    if _LETTERS_ONLY.fullmatch(value):
        return NAME
    digits = re.sub(r"[\s\-]", "", value)
    if is_chi_number(digits):
        return CHI_NUMBER
    if looks_like_date(value):
        return DATE
    if _POSTCODE_VALUE.fullmatch(value):
        return POSTCODE
    return None


# Letters with optional separators between them and no digit: the shape of a name.
_LETTERS_ONLY = re.compile(r"[^\W\d_]+(?:[\s_.'’\-,]+[^\W\d_]+)*")
_DATE_VALUE = re.compile(
    r"(?P<d1>\d{1,2})[/.\-](?P<m1>\d{1,2})[/.\-](?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})[/.\-](?P<m2>\d{1,2})[/.\-](?P<d2>\d{1,2})"
    r"|(?P<d3>\d{2})(?P<m3>\d{2})(?P<y3>(?:19|20)\d{2})"
    r"|(?P<y4>(?:19|20)\d{2})(?P<m4>\d{2})(?P<d4>\d{2})"
)


def looks_like_date(value: str) -> bool:
    """A value that reads as a real calendar date: d/m/y, y-m-d, ddmmyyyy or yyyymmdd."""
    match = _DATE_VALUE.fullmatch(value.strip())
    if match is None:
        return False
    for n in "1234":
        if match.group(f"d{n}") is not None:
            year = int(match.group(f"y{n}"))
            year += 2000 if year < 100 else 0
            return _real_date(year, int(match.group(f"m{n}")), int(match.group(f"d{n}")))
    return False


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    end = -1
    for finding in sorted(found, key=lambda item: (item.start, -len(item.text))):
        if finding.start < end:
            continue
        kept.append(finding)
        end = finding.start + len(finding.text)
    return kept


def findings_in(texts: dict[str, str]) -> list[tuple[str, Finding]]:
    """Findings in several labelled texts, as (label, finding) in order."""
    return [(label, finding) for label, text in texts.items() for finding in find_identifying(text or "")]


def describe_labelled(found: list[tuple[str, Finding]]) -> str:
    """e.g. '“Jamie MacLeod” (a full name) in What we learned; “AB10 1XG” (a postcode) in Notes'."""
    return "; ".join(f"“{finding.text}” ({finding.kind}) in {label}" for label, finding in found)


def warn_identifying(request, form, *, names_expected_in: tuple[str, ...] = ()) -> list[tuple[str, Finding]]:
    """After a save: warn (a message on the next page) if the form's text holds what looks like
    a date of birth, a CHI or NHS number, a postcode or a full name. The save stands: people
    fix it, or explain it is not about a child; publishing to the library refuses it.
    ``names_expected_in`` are fields where staff are named on purpose (contacts)."""
    from django.contrib import messages

    found = []
    for name, value in form.cleaned_data.items():
        if not isinstance(value, str) or name not in form.fields:
            continue
        label = str(form.fields[name].label or name.replace("_", " ").capitalize())
        found.extend(
            (label, finding)
            for finding in find_identifying(value)
            if not (name in names_expected_in and finding.kind == FULL_NAME)
        )
    if found:
        messages.warning(
            request,
            f"Saved, but please check it: it seems to hold identifying details: {describe_labelled(found)}. "
            "Children and families must not be identifiable here; remove names, dates of birth, CHI "
            "numbers and postcodes.",
        )
    return found
