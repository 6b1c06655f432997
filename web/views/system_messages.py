"""«Messages générés par le système» (F10): the catalogue, editing an organisation's
wording, turning a message on or off, and a preview as recipients would see it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.system_messages import selectors, services
from programs.errors import DomainError
from web.access import admin_required, next_or
from web.forms.system_messages import SystemMessageForm
from web.frames import email_frame
from web.typing import MemberRequest


@admin_required
def system_messages(request: MemberRequest) -> HttpResponse:
    categories = selectors.system_message_catalogue(organisation_id=request.user.organisation_id)
    return render(request, "web/system_messages.html", {"categories": categories})


@admin_required
def system_message(request: MemberRequest, key: str) -> HttpResponse:
    """Edit one message's subject and text in both languages («Mettre à jour»), or put
    the shipped wording back."""
    detail = selectors.system_message_detail(organisation_id=request.user.organisation_id, key=key)
    if request.method == "POST" and "reset" in request.POST:
        try:
            services.system_message_reset(actor=request.user, key=key)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The default wording is back."))
        return redirect("web:system_message", key=key)
    form = SystemMessageForm(request.POST or None, initial=detail.wording)
    if request.method == "POST" and form.is_valid():
        try:
            services.system_message_save(actor=request.user, key=key, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("web:system_message", key=key)
    return render(request, "web/system_message.html", {"detail": detail, "form": form})


@admin_required
@require_POST
def system_message_active(request: MemberRequest, key: str) -> HttpResponse:
    """«Actif» / «Inactif»: an inactive message is not sent."""
    detail = selectors.system_message_detail(organisation_id=request.user.organisation_id, key=key)
    active = request.POST.get("active") in {"1", "true", "on"}
    try:
        services.system_message_set_active(actor=request.user, key=key, active=active)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if active:
            messages.success(
                request, _("“%(name)s” is active: it is sent again.") % {"name": detail.name}
            )
        else:
            messages.success(
                request,
                _("“%(name)s” is inactive: it will not be sent.") % {"name": detail.name},
            )
    return redirect(next_or(request, reverse("web:system_messages")))


@admin_required
def system_message_preview(request: MemberRequest, key: str) -> HttpResponse:
    detail = selectors.system_message_detail(organisation_id=request.user.organisation_id, key=key)
    previews = selectors.system_message_preview(viewer=request.user, key=key)
    samples = selectors.sample_values(
        viewer=request.user,
        organisation=request.user.organisation,
        language=get_language(),
    )
    return render(
        request,
        "web/system_message_preview.html",
        {
            "detail": detail,
            "previews": previews,
            "samples": [(keyword, samples.get(keyword, "")) for keyword in detail.keywords],
        },
    )


@admin_required
@email_frame
def system_message_preview_frame(request: MemberRequest, key: str, language: str) -> HttpResponse:
    """The preview's email in one language, for its sandboxed frame."""
    for preview in selectors.system_message_preview(viewer=request.user, key=key):
        if preview.language == language:
            return HttpResponse(preview.html)
    raise Http404
