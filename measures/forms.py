"""Forms for measures and their data. clean_* turn input into domain values; crispy renders."""

from __future__ import annotations

import datetime

from django import forms

from measures.data_entry import (
    EntryError,
    EntryResult,
    parse_number,
    parse_paste,
    parse_period,
    parse_upload,
    period_start,
)
from measures.models import Annotation, Measure, Phase

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
            "target": "In the measure's unit; for a P chart, a percentage (e.g. 90).",
            "chart": "A P chart needs a numerator and a denominator for every point.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "numerator": forms.Textarea(attrs={"rows": 2}),
            "denominator": forms.Textarea(attrs={"rows": 2}),
            "inclusions": forms.Textarea(attrs={"rows": 2}),
            "exclusions": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict:
        data = super().clean()
        if data.get("chart") == Measure.Chart.P:
            if not (data.get("numerator") or "").strip() or not (data.get("denominator") or "").strip():
                self.add_error("denominator", "A P chart counts a proportion: describe both numerator and denominator.")
            target = data.get("target")
            if target is not None and not 0 <= target <= 100:
                self.add_error("target", "For a P chart the target is a percentage between 0 and 100.")
        if data.get("baseline_points") is not None and data["baseline_points"] < 2:
            self.add_error("baseline_points", "A baseline needs at least 2 points (leave blank to use every point).")
        return data


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
        if measure.chart == Measure.Chart.P:
            self.fields["rows"].help_text = (
                "One period a line: period, numerator, denominator and an optional note, separated by tabs "
                "(e.g. “Jan 2025⇥12⇥20”)."
            )
        else:
            self.fields["rows"].help_text = (
                "One period a line: period, value and an optional note, separated by tabs "
                "(e.g. “Jan 2025⇥12”, “2025-01⇥12” or “01/01/2025⇥12”)."
            )

    def clean_rows(self) -> EntryResult:
        result = parse_paste(
            self.cleaned_data["rows"],
            proportions=self.measure.chart == Measure.Chart.P,
            frequency=self.measure.period,
        )
        if result.errors:
            raise forms.ValidationError(result.errors)
        self.result = result
        return result


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="First row: the column names — period, value (or numerator and denominator) and an optional note.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, measure: Measure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean_file(self) -> EntryResult:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        result = parse_upload(
            upload.name,
            upload.read(),
            proportions=self.measure.chart == Measure.Chart.P,
            frequency=self.measure.period,
        )
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
        if self.measure.chart == Measure.Chart.P:
            numerator, denominator = data.get("numerator"), data.get("denominator")
            if "numerator" in data and numerator is None:
                self.add_error("numerator", "Enter the numerator.")
            if "denominator" in data and denominator is None:
                self.add_error("denominator", "Enter the denominator.")
            if numerator is not None and numerator < 0:
                self.add_error("numerator", "The numerator cannot be negative.")
            if denominator is not None and denominator <= 0:
                self.add_error("denominator", "The denominator must be more than 0.")
            elif numerator is not None and denominator is not None and numerator > denominator:
                self.add_error("numerator", f"{numerator:g} is more than the denominator {denominator:g}.")
            if not self.errors:
                data["value"] = 100 * numerator / denominator
        elif "value" in data and data.get("value") is None:
            self.add_error("value", "Enter a number.")
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
