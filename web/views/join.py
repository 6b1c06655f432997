"""«Lien d'invitation», the visitor's side: signing up through the link, the "check your
inbox" page, the verification link, and asking for it again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programs import accounts, invitations, services
from programs.errors import DomainError
from web import throttle
from web.access import admin_required
from web.forms.join import SignUpForm, VerificationResendForm
from web.forms.members import MemberAddForm
from web.typing import MemberRequest


def _gone(request: HttpRequest) -> HttpResponse:
    """A link that does not (or no longer) works: a 404 that says what to do."""
    return render(request, "registration/join_gone.html", status=404)


def _page(
    request: HttpRequest, template: str, context: dict[str, object], verdict: throttle.Verdict
) -> HttpResponse:
    """Over a rate limit: the same page, its error at the top, HTTP 429."""
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    link = invitations.invitation_link_open(token=token)
    if link is None:
        return _gone(request)
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        # Every attempt counts, valid or not: a script probing addresses is one too.
        verdict = throttle.sign_up_hit(request)
        if not verdict.allowed:
            form.add_error(None, str(throttle.MESSAGE))
            return _page(
                request,
                "registration/join.html",
                {"form": form, "organisation": link.organisation, "role": link.get_role_display()},
                verdict,
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitations.member_sign_up(
                token=token,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
                language=data["language"],
                time_zone=data["time_zone"],
            )
        except DomainError as error:
            if error.code == "not_found":
                return _gone(request)
            form.add_error("email" if error.code == "exists" else None, str(error.message))
        else:
            response = redirect("web:join_sent")
            response.set_cookie(
                "django_language", data["language"], samesite="Lax", max_age=365 * 24 * 3600
            )
            return response
    return render(
        request,
        "registration/join.html",
        {"form": form, "organisation": link.organisation, "role": link.get_role_display()},
    )


def join_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/join_sent.html", {"form": VerificationResendForm()})


def join_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email: the address is the person's; «Bienvenue» goes
    out and they are signed in, on their home page."""
    user = invitations.email_verification_confirm(token=token)
    if user is None:
        return render(
            request,
            "registration/join_verify_invalid.html",
            {"form": VerificationResendForm()},
            status=400,
        )
    login(request, user, backend=accounts.MEMBER_BACKEND)
    messages.success(request, _("Your email address is confirmed. Welcome!"))
    response = redirect("web:home")
    response.set_cookie("django_language", user.language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


@require_http_methods(["GET", "POST"])
def join_resend(request: HttpRequest) -> HttpResponse:
    """«Send the link again»: the same answer whether or not the address waits for one."""
    form = VerificationResendForm(request.POST or None, initial={"email": request.GET.get("email")})
    if request.method == "POST" and form.is_valid():
        verdict = throttle.verification_resend_hit(form.cleaned_data["email"])
        if not verdict.allowed:
            form.add_error(None, str(throttle.MESSAGE))
            return _page(request, "registration/join_resend.html", {"form": form}, verdict)
        invitations.email_verification_resend(email=form.cleaned_data["email"])
        messages.info(
            request,
            _(
                "If that address is waiting to be confirmed, we have sent the link again. "
                "Check your inbox."
            ),
        )
        return redirect("web:login")
    return render(request, "registration/join_resend.html", {"form": form})


# -- the administrator's side ------------------------------------------------------------


@admin_required
@require_POST
def invitation_link_change(request: MemberRequest, role: str) -> HttpResponse:
    """The dashboard tile's buttons: switch the link off or on, or «Régénérer»."""
    what = request.POST.get("change", "")
    try:
        if what == "regenerate":
            invitations.invitation_link_regenerate(actor=request.user, role=role)
            messages.success(
                request, _("A new link was created. The previous link no longer works.")
            )
        elif what in {"on", "off"}:
            invitations.invitation_link_set_active(
                actor=request.user, role=role, active=what == "on"
            )
            messages.success(
                request,
                _("The invitation link is switched on.")
                if what == "on"
                else _("The invitation link is switched off."),
            )
        else:
            messages.error(request, _("Unknown change."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect(reverse("web:manage") + "#invitation-links")


@admin_required
@require_http_methods(["GET", "POST"])
def member_new(request: MemberRequest) -> HttpResponse:
    """«Ajouter un membre»."""
    form = MemberAddForm(request.POST or None, organisation_id=request.user.organisation_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_add(
                actor=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                language=data["language"],
                time_zone=data["time_zone"],
                group_ids=[group.pk for group in data["groups"]],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("%(name)s is added. Their login information is on its way to %(email)s.")
                % {"name": member.full_name, "email": member.email},
            )
            return redirect("web:member", member_id=member.pk)
    return render(request, "web/manage_member_new.html", {"form": form})
