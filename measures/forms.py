"""Forms for measures and their data. clean_* turn input into domain values; crispy renders."""

from __future__ import annotations

import datetime

from django import forms

from measures.data_entry import (
    PAIRED_KINDS,
    EntryError,
    EntryResult,
    parse_number,
    parse_paste,
    parse_period,
    parse_upload,
    period_start,
)
from measures.models import Annotation, Measure, Phase, data_kind_of

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "title",
            "kind",
            "description",
            "numerator",
            "denominator",
            "inclusions",
            "exclusions",
            "unit",
            "better",
            "chart",
            "rule_profile",
            "period",
            "target",
            "rate_per",
            "event_name",
            "baseline_points",
        ]
        labels = {
            "kind": "Type of measure",
            "numerator": "Numerator",
            "denominator": "Denominator",
            "inclusions": "Included",
            "exclusions": "Excluded",
            "period": "How often it is measured",
            "rule_profile": "Rules for run charts",
        }
        help_texts = {
            "description": "Why this measure matters and where the data come from.",
            "inclusions": "Which cases count (e.g. children accommodated for the first time).",
            "exclusions": "Which cases are left out, and why.",
            "target": "In the measure's unit; for a P or P′ chart a percentage (e.g. 90), for a U chart a rate.",
            "chart": (
                "P and P′ charts need a numerator and a denominator for every point; U and U′ charts a count and an "
                "exposure; G and T charts one point per event."
            ),
            "rate_per": "U and U′ charts: show rates per this many units of exposure (e.g. per 100 children).",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "numerator": forms.Textarea(attrs={"rows": 2}),
            "denominator": forms.Textarea(attrs={"rows": 2}),
            "inclusions": forms.Textarea(attrs={"rows": 2}),
            "exclusions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only U and U′ charts use it; left out, rates are per 1.
        self.fields["rate_per"].required = False

    def clean_rate_per(self) -> int:
        return self.cleaned_data.get("rate_per") or Measure.RatePer.ONE

    def clean(self) -> dict:
        data = super().clean()
        chart = data.get("chart")
        kind = data_kind_of(chart) if chart else "value"
        numerator = (data.get("numerator") or "").strip()
        denominator = (data.get("denominator") or "").strip()
        chart_name = Measure.Chart(chart).label.split(" (")[0] if chart else ""
        if kind == "proportion":
            if not numerator or not denominator:
                self.add_error(
                    "denominator", f"A {chart_name} counts a proportion: describe both numerator and denominator."
                )
            target = data.get("target")
            if target is not None and not 0 <= target <= 100:
                self.add_error("target", f"For a {chart_name} the target is a percentage between 0 and 100.")
        if kind == "rate" and (not numerator or not denominator):
            self.add_error(
                "denominator",
                f"A {chart_name} counts events against an exposure: describe what is counted (numerator) and the "
                "exposure (denominator).",
            )
        per_event = data.get("period") == Measure.Period.EVENT
        if kind == "event" and not per_event:
            self.add_error("period", f"A {chart_name} has one point per event: choose “{Measure.Period.EVENT.label}”.")
        elif per_event and kind in ("proportion", "rate", "count"):
            self.add_error(
                "period",
                f"A {chart_name} has one point per period; data entered at each event suit a G or T chart.",
            )
        if data.get("target") is not None and data["target"] < 0 and kind in ("count", "rate", "event"):
            self.add_error("target", "Counts, rates and gaps between events cannot be negative: so cannot the target.")
        if data.get("baseline_points") is not None and data["baseline_points"] < 2:
            self.add_error("baseline_points", "A baseline needs at least 2 points (leave blank to use every point).")
        return data


ENTRY_HELP = {
    "value": "One period a line: period, value and an optional note, separated by tabs "
    "(e.g. “Jan 2025⇥12”, “2025-01⇥12” or “01/01/2025⇥12”).",
    "count": "One period a line: period, the count (a whole number) and an optional note, separated by tabs "
    "(e.g. “Jan 2025⇥3”).",
    "proportion": "One period a line: period, numerator, denominator and an optional note, separated by tabs "
    "(e.g. “Jan 2025⇥12⇥20”).",
    "rate": "One period a line: period, the count of events, the exposure and an optional note, separated by tabs "
    "(e.g. “Jan 2025⇥3⇥412” for 3 events among 412 children).",
    "event": "One event a line: its date, the cases since the event before and an optional note, separated by "
    "tabs (e.g. “03/02/2025⇥27”).",
}
TIME_HELP = (
    "One event a line: its date, the days since the event before and an optional note, separated by tabs "
    "(e.g. “03/02/2025⇥27”). Leave the days out (“03/02/2025”) and they are counted from the dates."
)


def entry_help(measure: Measure) -> str:
    if measure.chart == Measure.Chart.T:
        return TIME_HELP
    return ENTRY_HELP[measure.data_kind]


def entry_options(measure: Measure) -> dict:
    """How this measure's rows are read: their kind, the frequency, and for a T chart the
    stored event dates from which blank days between events are worked out."""
    options: dict = {"kind": measure.data_kind, "frequency": measure.period, "rate_per": measure.rate_per}
    if measure.chart == Measure.Chart.T:
        options["fill_days"] = True
        options["known_events"] = list(measure.points.values_list("period", flat=True)) if measure.pk else []
    return options


class PasteForm(forms.Form):
    rows = forms.CharField(
        label="Rows copied from a spreadsheet",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}),
        help_text="One period a line, columns separated by tabs, as copied from Excel.",
    )

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.result: EntryResult | None = None
        self.fields["rows"].help_text = entry_help(measure)

    def clean_rows(self) -> EntryResult:
        result = parse_paste(self.cleaned_data["rows"], **entry_options(self.measure))
        if result.errors:
            raise forms.ValidationError(result.errors)
        self.result = result
        return result


UPLOAD_HELP = {
    "value": "First row: the column names — period, value and an optional note.",
    "count": "First row: the column names — period, value (the count) and an optional note.",
    "proportion": "First row: the column names — period, numerator and denominator, and an optional note.",
    "rate": "First row: the column names — period, count and exposure, and an optional note.",
    "event": "First row: the column names — date, value (the days or cases since the event before) and an "
    "optional note.",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text=UPLOAD_HELP["value"],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["file"].help_text = UPLOAD_HELP[measure.data_kind]

    def clean_file(self) -> EntryResult:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        result = parse_upload(upload.name, upload.read(), **entry_options(self.measure))
        if result.errors:
            raise forms.ValidationError(
                result.errors[:50] + ([f"… and {len(result.errors) - 50} more."] if len(result.errors) > 50 else [])
            )
        return result


class PointForm(forms.Form):
    """One row of the data-entry grid."""

    period = forms.CharField(label="Period")
    value = forms.CharField(label="Value", required=False)
    numerator = forms.CharField(label="Numerator", required=False)
    denominator = forms.CharField(label="Denominator", required=False)
    note = forms.CharField(label="Note", required=False, max_length=500)
    astronomical = forms.BooleanField(label="Astronomical", required=False)

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean_period(self) -> datetime.date:
        try:
            period = parse_period(self.cleaned_data["period"], self.measure.period)
        except EntryError as error:
            raise forms.ValidationError(str(error).capitalize() + ".") from None
        if period > datetime.date.today():
            raise forms.ValidationError("The period is in the future.")
        return period

    def _number(self, name: str) -> float | None:
        try:
            return parse_number(self.cleaned_data.get(name))
        except EntryError as error:
            raise forms.ValidationError(str(error).capitalize() + ".") from None

    def clean_value(self) -> float | None:
        return self._number("value")

    def clean_numerator(self) -> float | None:
        return self._number("numerator")

    def clean_denominator(self) -> float | None:
        return self._number("denominator")

    def clean(self) -> dict:
        data = super().clean()
        kind = self.measure.data_kind
        if kind in PAIRED_KINDS:
            top, bottom = ("numerator", "denominator") if kind == "proportion" else ("count", "exposure")
            numerator, denominator = data.get("numerator"), data.get("denominator")
            if "numerator" in data and numerator is None:
                self.add_error("numerator", f"Enter the {top}.")
            if "denominator" in data and denominator is None:
                self.add_error("denominator", f"Enter the {bottom}.")
            if numerator is not None and numerator < 0:
                self.add_error("numerator", f"The {top} cannot be negative.")
            elif kind == "rate" and numerator is not None and not numerator.is_integer():
                self.add_error("numerator", f"A count is a whole number ({numerator:g}).")
            if denominator is not None and denominator <= 0:
                self.add_error("denominator", f"The {bottom} must be more than 0.")
            elif kind == "proportion" and numerator is not None and denominator is not None and numerator > denominator:
                self.add_error("numerator", f"{numerator:g} is more than the denominator {denominator:g}.")
            if not self.errors:
                scale = 100 if kind == "proportion" else self.measure.rate_per
                data["value"] = scale * numerator / denominator
            return data
        value = data.get("value")
        if "value" in data and value is None:
            self.add_error("value", "Enter a number.")
        elif kind == "count" and value is not None and (value < 0 or not value.is_integer()):
            self.add_error("value", f"A count is a whole number of 0 or more ({value:g}).")
        elif kind == "event" and value is not None and value < 0:
            self.add_error("value", "The days or cases between events cannot be negative.")
        return data


class AnnotationForm(forms.ModelForm):
    class Meta:
        model = Annotation
        fields = ["date", "text", "link"]
        labels = {"text": "What happened", "link": "Link (optional)"}
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_link(self) -> str:
        link = self.cleaned_data["link"].strip()
        if link and not (link.startswith("/") or link.startswith("https://") or link.startswith("http://")):
            raise forms.ValidationError("Give a web address starting with https:// or a PACE Hub page starting with /.")
        return link


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["start", "reason", "baseline_points"]
        labels = {
            "start": "First period of the new phase",
            "reason": "Why a new phase",
            "baseline_points": "Baseline length",
        }
        help_texts = {
            "reason": "For example “Sustained shift after the permanence planning meeting at 6 weeks was adopted”.",
            "baseline_points": "Freeze the new centre line on the first N points of the phase; blank uses them all.",
        }
        widgets = {"start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean_start(self) -> datetime.date:
        start = period_start(self.cleaned_data["start"], self.measure.period)
        if Phase.objects.filter(measure=self.measure, start=start).exists():
            raise forms.ValidationError(f"A phase already starts on {start:%d %B %Y}.")
        return start

    def clean_baseline_points(self) -> int | None:
        value = self.cleaned_data["baseline_points"]
        if value is not None and value < 2:
            raise forms.ValidationError("A baseline needs at least 2 points (leave blank to use every point).")
        return value


class MeasureFilterForm(forms.Form):
    SIGNALS = [("", "Any"), ("improvement", "Improvement"), ("concern", "Concern"), ("none", "No signal")]

    kind = forms.ChoiceField(label="Type", choices=[("", "Any"), *Measure.Kind.choices], required=False)
    signal = forms.ChoiceField(label="Signal", choices=SIGNALS, required=False)
    aim = forms.ChoiceField(label="Aim", required=False)

    def __init__(self, *args, aims: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aim"].choices = [("", "Any"), *aims]


class BenchmarkSharingForm(forms.Form):
    """An admin's choice to share the organisation's aggregates across Scotland (DESIGN.md §4d)."""

    sharing = forms.BooleanField(
        label="Share our aggregates with the other authorities that share theirs",
        required=False,
        help_text=(
            "Per timescale and financial year: children counted, children within target and median days. "
            "No child's record, reference or date, and no count of 1 to 4 children, ever leaves the organisation."
        ),
    )
    named = forms.BooleanField(
        label="Show our name to them",
        required=False,
        help_text="Otherwise the others see us as a letter. You always see your own name.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("named") and not data.get("sharing"):
            self.add_error("named", "Only an authority that shares can be named: tick “Share our aggregates” too.")
        return data
