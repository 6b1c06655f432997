"""Sign-in, the forgotten password and the unlock request."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.system_messages.services import email_send_system
from programs.invitations import verification_pending
from programs.models import User


class SignInForm(AuthenticationForm):
    """Email + password, «Rester connecté», and the deactivated-account message (F9)."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    remember = forms.BooleanField(label=_("Stay signed in"), required=False)

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is incorrect."),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if email and password:
            self.cleaned_data["username"] = email
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                self._raise_if_deactivated(email, password)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    # Set when the account waits for its address to be confirmed: the page then offers to
    # send the verification link again.
    unverified_email = ""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if verification_pending(user):
            self.unverified_email = user.email
            raise ValidationError(
                _(
                    "Please confirm your email address first: open the link we sent to "
                    "%(email)s. No email? We can send the link again."
                ),
                code="unverified",
                params={"email": user.email},
            )

    def _raise_if_deactivated(self, email: str, password: str) -> None:
        # Only someone who knows the password learns the account is deactivated.
        user = (
            User.objects.select_related("organisation")
            .filter(email__iexact=email, is_active=False)
            .first()
        )
        if user is not None and user.check_password(password):
            admin_email = user.organisation.support_email if user.organisation else ""
            raise ValidationError(
                _(
                    "Your account has been deactivated. Please email %(admin_email)s "
                    "to reactivate your account."
                ),
                code="inactive",
                params={"admin_email": admin_email},
            )


class MemberPasswordResetForm(PasswordResetForm):
    """Sends the reset link through the one email pipeline: logged, in the member's own
    language whoever asked, in the organisation's own wording."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        link = reverse(
            "web:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        email_send_system(
            key="password_reset",
            recipient=context["user"],
            values={"here": f"{context['protocol']}://{context['domain']}{link}"},
        )


class UnlockRequestForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
