"""Forms for the communications log, the newsletter and the weekly digest preference. They turn
input into domain values; the services check the rules."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from governance.models import Communication, Newsletter, NewsletterSection
from governance.services.newsletter import SectionInput
from pace_hub.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CommunicationForm(forms.Form):
    date = forms.DateField(widget=DateInput())
    channel = forms.ChoiceField(choices=[("", "Choose a channel"), *Communication.Channel.choices])
    audience = forms.CharField(max_length=300, help_text="Who it reached, e.g. locality team managers.")
    summary = forms.CharField(label="What was shared", widget=forms.Textarea(attrs={"rows": 3}))
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Addresses of what was shared (https://… or a PACE Hub page), one a line.",
    )
    newsletter = forms.ModelChoiceField(queryset=Newsletter.objects.none(), required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["newsletter"].queryset = Newsletter.objects.for_organisation(organisation)
        self.fields["date"].initial = timezone.localdate()


class NewsletterDraftForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Left blank, it is named for the month.")
    period_start = forms.DateField(label="Learning from", widget=DateInput())
    period_end = forms.DateField(label="Learning to", widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_end"].initial = today
        self.fields["period_start"].initial = today - datetime.timedelta(days=91)


class NewsletterForm(forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NewsletterSectionForm(forms.Form):
    heading = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text='Blank lines separate paragraphs; lines starting "- " are list items.',
    )
    delete = forms.BooleanField(label="Remove this section", required=False)

    def __init__(self, *args, section: NewsletterSection | None = None, **kwargs) -> None:
        self.section = section
        if section is not None:
            kwargs.setdefault("initial", {"heading": section.heading, "body": section.body})
        super().__init__(*args, **kwargs)
        if section is None:
            self.fields["heading"].label = "Heading of a new section"
            del self.fields["delete"]

    def to_input(self) -> SectionInput:
        data = self.cleaned_data
        return SectionInput(self.section, data.get("heading", ""), data.get("body", ""), data.get("delete", False))


class NewsletterIssueForm(forms.Form):
    issued_on = forms.DateField(label="Issued on", widget=DateInput())
    audience = forms.CharField(
        max_length=300, help_text="Who it went to, e.g. all children and families social work staff."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()


class DigestPreferenceForm(forms.Form):
    digests_enabled = forms.BooleanField(
        label="Send me the weekly digest of what is mine",
        required=False,
        help_text="Actions due, cycles waiting for Study or Act, aims to review, uploads and reports due.",
    )
