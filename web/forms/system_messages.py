"""An organisation's wording of a system-generated message (F10)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from notifications.system_messages import services as system_messages


class SystemMessageForm(forms.Form):
    subject_en = forms.CharField(
        label=gettext_lazy("Subject (English)"), max_length=system_messages.SUBJECT_MAX_LENGTH
    )
    body_en = forms.CharField(
        label=gettext_lazy("English text"), widget=forms.Textarea(attrs={"rows": 14})
    )
    subject_fr = forms.CharField(
        label=gettext_lazy("Subject (French)"), max_length=system_messages.SUBJECT_MAX_LENGTH
    )
    body_fr = forms.CharField(
        label=gettext_lazy("French text"), widget=forms.Textarea(attrs={"rows": 14})
    )
