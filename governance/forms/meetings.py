"""Forms for meetings, their agenda items, minutes and actions. They turn input into domain
values; crispy renders; the services check the rules."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from aims.models import Aim
from governance.models import Action, AgendaItem, Attendance, Meeting
from pace_hub.models import Membership, Organisation
from pdsa.models import ChangeIdea, PDSACycle


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def members_of(organisation: Organisation):
    return Membership.objects.for_organisation(organisation).select_related("user")


class MemberChoiceField(forms.ModelChoiceField):
    """An organisation's member; anyone else is refused with a message that says so."""

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid_choice": f"Choose a member of {organisation}: nobody else can be named here."}
        )
        super().__init__(members_of(organisation), *args, **kwargs)

    def label_from_instance(self, member: Membership) -> str:
        return member.display_name


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid_choice": f"Choose members of {organisation}: nobody else can be named here."}
        )
        super().__init__(members_of(organisation), *args, **kwargs)

    def label_from_instance(self, member: Membership) -> str:
        return f"{member.display_name}{f' ({member.job_title})' if member.job_title else ''}"


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label="Date and time", widget=DateTimeInput())
    ends_time = forms.TimeField(
        label="Ends at", required=False, widget=TimeInput(), help_text="Optional: the time it finishes, the same day."
    )
    place = forms.CharField(
        label="Place", max_length=200, required=False, help_text="Room and building, if it meets in person."
    )
    online_link = forms.URLField(label="Online link", required=False, help_text="For example a Teams link.")

    def __init__(self, *args, organisation: Organisation, with_attendees: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"] = MemberChoiceField(organisation=organisation, required=False, empty_label="No chair yet")
        if with_attendees:
            self.fields["attendees"] = MemberMultipleChoiceField(
                organisation=organisation,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Invite",
                help_text="The group's members are ticked; add anyone else who should come.",
            )

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        starts = timezone.localtime(meeting.starts_at)
        return {
            "starts_at": starts.replace(tzinfo=None),
            "ends_time": timezone.localtime(meeting.ends_at).time() if meeting.ends_at else None,
            "place": meeting.place,
            "online_link": meeting.online_link,
            "chair": meeting.chair_id,
        }

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_time")
        data["ends_at"] = None
        if starts and ends:
            local = timezone.localtime(starts)
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(local.date(), ends))
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data["place"],
            "online_link": data["online_link"],
            "chair": data.get("chair"),
        }


class AttendanceForm(forms.Form):
    """One choice per invited person, and anyone else who came."""

    def __init__(self, *args, attendance: list[Attendance], organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attendance = attendance
        for record in attendance:
            self.fields[f"status_{record.pk}"] = forms.ChoiceField(
                label=record.member.display_name,
                choices=Attendance.Status.choices,
                initial=record.status,
                widget=forms.RadioSelect,
            )
        invited = [record.member_id for record in attendance]
        self.fields["also_attended"] = MemberMultipleChoiceField(
            organisation=organisation,
            required=False,
            label="Also attended",
            help_text="People who came without being invited.",
        )
        self.fields["also_attended"].queryset = members_of(organisation).exclude(pk__in=invited)

    def rows(self) -> list[tuple[Attendance, forms.BoundField]]:
        return [(record, self[f"status_{record.pk}"]) for record in self.attendance]

    def statuses(self) -> dict[Membership, str]:
        statuses = {record.member: self.cleaned_data[f"status_{record.pk}"] for record in self.attendance}
        for person in self.cleaned_data.get("also_attended") or []:
            statuses[person] = Attendance.Status.ATTENDED
        return statuses


class ItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"title": "Title", "description": "What the group will look at or decide"}
        help_texts = {"description": ""}


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="Minutes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label="Decisions", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    """A new action, raised on an agenda item: what, who, by when."""

    description = forms.CharField(label="Action", max_length=500)
    due_on = forms.DateField(label="Due date", widget=DateInput())

    def __init__(self, *args, organisation: Organisation, owner_choices: list | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(organisation=organisation, label="Owner", empty_label="Choose…")
        if owner_choices is not None:
            # The page renders a form per item: the list of people is read once, not per form.
            self.fields["owner"].choices = owner_choices
        self.order_fields(["description", "owner", "due_on"])


class ActionEditForm(forms.Form):
    description = forms.CharField(label="Action", max_length=500)
    due_on = forms.DateField(label="Due date", widget=DateInput())
    status = forms.ChoiceField(label="Status", choices=Action.Status.choices, widget=forms.RadioSelect)
    closed_note = forms.CharField(
        label="Note on closing", max_length=500, required=False, help_text="What was done, or why it was dropped."
    )

    def __init__(self, *args, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        org = meeting.organisation
        self.fields["owner"] = MemberChoiceField(organisation=org, label="Owner", empty_label="Choose…")
        self.fields["item"] = forms.ModelChoiceField(
            AgendaItem.objects.filter(meeting=meeting).order_by("position"),
            required=False,
            label="Agenda item",
            empty_label="No particular item",
        )
        self.fields["aim"] = forms.ModelChoiceField(
            Aim.objects.for_organisation(org).order_by("title"), required=False, label="Aim", empty_label="None"
        )
        self.fields["change_idea"] = forms.ModelChoiceField(
            ChangeIdea.objects.for_organisation(org).order_by("title"),
            required=False,
            label="Change idea",
            empty_label="None",
        )
        self.fields["cycle"] = forms.ModelChoiceField(
            PDSACycle.objects.for_organisation(org)
            .select_related("change_idea")
            .order_by("change_idea__title", "number"),
            required=False,
            label="PDSA cycle",
            empty_label="None",
        )
        self.order_fields(
            ["description", "owner", "due_on", "status", "closed_note", "item", "aim", "change_idea", "cycle"]
        )

    @staticmethod
    def initial_for(action: Action) -> dict:
        return {
            "description": action.description,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "status": action.status,
            "closed_note": action.closed_note,
            "item": action.item_id,
            "aim": action.aim_id,
            "change_idea": action.change_idea_id,
            "cycle": action.cycle_id,
        }


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices)
    note = forms.CharField(max_length=500, required=False)
