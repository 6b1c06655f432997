"""An administrator's own organisation: «Profil de l'organisation» (names, administrator
email, defaults for new members, meeting types, video call address, logo), its
administrators, and the logo's public address."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from programs import organisations
from programs.errors import DomainError
from programs.models import Organisation
from web.access import admin_required
from web.forms.organisation import AdministratorForm, LogoForm, OrganisationSettingsForm
from web.typing import MemberRequest

LOGO_CACHE_SECONDS = 365 * 24 * 3600


def _organisation(request: MemberRequest) -> Organisation:
    # Always the administrator's own: no page takes an organisation id.
    return Organisation.objects.get(pk=request.user.organisation_id)


def _settings_page(
    request: MemberRequest,
    organisation: Organisation,
    form: OrganisationSettingsForm | None = None,
    logo_form: LogoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = OrganisationSettingsForm(
            initial={name: getattr(organisation, name) for name in organisations.SETTINGS_FIELDS},
            current_time_zone=organisation.default_time_zone,
        )
    return render(
        request,
        "web/organisation_settings.html",
        {
            "organisation": organisation,
            "form": form,
            "logo_form": logo_form or LogoForm(),
            "logo_path": organisations.logo_path(organisation),
        },
        status=status,
    )


@admin_required
def organisation_settings(request: MemberRequest) -> HttpResponse:
    organisation = _organisation(request)
    if request.method != "POST":
        return _settings_page(request, organisation)
    form = OrganisationSettingsForm(request.POST, current_time_zone=organisation.default_time_zone)
    if form.is_valid():
        try:
            organisations.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The organisation profile was saved."))
            return redirect("web:organisation_settings")
    return _settings_page(request, organisation, form=form, status=400)


@admin_required
@require_POST
def organisation_logo(request: MemberRequest) -> HttpResponse:
    organisation = _organisation(request)
    logo_form = LogoForm(request.POST, request.FILES)
    if logo_form.is_valid():
        try:
            organisations.organisation_logo_set(
                actor=request.user,
                organisation=organisation,
                content=logo_form.cleaned_data["logo"],
            )
        except DomainError as error:
            logo_form.add_error("logo", str(error.message))
        else:
            messages.success(request, _("The logo was saved."))
            return redirect("web:organisation_settings")
    return _settings_page(request, organisation, logo_form=logo_form, status=400)


@admin_required
@require_POST
def organisation_logo_remove(request: MemberRequest) -> HttpResponse:
    organisation = _organisation(request)
    try:
        organisations.organisation_logo_remove(actor=request.user, organisation=organisation)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The logo was removed."))
    return redirect("web:organisation_settings")


@admin_required
def administrators(request: MemberRequest) -> HttpResponse:
    form = AdministratorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invited = organisations.administrator_invite(
                    actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(
                    request,
                    _("%(name)s is now an administrator; their login information was sent.")
                    % {"name": invited.full_name},
                )
                return redirect("web:organisation_administrators")
        status = 400
    return render(
        request,
        "web/organisation_administrators.html",
        {
            "administrators": organisations.administrator_list(
                organisation_id=request.user.organisation_id
            ),
            "form": form,
        },
        status=status,
    )


@require_safe
def logo(request: HttpRequest, slug: str, version: int) -> HttpResponseBase:
    """The logo, public (emails show it to people who are not signed in). Its URL carries
    the logo's version, so it may be cached for a year; an older version's URL (in an
    email sent before the logo changed) is sent on to the current one."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not organisation.logo or version > organisation.logo_version:
        raise Http404
    if version != organisation.logo_version:
        return redirect("web:organisation_logo", slug=slug, version=organisation.logo_version)
    try:
        handle = organisation.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=organisation.logo_content_type)
    response["Cache-Control"] = f"public, max-age={LOGO_CACHE_SECONDS}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
