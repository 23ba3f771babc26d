"""Forms for milestone uploads and pathway settings: they turn input into domain values."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from measures.milestones.files.validation import reference_pattern_problem
from measures.models import Milestone, Timescale
from pace_hub.models import Organisation


class MilestoneUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet (CSV or Excel .xlsx)",
        help_text="One row per child: child_ref, route and a date column per milestone (or the long layout: "
        "child_ref, milestone, date). Dates as dd/mm/yyyy, yyyy-mm-dd or Excel dates. No names, dates of "
        "birth, addresses, postcodes or CHI numbers.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; files up to {filesizeformat(limit)} can be uploaded. "
                "Split it into smaller files or remove columns you do not need."
            )
        if Path(upload.name).suffix.lower() not in {".csv", ".xlsx"}:
            raise forms.ValidationError(
                f"“{upload.name}” is not a CSV or .xlsx file. Save the spreadsheet as CSV or Excel workbook "
                "(.xlsx) and upload that."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class ConfirmForm(forms.Form):
    """The second step of saving or rolling back an upload: the page that says how many children
    and dates will change posts it, so a bare POST changes nothing."""

    confirmed = forms.BooleanField(widget=forms.HiddenInput, initial=True)


class ReferenceFormatForm(forms.Form):
    child_reference_pattern = forms.CharField(
        label="Child reference format",
        max_length=100,
        required=False,
        help_text=Organisation._meta.get_field("child_reference_pattern").help_text,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_child_reference_pattern(self) -> str:
        pattern = self.cleaned_data["child_reference_pattern"].strip()
        problem = reference_pattern_problem(pattern)
        if problem:
            raise forms.ValidationError(f"This format cannot be used: {problem}.")
        return pattern


class MilestoneCreateForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="As people in your council call it.")
    code = forms.SlugField(
        max_length=40,
        help_text="A short code for upload column headers, e.g. sibling_assessment (letters, digits, _ and -).",
    )
    after = forms.ModelChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        label="Comes after",
        empty_label="— first in the pathway —",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["after"].queryset = Milestone.objects.for_organisation(organisation).order_by("order")

    def clean_code(self) -> str:
        return self.cleaned_data["code"].lower()


class MilestoneEditForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        help_text="Renaming keeps every date already held: uploads match the code or the new name.",
    )
    active = forms.BooleanField(
        required=False,
        label="In use",
        help_text="A milestone not in use is ignored by uploads, run charts and completeness checks; "
        "its dates are kept.",
    )


class TimescaleForm(forms.ModelForm):
    class Meta:
        model = Timescale
        fields = ["from_milestone", "to_milestone", "target_days", "name", "basis", "active"]
        labels = {
            "from_milestone": "From milestone",
            "to_milestone": "To milestone",
            "target_days": "Target (days)",
            "active": "In use",
        }
        help_texts = {"target_days": "For example 183 for 6 months, 84 for 12 weeks."}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        milestones = Milestone.objects.for_organisation(organisation).order_by("order")
        self.fields["from_milestone"].queryset = milestones
        self.fields["to_milestone"].queryset = milestones
        self.fields["target_days"].min_value = 1
        self.fields["target_days"].widget.attrs["min"] = 1

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("from_milestone"), data.get("to_milestone")
        if start and end and start == end:
            self.add_error("to_milestone", "Choose two different milestones.")
        return data

    def validate_constraints(self, exclude=None) -> None:
        # The service checks the invariants with messages people can act on.
        pass

    def validate_unique(self) -> None:
        # The service checks the pair (organisation is not a form field).
        pass
