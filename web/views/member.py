"""Pages every member sees: home, profile and preferences, the language switch."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import selectors as feedback_selectors
from programs import profile_selectors, profile_services, selectors, services
from programs.errors import DomainError
from programs.models import Language
from web.access import member_required, next_or
from web.forms.profile import PreferencesForm, ProfileForm
from web.typing import MemberRequest
from web.views.profiles import profile_form_save


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_staff and not request.user.organisation_id:
        return redirect("web:staff_release_notes")
    return _member_home(request)


@member_required
def _member_home(request: MemberRequest) -> HttpResponse:
    if request.user.is_org_admin:
        return redirect("web:manage")
    user = request.user
    relationships = selectors.member_relationships(user=user)
    return render(
        request,
        "web/member_home.html",
        {
            "relationships": relationships,
            "groups": user.member_groups.order_by("name"),
            "completion": user.profile_completion,
            # «L'évaluation finale» and surveys still to answer (also linked from the bell).
            "evaluations": feedback_selectors.evaluation_requests_pending(user=user),
            "surveys": feedback_selectors.surveys_pending(user=user),
        },
    )


@member_required
def profile(request: MemberRequest) -> HttpResponse:
    """The member's own profile (the fields of their role they may fill, in their
    language) and, in a form of its own, their language and time zone."""
    user = request.user
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form", "preferences") if posted is not None else ""
    form = PreferencesForm(
        posted if which == "preferences" else None,
        initial={"language": user.language, "time_zone": user.time_zone},
        current_time_zone=user.time_zone,
    )
    profile_form = ProfileForm(
        posted if which == "profile" else None,
        member=user,
        custom_fields=profile_services.fields_editable(actor=user, member=user),
        answers=profile_selectors.field_answers(user=user),
        language=get_language() or user.language,
    )
    if which == "profile" and profile_form_save(request, profile_form, user):
        messages.success(request, _("Your profile is saved."))
        return redirect("web:profile")
    if which == "preferences" and form.is_valid():
        services.member_set_preferences(
            user=user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, _("Your preferences are saved."))
        response = redirect("web:profile")
        response.set_cookie("django_language", user.language, samesite="Lax")
        return response
    user.refresh_from_db(fields=["profile_completion"])
    return render(
        request,
        "web/profile.html",
        {"form": form, "profile_form": profile_form, "completion": user.profile_completion},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch in the top bar; remembered on the account when signed in."""
    language = request.POST.get("language", "")
    response = redirect(next_or(request, "/"))
    if language not in Language.values:
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        try:
            services.member_set_preferences(user=request.user, language=language)
        except DomainError as error:
            messages.error(request, str(error.message))
    response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    return response
