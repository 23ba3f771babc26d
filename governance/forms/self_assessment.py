"""Forms for self-assessments: starting one, and answering a section (one small form per
question). They turn input into domain values; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from governance.models import Action, Rating, SelfAssessment, SelfAssessmentAnswer
from governance.services.self_assessment import AnswerInput
from pace_hub.models import Membership, Organisation, Team


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, member: Membership) -> str:
        return member.display_name


class SelfAssessmentStartForm(forms.Form):
    taken_on = forms.DateField(label="Date taken", widget=DateInput())
    team = forms.ModelChoiceField(
        label="Taken by", queryset=Team.objects.none(), required=False, help_text="Usually the leads group."
    )
    start_from = forms.ModelChoiceField(
        label="Start from",
        queryset=SelfAssessment.objects.none(),
        required=False,
        empty_label="A blank assessment",
        help_text="Start with an earlier assessment's ratings, evidence and links, then change what has moved.",
    )
    repeat_months = forms.IntegerField(
        label="Repeat after (months)", min_value=1, max_value=24, initial=6, help_text="Six months by default."
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.for_organisation(organisation).order_by("kind", "name")
        self.fields["team"].queryset = teams
        self.fields["start_from"].queryset = SelfAssessment.objects.for_organisation(organisation).order_by("-taken_on")
        latest = self.fields["start_from"].queryset.first()
        self.fields["taken_on"].initial = timezone.localdate()
        if latest is not None:
            self.fields["start_from"].initial = latest.pk
            self.fields["repeat_months"].initial = latest.repeat_months
        leads = teams.filter(kind=Team.Kind.LEADS).first()
        if leads is not None:
            self.fields["team"].initial = leads.pk


class AnswerForm(forms.Form):
    """One question of a section; its prefix is the question's key, so every field is unique."""

    rating = forms.ChoiceField(
        label="Rating",
        choices=[("", "Not rated yet"), *Rating.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "%(value)s is not on the scale: choose not started, started, in place or embedded."
        },
    )
    evidence = forms.CharField(label="Evidence", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    links = forms.CharField(
        label="Links to evidence in PACE Hub",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Paste the address of an aim, a PDSA cycle, a meeting, a report… one a line.",
    )
    action_description = forms.CharField(label="Action", required=False, max_length=500)
    action_owner = MemberChoice(label="Action owner", queryset=Membership.objects.none(), required=False)
    action_due_on = forms.DateField(label="Action due", required=False, widget=DateInput())

    def __init__(self, *args, answer: SelfAssessmentAnswer, organisation: Organisation, **kwargs) -> None:
        self.answer = answer
        action = answer.action if answer.action_id and answer.action.status == Action.Status.OPEN else None
        kwargs.setdefault(
            "initial",
            {
                "rating": answer.rating,
                "evidence": answer.evidence,
                "links": "\n".join(link.path for link in answer.links.all()),
                "action_description": action.description if action else "",
                "action_owner": action.owner_id if action else None,
                "action_due_on": action.due_on if action else None,
            },
        )
        super().__init__(*args, prefix=answer.question.key, **kwargs)
        self.fields["action_owner"].queryset = Membership.objects.for_organisation(organisation).select_related("user")
        self.fields["action_owner"].error_messages["invalid_choice"] = (
            f"Choose a member of {organisation}: nobody else can own the action."
        )
        self.closed_action = answer.action if answer.action_id and action is None else None
        for name, field in self.fields.items():
            if name == "rating":
                field.widget.attrs["class"] = "form-check-input"
                continue
            field.widget.attrs["class"] = "form-select" if name == "action_owner" else "form-control"
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self.prefix}-{name}-help"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action_description", "").strip():
            if not data.get("action_owner"):
                self.add_error("action_owner", "An action needs an owner.")
            if not data.get("action_due_on"):
                self.add_error("action_due_on", "An action needs a due date.")
            elif data["action_due_on"] < timezone.localdate():
                self.add_error("action_due_on", "The due date cannot be in the past.")
        return data

    def to_input(self) -> AnswerInput:
        data = self.cleaned_data
        return AnswerInput(
            question_key=self.answer.question.key,
            rating=data.get("rating", ""),
            evidence=data.get("evidence", ""),
            links=data.get("links", ""),
            action_description=data.get("action_description", ""),
            action_owner=data.get("action_owner"),
            action_due_on=data.get("action_due_on"),
        )


def add_section_errors(forms_by_key: dict[str, AnswerForm], error_dict: dict[str, list]) -> None:
    """Put a section service's errors ("<question key>:<field>") on the right question's field."""
    for name, errors in error_dict.items():
        key, _, field = name.partition(":")
        form = forms_by_key.get(key)
        if form is None:
            continue
        for message in errors:
            form.add_error(field if field in form.fields else None, message)
