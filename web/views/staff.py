"""Platform staff's organisation desk: every organisation with its member counts,
«Nouvelle organisation» (with its first administrator) and each organisation's
visibility settings, which only staff change."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from programs import organisations
from programs.errors import DomainError
from web.access import staff_required
from web.forms.organisation import OrganisationCreateForm, VisibilityForm
from web.typing import AuthedRequest


@staff_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "web/staff_organisations.html",
        {"organisations": organisations.organisation_list()},
    )


@staff_required
def organisation_new(request: AuthedRequest) -> HttpResponse:
    form = OrganisationCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organisation = organisations.organisation_create(
                    actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(
                    request,
                    _("%(name)s was created; its administrator was sent their login information.")
                    % {"name": organisation.name},
                )
                return redirect("web:staff_organisation", organisation_id=organisation.pk)
        status = 400
    return render(request, "web/staff_organisation_form.html", {"form": form}, status=status)


@staff_required
def organisation_detail(request: AuthedRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(organisations.organisation_list(), pk=organisation_id)
    form = VisibilityForm(
        request.POST or None,
        initial={
            "notes_in_reports": organisation.notes_in_reports,
            "messages_in_reports": organisation.messages_in_reports,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisations.organisation_visibility_set(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The visibility settings were saved."))
            return redirect("web:staff_organisation", organisation_id=organisation.pk)
    return render(
        request,
        "web/staff_organisation.html",
        {
            "organisation": organisation,
            "form": form,
            "administrators": organisations.administrator_list(organisation_id=organisation.pk),
        },
    )
