"""The administrator's community messages (F8): the list «Messages à votre communauté
mentorat», «Créer message», the preview as one chosen recipient, and «Envoyer un
message» now or at a date and time."""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.community import selectors as community
from notifications.community import services as community_services
from notifications.community.tags import tag_groups
from notifications.email.render import Wording
from notifications.models import (
    Audience,
    CommunityAttachment,
    CommunityMessage,
    CommunityMessageStatus,
)
from programs import selectors as program_selectors
from programs.errors import DomainError
from programs.models import MemberGroup, User
from web.access import admin_required
from web.widgets import lookup_response, use_member_lookup

PAGE_SIZE = 25


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the service checks them."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CommunityMessageForm(forms.Form):
    audience = forms.ChoiceField(
        label=gettext_lazy("Recipients"),
        choices=Audience.choices,
        initial=Audience.ALL,
        widget=forms.RadioSelect,
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"), queryset=MemberGroup.objects.none(), required=False
    )
    chosen = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People"), queryset=User.objects.none(), required=False
    )
    subject_en = forms.CharField(
        label=gettext_lazy("Subject (English)"), max_length=300, required=False
    )
    body_en = forms.CharField(
        label=gettext_lazy("Message (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "data-rich-text": "en"}),
    )
    subject_fr = forms.CharField(
        label=gettext_lazy("Subject (French)"), max_length=300, required=False
    )
    body_fr = forms.CharField(
        label=gettext_lazy("Message (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "data-rich-text": "fr"}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=gettext_lazy(
            "Up to 5 files of 10 MB at most: PDF, Word, Excel, PowerPoint, PNG, JPEG, GIF, "
            "text or CSV."
        ),
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Remove these attachments"),
        queryset=CommunityAttachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args, organisation_id: int, message: CommunityMessage | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's groups and people can be chosen.
        self.fields["group"].queryset = program_selectors.group_list(
            organisation_id=organisation_id
        )
        self.fields["group"].label_from_instance = lambda group: (
            f"{group.name} ({group.member_count})"
        )
        self.fields["chosen"].queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("last_name", "first_name")
        # A type-ahead picker asking the server: the page never lists every member.
        use_member_lookup(self.fields["chosen"], active_only=True)
        if message is not None and message.pk:
            self.fields["remove_attachments"].queryset = message.attachments.order_by("name")
            self.fields["remove_attachments"].label_from_instance = lambda attachment: (
                f"{attachment.name} ({filesizeformat(attachment.size)})"
            )
        else:
            del self.fields["remove_attachments"]


class CommunitySendForm(forms.Form):
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[("now", gettext_lazy("Now")), ("later", gettext_lazy("At a date and time"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    send_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("In your time zone."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("when") == "later":
            if not data.get("send_at") and "send_at" not in self.errors:
                self.add_error("send_at", _("Choose the date and time to send it."))
        else:
            data["send_at"] = None
        return data


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
def community_messages(request: HttpRequest) -> HttpResponse:
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


def _compose(request: HttpRequest, message: CommunityMessage | None) -> HttpResponse:
    organisation_id = request.user.organisation_id
    if message is not None and message.status not in community_services.EDITABLE:
        messages.error(request, _("This message has been sent: it can no longer be edited."))
        return redirect("web:community_message_preview", message_id=message.pk)
    form = CommunityMessageForm(
        request.POST or None,
        request.FILES or None,
        organisation_id=organisation_id,
        message=message,
        initial=_message_initial(message),
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
            form.add_error(None, error.message)
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
        },
    )


@admin_required
def community_message_new(request: HttpRequest) -> HttpResponse:
    """«Créer message»."""
    return _compose(request, None)


@admin_required
def community_message_edit(request: HttpRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    return _compose(request, message)


@admin_required
@require_GET
def community_recipient_count(request: HttpRequest) -> JsonResponse:
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


def _preview(
    request: HttpRequest, message: CommunityMessage, send_form: CommunitySendForm
) -> HttpResponse:
    recipients = community.community_preview_recipients(message=message)
    recipient_id = request.GET.get("recipient")
    if recipient_id:
        recipient = get_object_or_404(recipients, pk=_int(recipient_id) or 0)
    else:
        recipient = recipients.first()
    return render(
        request,
        "web/community_preview.html",
        {
            "message": message,
            "recipient": recipient,
            "rendered": community.community_email_render(message=message, recipient=recipient)
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
def community_message_preview(request: HttpRequest, message_id: int) -> HttpResponse:
    """The message exactly as one chosen recipient gets it; «Envoyer un message» below."""
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    initial = {"when": "later", "send_at": message.send_at} if message.send_at else {}
    return _preview(request, message, CommunitySendForm(initial=initial))


@admin_required
@require_GET
def community_message_recipient_lookup(request: HttpRequest, message_id: int) -> JsonResponse:
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
def community_message_send(request: HttpRequest, message_id: int) -> HttpResponse:
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
            form.add_error(None, error.message)
        else:
            if send_at is None:
                messages.success(request, _("The message is being sent."))
            else:
                when = formats.date_format(timezone.localtime(send_at), "DATETIME_FORMAT")
                messages.success(
                    request, _("The message will be sent on %(when)s.") % {"when": when}
                )
            return redirect("web:community_messages")
    return _preview(request, message, form)


@admin_required
@require_POST
def community_message_cancel(request: HttpRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    try:
        community_services.community_message_cancel(actor=request.user, message=message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sending cancelled: the message is a draft again."))
    return redirect("web:community_messages")


@admin_required
@require_POST
def community_message_delete(request: HttpRequest, message_id: int) -> HttpResponse:
    message = community.community_message_get(
        organisation_id=request.user.organisation_id, message_id=message_id
    )
    try:
        community_services.community_message_delete(actor=request.user, message=message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Message deleted."))
    return redirect("web:community_messages")
