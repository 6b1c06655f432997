"""Composing and sending a community message (F8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Audience, CommunityAttachment, CommunityMessage
from programs import selectors as program_selectors
from programs.models import MemberGroup, User
from web.forms import model_choice
from web.widgets import use_member_lookup


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


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # `group_list()` annotates each group with its member count.
        return f"{obj.name} ({obj.member_count})"


class AttachmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({filesizeformat(obj.size)})"


class CommunityMessageForm(forms.Form):
    audience = forms.ChoiceField(
        label=gettext_lazy("Recipients"),
        choices=Audience.choices,
        initial=Audience.ALL,
        widget=forms.RadioSelect,
    )
    group = GroupChoiceField(
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
    remove_attachments = AttachmentChoiceField(
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
        model_choice(self, "group").queryset = program_selectors.group_list(
            organisation_id=organisation_id
        )
        model_choice(self, "chosen").queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("last_name", "first_name")
        # A type-ahead picker asking the server: the page never lists every member.
        use_member_lookup(model_choice(self, "chosen"), active_only=True)
        if message is not None and message.pk:
            remove = model_choice(self, "remove_attachments")
            remove.queryset = message.attachments.order_by("name")
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("when") == "later":
            if not data.get("send_at") and "send_at" not in self.errors:
                self.add_error("send_at", _("Choose the date and time to send it."))
        else:
            data["send_at"] = None
        return data
