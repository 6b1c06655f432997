from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.system_messages.services import email_send_system
from programs.models import Language, Role, User
from web.widgets import use_member_lookup


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


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=User._meta.get_field("time_zone").choices
    )


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Please enter the first name, last name or email")}
        ),
    )
    role = forms.ChoiceField(
        label=_("Select a role"), required=False, choices=[("", _("All"))] + Role.choices
    )
    active = forms.ChoiceField(
        label=_("Account activated"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
    )


class RelationshipMatchForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none())
    mentee = forms.ModelChoiceField(label=_("Mentee"), queryset=User.objects.none())
    relationship_administrator = forms.ModelChoiceField(
        label=_("Relationship administrator"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's people can be chosen: another id is "not a valid choice".
        members = User.objects.filter(organisation_id=organisation_id, is_active=True).order_by(
            "last_name", "first_name"
        )
        self.fields["mentor"].queryset = members.filter(role=Role.MENTOR)
        self.fields["mentee"].queryset = members.filter(role=Role.MENTEE)
        self.fields["relationship_administrator"].queryset = members.filter(role=Role.ADMINISTRATOR)
        # Type-ahead pickers asking the server: the page never lists every member.
        use_member_lookup(self.fields["mentor"], role=Role.MENTOR, active_only=True)
        use_member_lookup(self.fields["mentee"], role=Role.MENTEE, active_only=True)
        use_member_lookup(
            self.fields["relationship_administrator"], role=Role.ADMINISTRATOR, active_only=True
        )


class GroupCreateForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=200)


class GroupMembersForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            User.objects.filter(organisation_id=organisation_id)
            .exclude(role=Role.ADMINISTRATOR)
            .order_by("last_name", "first_name")
        )
        # The group's people are listed; others are looked up as the administrator types.
        use_member_lookup(self.fields["members"], role=f"{Role.MENTOR},{Role.MENTEE}")


class MemberAdministratorForm(forms.Form):
    member_administrator = forms.ModelChoiceField(
        label=_("Member administrator"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_administrator"].queryset = User.objects.filter(
            organisation_id=organisation_id, role=Role.ADMINISTRATOR, is_active=True
        ).order_by("last_name", "first_name")


class ReleaseNoteForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Sections (English)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("“## Heading” starts a section, “- ” a bullet, [text](https://…) a link."),
    )
    body_fr = forms.CharField(
        label=_("Sections (French)"), widget=forms.Textarea(attrs={"rows": 14}), required=False
    )
