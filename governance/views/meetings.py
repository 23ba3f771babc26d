"""Meeting pages: the list, planning a meeting, its agenda from live data, minutes, Study and Act
done together, actions, attendance, marking it held, finalising the agenda, and the printable
agenda and minutes (page and PDF). Thin: access → form → one service → redirect.

Saves from the meeting page work with htmx (the item's section is swapped in place) and without
JavaScript (a normal POST that redirects back to the item)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from governance.forms.meetings import (
    ActionEditForm,
    ActionForm,
    ActionStatusForm,
    AttendanceForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    members_of,
)
from governance.models import Action, AgendaItem, Meeting
from governance.selectors.meetings import (
    AgendaContent,
    AgendaEntry,
    agenda_content,
    last_meeting_start,
    meetings_overview,
    suggested_start,
)
from governance.services import actions as action_services
from governance.services import agenda as agenda_services
from governance.services import meetings as meeting_services
from pace_hub.form_errors import add_service_errors
from pace_hub.models import Team
from pace_hub.pdf import render_pdf
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.forms.testing import CycleActForm, CycleStudyForm
from pdsa.services import testing as testing_services


def _meeting(request: HttpRequest, code) -> Meeting:
    return get_for_org(request, Meeting.objects.select_related("team", "chair__user", "organisation"), code=code)


def _item(request: HttpRequest, code) -> AgendaItem:
    return get_for_org(
        request,
        AgendaItem.objects.select_related("meeting__team", "meeting__organisation", "aim", "cycle__change_idea"),
        code=code,
    )


def _action(request: HttpRequest, code) -> Action:
    return get_for_org(
        request,
        Action.objects.select_related("meeting__team", "meeting__organisation", "owner__user", "item"),
        code=code,
    )


def _item_url(item: AgendaItem) -> str:
    return f"{item.meeting.get_absolute_url()}#item-{item.code}"


# ---- The list and planning a meeting --------------------------------------------------------


@org_view()
def meetings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/meetings/list.html",
        {
            "overview": meetings_overview(request.org),
            "can_lead": request.membership.can(Permission.LEAD),
            "today": timezone.localdate(),
        },
    )


@org_view(Permission.LEAD)
def meeting_create(request: HttpRequest, team) -> HttpResponse:
    team = get_for_org(request, Team.objects.select_related("chair__user"), code=team)
    suggested = suggested_start(team, last_meeting_start(team), now=timezone.now())
    initial = {
        "starts_at": timezone.localtime(suggested).replace(tzinfo=None),
        "chair": team.chair_id,
        "attendees": list(team.members.values_list("pk", flat=True)),
    }
    form = MeetingForm(request.POST or None, organisation=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_services.meeting_create(
                team=team, attendees=list(form.cleaned_data["attendees"]), **form.service_values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = " Its agenda is filled in from live data." if team.kind in {Team.Kind.LEADS, Team.Kind.AIMS} else ""
            messages.success(request, f"Meeting planned for {timezone.localtime(meeting.starts_at):%d %B %Y}.{note}")
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "governance/meetings/meeting_form.html",
        {
            "form": form,
            "team": team,
            "title": f"Plan a meeting of {team.name}",
            "intro": f"{team.get_kind_display()}, meets {team.get_meeting_frequency_display().lower()}. "
            f"Suggested from its last meeting: {timezone.localtime(suggested):%A %d %B %Y at %H:%M}.",
            "submit": "Plan the meeting",
        },
    )


@org_view(Permission.LEAD)
def meeting_edit(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    form = MeetingForm(
        request.POST or None,
        organisation=request.org,
        with_attendees=False,
        initial=MeetingForm.initial_for(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.meeting_update(meeting=meeting, **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting details saved.")
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "governance/meetings/meeting_form.html",
        {
            "form": form,
            "team": meeting.team,
            "meeting": meeting,
            "title": f"Edit the meeting of {meeting.team.name}",
            "submit": "Save the details",
        },
    )


# ---- The meeting page --------------------------------------------------------------------------


@dataclass
class ItemForms:
    """The forms of one agenda item on the meeting page (those the person may use)."""

    minutes: Form | None = None
    action: Form | None = None
    study: Form | None = None
    act: Form | None = None


def _prefix(kind: str, item: AgendaItem) -> str:
    return f"{kind}-{item.pk}"


def _item_forms(
    request: HttpRequest, entry: AgendaEntry, bound: dict, owner_choices: list | None, can_edit: bool
) -> ItemForms:
    item = entry.item
    if not can_edit:
        return ItemForms()
    forms = ItemForms(
        minutes=bound.get(("minutes", item.pk))
        or MinutesForm(prefix=_prefix("minutes", item), initial={"minutes": item.minutes, "decisions": item.decisions}),
        action=bound.get(("action", item.pk))
        or ActionForm(prefix=_prefix("action", item), organisation=request.org, owner_choices=owner_choices),
    )
    if entry.cycle is not None:
        cycle = entry.cycle
        forms.study = bound.get(("study", item.pk)) or CycleStudyForm(
            prefix=_prefix("study", item),
            predictions=list(cycle.predictions.all()),
            initial={"learning": cycle.learning},
        )
        forms.act = bound.get(("act", item.pk)) or CycleActForm(prefix=_prefix("act", item), instance=cycle)
    return forms


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    status: int = 200,
    bound: dict | None = None,
    saved: tuple[str, int] | None = None,
    notice: str = "",
) -> HttpResponse:
    bound = bound or {}
    can_edit = request.membership.can(Permission.EDIT)
    can_lead = request.membership.can(Permission.LEAD)
    content: AgendaContent = agenda_content(
        meeting, hide_small_counts=not request.membership.can(Permission.CHILD_DATA)
    )
    owner_choices = None
    if can_edit:
        owner_choices = [("", "Choose…")] + [(m.pk, m.display_name) for m in members_of(request.org)]
    for entry in content.entries:
        entry.forms = _item_forms(request, entry, bound, owner_choices, can_edit)
        entry.saved = saved[0] if saved and saved[1] == entry.item.pk else ""
    context = {
        "meeting": meeting,
        "content": content,
        "window": content.window,
        "can_edit": can_edit,
        "can_lead": can_lead,
        "notice": notice,
        "today": timezone.localdate(),
        "started": meeting.starts_at <= timezone.now(),
    }
    if can_lead:
        context["attendance_form"] = bound.get("attendance") or AttendanceForm(
            attendance=content.attendance, organisation=request.org
        )
        context["item_form"] = bound.get("item") or ItemForm(prefix="new-item")
    # htmx swaps only successful responses; a section with errors must still replace the old one.
    if request.htmx and status == 400:
        status = 200
    return render(request, "governance/meetings/meeting_detail.html", context, status=status)


@org_view()
def meeting_detail(request: HttpRequest, meeting) -> HttpResponse:
    return _meeting_page(request, _meeting(request, meeting))


def _saved(request: HttpRequest, item: AgendaItem, kind: str, message: str) -> HttpResponse:
    if request.htmx:
        return _meeting_page(request, _meeting(request, item.meeting.code), saved=(kind, item.pk))
    messages.success(request, message)
    return redirect(_item_url(item))


# ---- Attendance, held, finalised -----------------------------------------------------------------


def _attendance_form(request: HttpRequest, meeting: Meeting) -> AttendanceForm:
    attendance = list(meeting.attendances.select_related("member__user"))
    return AttendanceForm(request.POST, attendance=attendance, organisation=request.org)


@org_view(Permission.LEAD)
@require_POST
def meeting_attendance(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    form = _attendance_form(request, meeting)
    if form.is_valid():
        try:
            meeting_services.attendance_record(meeting=meeting, statuses=form.statuses())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Attendance saved.")
            return redirect(f"{meeting.get_absolute_url()}#attendance")
    return _meeting_page(request, meeting, status=400, bound={"attendance": form})


@org_view(Permission.LEAD)
@require_POST
def meeting_hold(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    form = _attendance_form(request, meeting)
    if form.is_valid():
        try:
            meeting_services.meeting_mark_held(meeting=meeting, statuses=form.statuses())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The meeting is marked held. Its open actions will be on the next agenda.")
            return redirect(meeting.get_absolute_url())
    return _meeting_page(request, meeting, status=400, bound={"attendance": form})


@org_view(Permission.LEAD)
@require_POST
def meeting_finalise(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    try:
        meeting_services.meeting_finalise_agenda(meeting=meeting, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Agenda finalised. The data pack is being built; its link appears here when ready.")
    return redirect(meeting.get_absolute_url())


@org_view(Permission.LEAD)
@require_POST
def agenda_refresh(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    added = agenda_services.agenda_refresh(meeting=meeting)
    if added:
        messages.success(request, f"Added from live data: {'; '.join(item.title for item in added)}.")
    else:
        messages.info(request, "The agenda already has every active aim and every cycle that reached Study or Act.")
    return redirect(f"{meeting.get_absolute_url()}#agenda")


# ---- Agenda items ------------------------------------------------------------------------------


@org_view(Permission.LEAD)
def item_create(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    if request.method != "POST":
        return redirect(f"{meeting.get_absolute_url()}#add-item")
    form = ItemForm(request.POST, prefix="new-item")
    if form.is_valid():
        try:
            item = agenda_services.item_create(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Item added: {item.title}.")
            return redirect(_item_url(item))
    return _meeting_page(request, meeting, status=400, bound={"item": form})


@org_view(Permission.LEAD)
def item_edit(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    form = ItemForm(request.POST or None, instance=item if request.method != "POST" else AgendaItem(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        try:
            agenda_services.item_update(item=item, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Item saved.")
            return redirect(_item_url(item))
    return render(
        request,
        "governance/meetings/item_form.html",
        {"form": form, "item": item, "meeting": item.meeting, "title": f"Edit agenda item: {item.title}"},
    )


@org_view(Permission.LEAD)
@require_POST
def item_delete(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    try:
        agenda_services.item_delete(item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_item_url(item))
    messages.success(request, f"Item removed: {item.title}.")
    return redirect(f"{item.meeting.get_absolute_url()}#agenda")


@org_view(Permission.LEAD)
@require_POST
def item_move(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    direction = request.POST.get("direction", "")
    try:
        agenda_services.item_move(item=item, direction=direction)
    except ValidationError as error:
        notice, level = " ".join(error.messages), messages.ERROR
    else:
        notice, level = f"Moved {direction}: {item.title} (now item {item.position}).", messages.SUCCESS
    if request.htmx:
        # The list is swapped in place; htmx keeps the focus on the same button (same id), so
        # pressing it again moves the item again.
        return _meeting_page(request, _meeting(request, item.meeting.code), notice=notice)
    messages.add_message(request, level, notice)
    return redirect(f"{item.meeting.get_absolute_url()}#item-{item.code}")


@org_view(Permission.EDIT)
def item_minutes(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    if request.method != "POST":
        return redirect(_item_url(item))
    form = MinutesForm(request.POST, prefix=_prefix("minutes", item))
    if form.is_valid():
        agenda_services.item_minutes_save(item=item, **form.cleaned_data)
        return _saved(request, item, "minutes", f"Minutes saved: {item.title}.")
    return _meeting_page(request, item.meeting, status=400, bound={("minutes", item.pk): form})


@org_view(Permission.EDIT)
def item_study(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    if request.method != "POST" or item.cycle is None:
        return redirect(_item_url(item))
    cycle = item.cycle
    form = CycleStudyForm(request.POST, prefix=_prefix("study", item), predictions=list(cycle.predictions.all()))
    if form.is_valid():
        testing_services.cycle_study_update(cycle=cycle, learning=form.cleaned_data["learning"], results=form.results())
        return _saved(request, item, "study", f"Study saved for {cycle}. Status: {cycle.get_status_display()}.")
    return _meeting_page(request, item.meeting, status=400, bound={("study", item.pk): form})


@org_view(Permission.EDIT)
def item_act(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    if request.method != "POST" or item.cycle is None:
        return redirect(_item_url(item))
    cycle = item.cycle
    form = CycleActForm(request.POST, prefix=_prefix("act", item), instance=type(cycle)(pk=cycle.pk))
    if form.is_valid():
        try:
            testing_services.cycle_act_update(
                cycle=cycle, decision=form.cleaned_data["decision"], next_steps=form.cleaned_data["next_steps"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, item, "act", f"Act saved for {cycle}. Status: {cycle.get_status_display()}.")
    return _meeting_page(request, item.meeting, status=400, bound={("act", item.pk): form})


# ---- Actions -----------------------------------------------------------------------------------


@org_view(Permission.EDIT)
def action_create(request: HttpRequest, item) -> HttpResponse:
    item = _item(request, item)
    if request.method != "POST":
        return redirect(_item_url(item))
    form = ActionForm(request.POST, prefix=_prefix("action", item), organisation=request.org)
    if form.is_valid():
        try:
            action = action_services.action_create(
                meeting=item.meeting, item=item, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, item, "action", f"Action added for {action.owner}: {action.description}.")
    return _meeting_page(request, item.meeting, status=400, bound={("action", item.pk): form})


@org_view(Permission.EDIT)
def action_edit(request: HttpRequest, action) -> HttpResponse:
    action = _action(request, action)
    if action.meeting is None:
        messages.info(request, "This action was not raised at a meeting.")
        return redirect("org_home", request.org.slug)
    form = ActionEditForm(request.POST or None, meeting=action.meeting, initial=ActionEditForm.initial_for(action))
    if request.method == "POST" and form.is_valid():
        try:
            action_services.action_update(action=action, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action saved: {action.description}.")
            return redirect(
                _item_url(action.item) if action.item else f"{action.meeting.get_absolute_url()}#other-actions"
            )
    return render(
        request,
        "governance/meetings/action_form.html",
        {"form": form, "action": action, "meeting": action.meeting, "title": "Edit the action"},
    )


@org_view(Permission.EDIT)
@require_POST
def action_status(request: HttpRequest, action) -> HttpResponse:
    action = _action(request, action)
    form = ActionStatusForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = action.meeting.get_absolute_url() if action.meeting else request.org.get_absolute_url()
    if not form.is_valid():
        messages.error(request, "Choose open, done or dropped.")
        return redirect(back)
    try:
        action_services.action_set_status(action=action, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Action {action.get_status_display().lower()}: {action.description}.")
    return redirect(back)


# ---- Printable agenda and minutes --------------------------------------------------------------


def _document_context(request: HttpRequest, meeting: Meeting) -> dict:
    return {
        "meeting": meeting,
        "content": agenda_content(meeting, hide_small_counts=not request.membership.can(Permission.CHILD_DATA)),
        "printed_at": timezone.now(),
        "today": timezone.localdate(),
    }


@org_view()
def meeting_print(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    return render(request, "governance/meetings/print.html", _document_context(request, meeting))


@org_view()
def meeting_pdf(request: HttpRequest, meeting) -> HttpResponse:
    meeting = _meeting(request, meeting)
    html = render_to_string(
        "governance/meetings/document.html",
        {**_document_context(request, meeting), "org": request.org},
        request=request,
    )
    # A few pages of text: rendered in the request, fetching nothing over the network.
    pdf = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'inline; filename="meeting-{day}-{meeting.code}.pdf"'
    return response
