"""The administrator's community messages (F8): the list «Messages à votre communauté
mentorat», «Créer message», the preview as one chosen recipient, and «Envoyer un
message» now or at a date and time."""

from __future__ import annotations

import functools
import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.community import selectors as community
from notifications.community import services as community_services
from notifications.community.tags import tag_groups
from notifications.email.render import Wording
from notifications.models import (
    Audience,
    CommunityMessage,
    CommunityMessageStatus,
)
from programs import dates, member_selection
from programs import selectors as program_selectors
from programs.errors import DomainError
from programs.models import SelectionAction, User
from web.access import admin_required
from web.forms.community import CommunityMessageForm, CommunitySendForm
from web.frames import email_frame
from web.typing import MemberRequest
from web.widgets import lookup_response

PAGE_SIZE = 25


def _int(value: str | None) -> int | None:
    # Ids come from the query string: anything but a plausible id means "none".
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _message_initial(message: CommunityMessage | None) -> dict:
    if message is None:
        return {}
    return {
        "audience": message.audience,
        "group": message.group_id,
        "chosen": list(message.chosen.values_list("pk", flat=True)),
        "subject_en": message.subject_en,
        "body_en": message.body_en,
        "subject_fr": message.subject_fr,
        "body_fr": message.body_fr,
    }


def _recipient_label(count: int) -> str:
    return ngettext("%(count)d recipient", "%(count)d recipients", count) % {"count": count}


@admin_required
def community_messages(request: MemberRequest) -> HttpResponse:
    """«Messages à votre communauté mentorat»."""
    page = Paginator(
        community.community_message_list(organisation_id=request.user.organisation_id), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    language = get_language()
    rows = [
        {
            "message": message,
            "subject": Wording.of(message).in_language(language)[0],
            "start": community.body_start(message, language),
        }
        for message in page.object_list
    ]
    return render(
        request,
        "web/community_messages.html",
        {"page": page, "rows": rows, "editable": community_services.EDITABLE},
    )


def _selection_initial(request: MemberRequest) -> dict:
    """«Envoyer un message» from the members list's selection (?selection=<id>): its
    people as the «chosen people». Another organisation's selection is not found."""
    selection_id = _int(request.GET.get("selection"))
    if selection_id is None:
        return {}
    try:
        selection = member_selection.selection_get(actor=request.user, selection_id=selection_id)
    except DomainError as error:
        raise Http404 from error
    if selection.action != SelectionAction.MESSAGE:
        raise Http404
    return {"audience": Audience.CHOSEN, "chosen": selection.member_ids}


def _compose(request: MemberRequest, message: CommunityMessage | None) -> HttpResponse:
    organisation_id = request.user.organisation_id
    if message is not None and message.status not in community_services.EDITABLE:
        messages.error(request, _("This message has been sent: it can no longer be edited."))
        return redirect("web:community_message_preview", message_id=message.pk)
    initial = _message_initial(message) if message is not None else _selection_initial(request)
    form = CommunityMessageForm(
        request.POST or None,
        request.FILES or None,
        organisation_id=organisation_id,
        message=message,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = community_services.community_message_save(
                actor=request.user,
                message=message,
                audience=data["audience"],
                group=data["group"],
                chosen_ids=[person.pk for person in data["chosen"]],
                subject_en=data["subject_en"],
                body_en=data["body_en"],
                subject_fr=data["subject_fr"],
                body_fr=data["body_fr"],
                attachments=data["attachments"],
                remove_attachment_ids=[a.pk for a in data.get("remove_attachments") or ()],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Message saved. Check the preview, then send it."))
            return redirect("web:community_message_preview", message_id=message.pk)
    audience = form["audience"].value() or Audience.ALL
    count = community.audience_recipients(
        organisation_id=organisation_id,
        audience=audience,
        group_id=_int(str(form["group"].value() or "")),
        chosen_ids=[pk for pk in map(_int, map(str, form["chosen"].value() or [])) if pk],
    ).count()
    return render(
        request,
        "web/community_form.html",
        {
            "form": form,
            "message": message,
            "tag_groups": tag_groups(),
            "recipient_label": _recipient_label(count),
            "editor_strings": {"image_prompt": _("Address (URL) of the image on the web:")},
            "editor_labels": json.dumps(editor_labels(), ensure_ascii=False),
        },
    )


def editor_labels() -> dict[str, str]:
    """The words of Quill's toolbar and link tooltip in the page's language, keyed as
    web/static/tandem/community_form.js finds them (Quill ships them in English only):
    a button's own aria-label ("bold", "list: ordered"), a picker's format ("size"), an
    item as "format: value" ("size: small"; "size: " is the default)."""
    return {
        "font": _("Font"),
        "font: ": _("Sans serif"),
        "font: serif": _("Serif"),
        "font: monospace": _("Monospace"),
        "size": _("Text size"),
        "size: small": pgettext("text size", "Small"),
        "size: ": pgettext("text size", "Normal"),
        "size: large": pgettext("text size", "Large"),
        "size: x-large": pgettext("text size", "Very large"),
        "bold": _("Bold"),
        "italic": _("Italic"),
        "underline": _("Underline"),
        "strike": _("Strikethrough"),
        "color": _("Text colour"),
        "background": _("Highlight colour"),
        "list: ordered": _("Numbered list"),
        "list: bullet": _("Bulleted list"),
        "align": _("Alignment"),
        "align: ": _("Align left"),
        "align: center": _("Centre"),
        "align: right": _("Align right"),
        "align: justify": _("Justify"),
        "link": _("Link"),
        "image": _("Image"),
        "clean": _("Clear formatting"),
        "tooltip: visit": _("Visit URL:"),
        "tooltip: enter": _("Enter link:"),
        "tooltip: edit": _("Edit"),
        "tooltip: save": _("Save"),
        "tooltip: remove": _("Remove"),
    }


@admin_required
def community_message_new(request: MemberRequest) -> HttpResponse:
    """«Créer message»."""
    return _compose(request, None)


@admin_required
def community_message_edit(request: MemberRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    return _compose(request, message)


@admin_required
@require_GET
def community_recipient_count(request: MemberRequest) -> JsonResponse:
    """How many people the audience being composed reaches, for the compose page."""
    audience = request.GET.get("audience", "")
    if audience not in Audience.values:
        return JsonResponse({"error": _("Choose who receives the message.")}, status=400)
    count = community.audience_recipients(
        organisation_id=request.user.organisation_id,
        audience=audience,
        group_id=_int(request.GET.get("group")),
        chosen_ids=[pk for pk in map(_int, request.GET.getlist("chosen")) if pk],
    ).count()
    return JsonResponse({"count": count, "label": _recipient_label(count)})


def _preview_recipient(request: MemberRequest, message: CommunityMessage) -> User | None:
    """?recipient= among the message's recipients (404 for anyone else), or the first."""
    recipients = community.community_preview_recipients(message=message)
    recipient_id = request.GET.get("recipient")
    if recipient_id:
        return get_object_or_404(recipients, pk=_int(recipient_id) or 0)
    return recipients.first()


def _preview(
    request: MemberRequest, message: CommunityMessage, send_form: CommunitySendForm
) -> HttpResponse:
    recipient = _preview_recipient(request, message)
    return render(
        request,
        "web/community_preview.html",
        {
            "message": message,
            "recipient": recipient,
            "subject": community.community_email_render(
                message=message, recipient=recipient
            ).subject
            if recipient
            else None,
            "attachments": message.attachments.order_by("name"),
            "send_form": send_form,
            "editable": message.status in community_services.EDITABLE,
            "queued": message.status == CommunityMessageStatus.QUEUED,
            "sent": message.status == CommunityMessageStatus.SENT,
        },
    )


@admin_required
@require_GET
def community_message_preview(request: MemberRequest, message_id: int) -> HttpResponse:
    """The message exactly as one chosen recipient gets it; «Envoyer un message» below."""
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    initial = {"when": "later", "send_at": message.send_at} if message.send_at else {}
    return _preview(request, message, CommunitySendForm(initial=initial))


@admin_required
@require_GET
@email_frame
def community_message_preview_frame(request: MemberRequest, message_id: int) -> HttpResponse:
    """The email as ?recipient= gets it, for the preview's sandboxed frame."""
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    recipient = _preview_recipient(request, message)
    if recipient is None:
        raise Http404
    return HttpResponse(community.community_email_render(message=message, recipient=recipient).html)


@admin_required
@require_GET
def community_message_recipient_lookup(request: MemberRequest, message_id: int) -> JsonResponse:
    """The preview's «Voir comme» type-ahead: this message's recipients matching `q`."""
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    return lookup_response(
        request,
        functools.partial(
            program_selectors.member_lookup,
            organisation_id=request.user.organisation_id,
            among=community.community_preview_recipients(message=message),
        ),
    )


@admin_required
@require_POST
def community_message_send(request: MemberRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    form = CommunitySendForm(request.POST)
    if form.is_valid():
        send_at = form.cleaned_data["send_at"]
        try:
            community_services.community_message_send(
                actor=request.user, message=message, send_at=send_at
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if send_at is None:
                messages.success(request, _("The message is being sent."))
            else:
                when = dates.date_label(timezone.localtime(send_at), "DATETIME_FORMAT")
                messages.success(
                    request, _("The message will be sent on %(when)s.") % {"when": when}
                )
            return redirect("web:community_messages")
    return _preview(request, message, form)


@admin_required
@require_POST
def community_message_cancel(request: MemberRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    try:
        community_services.community_message_cancel(actor=request.user, message=message)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Sending cancelled: the message is a draft again."))
    return redirect("web:community_messages")


@admin_required
@require_POST
def community_message_delete(request: MemberRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    try:
        community_services.community_message_delete(actor=request.user, message=message)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Message deleted."))
    return redirect("web:community_messages")
