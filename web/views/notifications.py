"""The bell's page, release notes for administrators, and the staff's release-note desk."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.bell import selectors as bell
from notifications.bell import services as bell_services
from notifications.release_notes import markup
from notifications.release_notes import selectors as release_notes
from notifications.release_notes import services as release_note_services
from programs.errors import DomainError
from web.access import member_required, staff_required
from web.forms.release_notes import ReleaseNoteForm
from web.typing import AuthedRequest, MemberRequest


@member_required
def notification_list(request: MemberRequest) -> HttpResponse:
    page = Paginator(bell.notification_list(user_id=request.user.pk), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "web/notifications.html", {"page": page})


@member_required
def notification_open(request: MemberRequest, notification_id: int) -> HttpResponse:
    notification = bell.notification_get(user_id=request.user.pk, notification_id=notification_id)
    target = bell_services.notification_open(notification=notification)
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "web:notifications"
    return redirect(target)


@member_required
@require_POST
def notification_delete(request: MemberRequest, notification_id: int) -> HttpResponse:
    notification = bell.notification_get(user_id=request.user.pk, notification_id=notification_id)
    bell_services.notification_delete(notification=notification)
    messages.success(request, _("Notification deleted."))
    return redirect("web:notifications")


@member_required
@require_POST
def notifications_mark_all_read(request: MemberRequest) -> HttpResponse:
    bell_services.notifications_mark_all_read(user=request.user)
    return redirect("web:notifications")


def _release_note_reader(request: HttpRequest) -> None:
    # Administrators and support staff read release notes; mentors and mentees never do.
    user = request.user
    if not (user.is_authenticated and (user.is_org_admin or user.is_staff)):
        raise Http404


def release_note_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    _release_note_reader(request)
    notes = Paginator(release_notes.release_notes_published(), 10).get_page(request.GET.get("page"))
    return render(request, "web/release_notes.html", {"page": notes})


def release_note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/login/?next={request.path}")
    _release_note_reader(request)
    note = release_notes.release_note_published_get(note_id=note_id)
    return render(request, "web/release_note.html", {"note": note})


@staff_required
def staff_release_notes(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "web/staff_release_notes.html", {"notes": release_notes.release_notes_all()}
    )


@staff_required
def staff_release_note_edit(request: AuthedRequest, note_id: int | None = None) -> HttpResponse:
    note = release_notes.release_note_get(note_id=note_id) if note_id else None
    initial = (
        {
            "date": note.date,
            "title_en": note.title_en,
            "title_fr": note.title_fr,
            "body_en": note.body_en,
            "body_fr": note.body_fr,
        }
        if note
        else {}
    )
    form = ReleaseNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note = release_note_services.release_note_save(
                actor=request.user, note=note, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Release note saved. Check the preview, then publish."))
            return redirect("web:staff_release_note_preview", note_id=note.pk)
    return render(request, "web/staff_release_note_form.html", {"form": form, "note": note})


@staff_required
def staff_release_note_preview(request: AuthedRequest, note_id: int) -> HttpResponse:
    note = release_notes.release_note_get(note_id=note_id)
    english_title, french_title = release_note_services.notification_titles(note)
    return render(
        request,
        "web/staff_release_note_preview.html",
        {
            "note": note,
            "body_en": markup.render(note.body_en),
            "body_fr": markup.render(note.body_fr) if note.body_fr else "",
            "notification_en": english_title,
            "notification_fr": french_title,
        },
    )


@staff_required
@require_POST
def staff_release_note_publish(request: AuthedRequest, note_id: int) -> HttpResponse:
    note = release_notes.release_note_get(note_id=note_id)
    try:
        release_note_services.release_note_publish(actor=request.user, note=note)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Published. Every administrator is being notified."))
    return redirect("web:staff_release_notes")
