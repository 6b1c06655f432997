"""Sign-in, sign-out, password reset and lockout (django-axes) with unlock by email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programs import accounts
from web.forms.auth import MemberPasswordResetForm, SignInForm, UnlockRequestForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # REMOTE_ADDR: the client's address (behind the TLS proxy, Daphne's --proxy-headers
        # puts nginx's X-Forwarded-For there).
        accounts.sign_in_record(
            user=form.get_user(), ip_address=self.request.META.get("REMOTE_ADDR")
        )
        if not form.cleaned_data.get("remember"):
            # Without «Rester connecté» the session ends with the browser.
            self.request.session.set_expiry(0)
        return response


def lockout(request: HttpRequest, response: HttpResponse | None, credentials: dict) -> HttpResponse:
    """What django-axes shows once (email, IP) is locked."""
    return render(request, "registration/locked.html", status=429)


@require_http_methods(["GET", "POST"])
def unlock_request(request: HttpRequest) -> HttpResponse:
    """«Vous n'avez pas reçu les instructions de déverrouillage?» — send them again."""
    form = UnlockRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.unlock_instructions_send(email=form.cleaned_data["email"])
        # Same answer whether or not the address is known or locked.
        messages.info(
            request,
            _("If that account is locked, we have emailed instructions to unlock it."),
        )
        return redirect("web:login")
    return render(request, "registration/unlock_request.html", {"form": form})


def unlock_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        if accounts.account_unlock(token=token):
            messages.success(request, _("Your account is unlocked. You can sign in again."))
            return redirect("web:login")
        return render(request, "registration/unlock_invalid.html", status=400)
    if accounts.unlock_token_email(token) is None:
        return render(request, "registration/unlock_invalid.html", status=400)
    return render(request, "registration/unlock_confirm.html")


password_reset = auth_views.PasswordResetView.as_view(
    form_class=MemberPasswordResetForm,
    template_name="registration/password_reset_form.html",
    success_url=reverse_lazy("web:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)


class MemberPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, plus: the link came to the person's address, so it is verified (someone
    who signed up through an invitation link and lost the first email can get in)."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        accounts.email_verified(user=form.user)
        return response


password_reset_confirm = MemberPasswordResetConfirmView.as_view()


class PasswordSetupView(auth_views.PasswordResetConfirmView):
    """The invitee's first password («Informations de connexion»): the reset view with the
    invitation's own token and wording. Choosing it proves the address, and signs in."""

    template_name = "registration/password_reset_confirm.html"
    extra_context = {
        "heading": gettext_lazy("Choose your password"),
        "invalid_link": gettext_lazy(
            "This link is invalid, expired or has already been used. Ask your program "
            "administrator for a new one."
        ),
    }
    token_generator = accounts.invitation_token_generator
    post_reset_login = True
    post_reset_login_backend = accounts.MEMBER_BACKEND
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        accounts.email_verified(user=form.user)
        messages.success(self.request, _("Your password is set. Welcome!"))
        return response


password_setup = PasswordSetupView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
sign_out = auth_views.LogoutView.as_view()
