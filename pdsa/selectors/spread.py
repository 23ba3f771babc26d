"""Spread and scale: has the idea been tested in enough settings, adapted where needed, and
heard from everyone it affects? Pure functions over plain values, so tests need no database;
``spread_for_idea`` gathers those values for one idea."""

from dataclasses import dataclass, field

from pdsa.models import ChangeIdea, Feedback, PDSACycle, SpreadLocality, SpreadPlan

VOICE_LABELS = dict(Feedback.Voice.choices)
# Plain words for the summary ("no feedback from carers yet").
VOICE_PLURALS = {
    Feedback.Voice.CHILD: "children or young people",
    Feedback.Voice.INFANT: "infants or non-verbal children",
    Feedback.Voice.PARENT: "parents",
    Feedback.Voice.CARER: "carers",
    Feedback.Voice.COLLEAGUE: "colleagues",
    Feedback.Voice.PARTNER: "partner agencies",
}


@dataclass(frozen=True)
class CycleFact:
    setting: str
    tested: bool  # the Do phase has been recorded
    adapted: bool  # the group decided to adapt after it
    voices: frozenset[str] = frozenset()


@dataclass
class SpreadRow:
    setting: str
    cycles: int = 0
    tested: bool = False
    adapted: bool = False
    voices: set[str] = field(default_factory=set)

    def voice_present(self, voice: str) -> bool:
        return voice in self.voices


@dataclass
class Spread:
    rows: list[SpreadRow]
    affected_voices: list[str]
    voices_heard: set[str]  # across the idea, including feedback not tied to a setting
    summary: str

    @property
    def missing_voices(self) -> list[str]:
        return [v for v in self.affected_voices if v not in self.voices_heard]


def _same(name: str) -> str:
    return " ".join(name.split()).casefold()


def spread_rows(cycles: list[CycleFact], localities: list[str]) -> list[SpreadRow]:
    """One row per setting, from the cycles' settings and the localities added by hand; the
    names are matched ignoring case and spacing. Cycles without a setting are left out."""
    rows: dict[str, SpreadRow] = {}
    for name in localities:
        if name.strip():
            rows.setdefault(_same(name), SpreadRow(setting=name.strip()))
    for fact in cycles:
        if not fact.setting.strip():
            continue
        row = rows.setdefault(_same(fact.setting), SpreadRow(setting=fact.setting.strip()))
        row.cycles += 1
        row.tested = row.tested or fact.tested
        row.adapted = row.adapted or fact.adapted
        row.voices |= fact.voices
    return sorted(rows.values(), key=lambda r: _same(r.setting))


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def readiness_summary(rows: list[SpreadRow], affected_voices: list[str], voices_heard: set[str]) -> str:
    """Plain words, e.g. "Tested in 2 of 5 localities; adapted in 1; no feedback from carers yet."."""
    if not rows:
        parts = ["No settings or localities yet: plan a cycle with its setting, or add the localities it should reach"]
    else:
        tested = sum(r.tested for r in rows)
        noun = "locality" if len(rows) == 1 else "localities"
        parts = [f"Tested in {tested} of {len(rows)} {noun}"]
        adapted = sum(r.adapted for r in rows)
        if adapted:
            parts.append(f"adapted in {adapted}")
        untested = [r.setting for r in rows if not r.tested]
        if untested and len(untested) <= 3:
            parts.append(f"not yet tested in {', '.join(untested)}")
    missing = [VOICE_PLURALS.get(v, v) for v in affected_voices if v not in voices_heard]
    if not affected_voices:
        pass
    elif missing:
        parts.append(f"no feedback from {_join(missing)} yet")
    else:
        parts.append("feedback heard from everyone affected")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def spread_for_idea(idea: ChangeIdea) -> Spread:
    """Three queries whatever the number of cycles and feedback."""
    cycles = list(idea.cycles.all().prefetch_related("feedback"))
    localities = list(SpreadLocality.objects.filter(change_idea=idea).values_list("name", flat=True))
    plan = SpreadPlan.objects.filter(change_idea=idea).first()
    affected = list(plan.affected_voices) if plan else list(Feedback.Voice.values)
    facts = [
        CycleFact(
            setting=c.setting,
            tested=bool(c.what_happened.strip() or c.observations.strip())
            or c.status in {PDSACycle.Status.STUDY, PDSACycle.Status.ACT, PDSACycle.Status.COMPLETE},
            adapted=c.decision == PDSACycle.Decision.ADAPT,
            voices=frozenset(f.voice for f in c.feedback.all()),
        )
        for c in cycles
    ]
    heard = set(Feedback.objects.filter(change_idea=idea).values_list("voice", flat=True).distinct())
    for fact in facts:
        heard |= fact.voices
    rows = spread_rows(facts, localities)
    return Spread(
        rows=rows, affected_voices=affected, voices_heard=heard, summary=readiness_summary(rows, affected, heard)
    )


@dataclass(frozen=True)
class RampStep:
    number: int
    setting: str
    cases: int | None
    teams: int | None
    x: float
    y: float
    width: float
    height: float


def ramp_steps(
    cycles: list[PDSACycle], *, width: float = 560, height: float = 180, margin: float = 30
) -> list[RampStep]:
    """Bars of a step chart of cases per cycle, scaled to an SVG box (pure arithmetic)."""
    if not cycles:
        return []
    top = max((c.scale_cases or 0) for c in cycles) or 1
    slot = (width - margin) / len(cycles)
    steps = []
    for index, cycle in enumerate(cycles):
        cases = cycle.scale_cases or 0
        bar = (height - margin) * cases / top
        steps.append(
            RampStep(
                number=cycle.number,
                setting=cycle.setting,
                cases=cycle.scale_cases,
                teams=cycle.scale_teams,
                x=round(margin + index * slot + 4, 1),
                y=round(height - margin - bar, 1),
                width=round(max(slot - 8, 4), 1),
                height=round(bar, 1),
            )
        )
    return steps


def answer_summary(answers: list[tuple[str, str]]) -> list[str]:
    """Plain sentences from the structured answers, given as (easier, too_long) pairs, e.g.
    "Easier or more helpful: 3 yes, 1 partly (of 4 asked)". Unasked questions are left out."""
    sentences = []
    for position, question in ((0, "Easier or more helpful"), (1, "Took too long")):
        given = [pair[position] for pair in answers if pair[position]]
        if not given:
            continue
        counts = [
            f"{given.count(value)} {label.lower()}" for value, label in Feedback.Answer.choices if given.count(value)
        ]
        sentences.append(f"{question}: {', '.join(counts)} (of {len(given)} asked)")
    return sentences
