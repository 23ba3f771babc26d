"""Forms for aims and driver diagrams. They turn input into domain values; crispy only renders."""

from django import forms
from django.db import models

from aims.models import Aim, Driver
from aims.statements import AIM_TEMPLATES, AimTemplate, missing_parts
from measures.models import Measure
from pace_hub.models import Membership, Organisation, Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMART_WIDGETS = {
    "population": forms.Textarea(attrs={"rows": 2}),
    "improvement": forms.Textarea(attrs={"rows": 2}),
    "start_date": DATE,
    "by_date": DATE,
}
SMART_FIELDS = [
    "population",
    "improvement",
    "baseline_value",
    "baseline_label",
    "target_value",
    "unit",
    "start_date",
    "by_date",
]
SMART_LABELS = {
    "population": "Who (population)",
    "improvement": "What improves",
    "baseline_value": "From (baseline value)",
    "baseline_label": "Baseline period",
    "target_value": "To (target value)",
    "unit": "Unit",
    "start_date": "Start date",
    "by_date": "By when",
}
SMART_HELP = {
    "population": "e.g. children who become looked after and accommodated",
    "improvement": "e.g. will have a permanence recommendation within 6 months",
    "baseline_value": "Where you are now, e.g. 55",
    "baseline_label": 'When the baseline was measured, e.g. "in 2025"',
    "target_value": "Where you aim to be, e.g. 90",
    "unit": 'e.g. "%" or "days"',
    "by_date": "The date to achieve the aim by.",
}


def _add_missing_errors(form: forms.Form, data: dict) -> None:
    for name, why in missing_parts(data).items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, f"An active aim needs this. {why}")


class AimForm(forms.ModelForm):
    class Meta:
        model = Aim
        fields = [
            "title",
            "kind",
            "status",
            "lead",
            "aims_group",
            *SMART_FIELDS,
            "outcome_measure",
            "measures",
            "review_interval_days",
        ]
        labels = {
            **SMART_LABELS,
            "aims_group": "Aims group",
            "measures": "Process and balancing measures",
            "review_interval_days": "Review every (days)",
        }
        help_texts = {
            **SMART_HELP,
            "status": "Draft while you build it; an active aim needs every SMART part.",
            "outcome_measure": "The measure that tells you whether the aim is achieved.",
            "measures": "Process measures (are we doing what we planned?) and balancing measures "
            "(are we causing problems elsewhere?).",
        }
        widgets = {**SMART_WIDGETS, "measures": forms.CheckboxSelectMultiple}

    def __init__(
        self, *args, organisation: Organisation, smart: bool = True, template: AimTemplate | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        # A warning, not a refusal: a second aim from a template can be right (another group of
        # children, a local stretch), but usually the existing one wants refreshing instead.
        self.same_template_aims = aims_from_template(organisation, template) if template else []
        self.fields["lead"].queryset = Membership.objects.for_organisation(organisation).select_related("user")
        self.fields["aims_group"].queryset = Team.objects.for_organisation(organisation)
        measures = Measure.objects.for_organisation(organisation).filter(archived=False)
        self.fields["outcome_measure"].queryset = measures.order_by("kind", "title")
        self.fields["measures"].queryset = measures.exclude(kind=Measure.Kind.OUTCOME)
        if not smart:
            for name in SMART_FIELDS:
                del self.fields[name]
        self.smart = smart

    def clean(self) -> dict:
        data = super().clean()
        if self.smart and data.get("status") == Aim.Status.ACTIVE:
            _add_missing_errors(self, data)
        return data


def aims_from_template(organisation: Organisation, template: AimTemplate) -> list[Aim]:
    """The organisation's aims started from this template (or, made before templates were
    recorded, with its title), retired ones left out."""
    return list(
        Aim.objects.for_organisation(organisation)
        .filter(models.Q(template=template.key) | models.Q(template="", title__iexact=template.title))
        .exclude(status=Aim.Status.RETIRED)
        .select_related("organisation")
        .only("code", "title", "status", "organisation__slug")
        .order_by("title")
    )


class AimRefreshForm(forms.ModelForm):
    reason = forms.CharField(
        label="Why are you refreshing the aim?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. the baseline was updated with the 2025 data; the target date passed.",
    )

    class Meta:
        model = Aim
        fields = SMART_FIELDS
        labels = SMART_LABELS
        help_texts = SMART_HELP
        widgets = SMART_WIDGETS

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.status == Aim.Status.ACTIVE:
            _add_missing_errors(self, data)
        return data


class StatementPreviewForm(forms.Form):
    """The builder's live preview: reads whatever parts are valid so far."""

    population = forms.CharField(required=False)
    improvement = forms.CharField(required=False)
    baseline_value = forms.FloatField(required=False)
    baseline_label = forms.CharField(required=False)
    target_value = forms.FloatField(required=False)
    unit = forms.CharField(required=False)
    by_date = forms.DateField(required=False)
    status = forms.CharField(required=False)


class AimFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *Aim.Status.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "National and local"), *Aim.Kind.choices], required=False)
    lead = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Anyone")
    aims_group = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Any group", label="Aims group"
    )
    review_due = forms.BooleanField(required=False, label="Only aims due for review")

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Membership.objects.for_organisation(organisation).select_related("user")
        self.fields["aims_group"].queryset = Team.objects.for_organisation(organisation)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-check-input" if name == "review_due" else "form-select"


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(
        label="Start from a template",
        choices=[("", "A blank aim"), *((template.key, template.title) for template in AIM_TEMPLATES)],
        required=False,
    )


class ProgressScoreForm(forms.Form):
    score = forms.ChoiceField(label="IHI progress score", choices=Aim.PROGRESS_SCORES)


class DriverForm(forms.ModelForm):
    class Meta:
        model = Driver
        fields = ["text"]
        labels = {"text": "Driver"}
        widgets = {"text": forms.TextInput}


class DriverAddForm(forms.Form):
    text = forms.CharField(label="New driver", max_length=300)
    parent = forms.ModelChoiceField(
        queryset=Driver.objects.none(),
        required=False,
        label="Under",
        empty_label="— a primary driver —",
        to_field_name="code",
    )

    def __init__(self, *args, aim: Aim, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Driver.objects.filter(aim=aim, parent__isnull=True).order_by("order", "pk")
