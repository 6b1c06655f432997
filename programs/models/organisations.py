"""Organisations (mentoring programs), their members (`User`) and invitation links."""

from __future__ import annotations

import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class Organisation(models.Model):
    """A mentoring program. Every member, group and relationship belongs to exactly one."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    slug = models.SlugField(unique=True)
    support_email = models.EmailField(_("administrator email"))
    allow_video = models.BooleanField(_("video meetings allowed"), default=True)
    allow_in_person = models.BooleanField(_("in-person meetings allowed"), default=True)
    allow_phone = models.BooleanField(_("phone meetings allowed"), default=True)
    video_url_template = models.CharField(
        _("video call address"),
        max_length=300,
        default="https://meet.jit.si/tandem-{uid}",
        help_text=_(
            "Address of the video call created for each meeting; {uid} is replaced by the "
            "meeting's identifier."
        ),
    )
    # What a new member gets when nobody says otherwise (services.member_create). Database
    # defaults: during an upgrade the previous release still inserts organisations.
    default_language = models.CharField(
        _("default language"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        db_default=Language.ENGLISH,
    )
    default_time_zone = models.CharField(
        _("default time zone"),
        max_length=64,
        default=settings.DEFAULT_MEMBER_TIME_ZONE,
        db_default=settings.DEFAULT_MEMBER_TIME_ZONE,
    )
    # The logo (PNG, JPEG or WebP, checked by programs.organisations). MEDIA is private:
    # it is served by web's logo view, whose URL carries `logo_version` so that browsers
    # and mail clients may keep it forever; a new logo gets a new version.
    logo = models.FileField(
        _("logo"), upload_to="logos/", blank=True, default="", db_default="", max_length=200
    )
    logo_version = models.PositiveIntegerField(default=0, db_default=0)
    logo_content_type = models.CharField(max_length=20, blank=True, default="", db_default="")
    # The source platform keeps notes and messages out of reports until the program asks.
    notes_in_reports = models.BooleanField(_("mentor/mentee notes in reports"), default=False)
    messages_in_reports = models.BooleanField(_("messages in reports"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if get_language() == "fr" and self.name_fr:
            return self.name_fr
        return self.name_en


class Role(models.TextChoices):
    ADMINISTRATOR = "admin", _("Administrator")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


def full_name_of(first_name: str, last_name: str, deleted_at: object) -> str:
    """A person's name as every page shows it (`User.full_name`), from the three columns
    `User.NAME_FIELDS` (a list that reads plain values calls it too)."""
    if deleted_at is not None:
        return str(_("Deleted member"))
    return f"{first_name} {last_name}".strip()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Members belong to one organisation with one role;
    platform staff (who publish release notes) may belong to none."""

    email = models.EmailField(_("email"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default=settings.DEFAULT_MEMBER_TIME_ZONE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("member since"), default=timezone.now)
    ended_at = models.DateField(_("end date"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last session"), null=True, blank=True)
    # The one unlock link that still works (programs.accounts): empty when none does. A
    # database default as well: during an upgrade the previous release's processes, still
    # running, insert members without this column (docs/deploy.md, upgrades).
    unlock_nonce = models.CharField(
        max_length=32, blank=True, default="", db_default="", editable=False
    )
    member_administrator = models.ForeignKey(
        "self",
        verbose_name=_("member administrator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administered_members",
    )
    # Set when the provider reports a bounce or a spam complaint, so nobody keeps mailing
    # a dead address; cleared when the member's email changes.
    email_problem = models.CharField(
        _("email problem"),
        max_length=10,
        blank=True,
        choices=[("bounced", _("Bounced")), ("spam", _("Spam report"))],
    )
    email_problem_at = models.DateTimeField(null=True, blank=True)
    # Profile fields shown to the program and counted in profile completion.
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    province = models.CharField(_("province"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # More of the manual's built-in profile fields (programs.profiles lists them all, with
    # the roles each applies to and their CSV headers). Database defaults: an upgrade's
    # previous release still inserts members without these columns.
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True, default="", db_default="")
    sector = models.CharField(_("sector"), max_length=120, blank=True, default="", db_default="")
    function = models.CharField(
        _("function"), max_length=120, blank=True, default="", db_default=""
    )
    region = models.CharField(_("region"), max_length=120, blank=True, default="", db_default="")
    gender = models.CharField(_("gender"), max_length=60, blank=True, default="", db_default="")
    languages_spoken = models.CharField(
        _("languages spoken"), max_length=200, blank=True, db_default=""
    )
    years_of_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    goals = models.TextField(_("goals"), blank=True, default="", db_default="")
    specialised_skills = models.TextField(
        _("specialised skills"), blank=True, default="", db_default=""
    )
    development_areas = models.TextField(
        _("development areas"), blank=True, default="", db_default=""
    )
    three_words = models.CharField(
        _("three words that describe you"), max_length=120, blank=True, db_default=""
    )
    linkedin = models.URLField(_("LinkedIn"), max_length=300, blank=True, default="", db_default="")
    twitter = models.CharField(
        _("X (Twitter)"), max_length=100, blank=True, default="", db_default=""
    )
    skype = models.CharField(_("Skype"), max_length=100, blank=True, default="", db_default="")
    max_mentees = models.PositiveSmallIntegerField(_("maximum mentees"), null=True, blank=True)
    max_mentors = models.PositiveSmallIntegerField(_("maximum mentors"), null=True, blank=True)
    # How far they would travel to meet in person, and where and how they like to meet
    # («Rayon actuel», «Points de rendez-vous», «Formats de rencontre» in the reports).
    radius = models.PositiveSmallIntegerField(_("radius (km)"), null=True, blank=True)
    meeting_places = models.CharField(
        _("meeting places"), max_length=200, blank=True, default="", db_default=""
    )
    meeting_formats = models.CharField(
        _("meeting formats"), max_length=200, blank=True, default="", db_default=""
    )
    # When the profile last changed (programs.profile_services.profile_update), and the
    # address of the latest sign-in (programs.accounts.sign_in_record): the members
    # report's «Mis à jour le» and «IP de la dernière connexion».
    profile_updated_at = models.DateTimeField(_("profile updated"), null=True, blank=True)
    last_login_ip = models.GenericIPAddressField(_("latest sign-in address"), null=True, blank=True)
    # «Achèvement des profils», stored so the members list sorts, filters and pages on it;
    # kept by programs.profiles when a profile or the organisation's fields change.
    profile_completion = models.PositiveSmallIntegerField(
        _("profile completion"), default=0, db_default=0
    )
    # When the person proved they read this address (sign-up link); None for members an
    # administrator added (their set-password link proves it the same way).
    email_verified_at = models.DateTimeField(_("email verified on"), null=True, blank=True)
    # Set for people who signed up through an invitation link: they may not sign in until
    # they follow the verification link sent to their address (programs.invitations).
    email_verification_required = models.BooleanField(
        default=False, db_default=False, editable=False
    )

    # «Supprimer un membre définitivement» (programs.member_delete): the row stays so the
    # program's history (relationships, meetings, reports) keeps counting the person, but
    # everything that identified them is erased and they show as «Membre supprimé».
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("member")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Members have an organisation and a role; only platform staff may have neither.
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, role__in=Role.values)
                | Q(organisation__isnull=True, role="", is_staff=True),
                name="user_member_has_org_and_role",
            ),
            # The composite key lets relationships reference (user, organisation) pairs.
            models.UniqueConstraint(fields=["id", "organisation"], name="user_id_org_unique"),
        ]
        indexes = [
            # The members list and the pickers, by name; with a role; and the dashboard's
            # count of active members (index-only on PostgreSQL). The trigram indexes of
            # the name and email searches are PostgreSQL-only: migration 0013.
            models.Index(
                fields=["organisation", "last_name", "first_name", "id"],
                include=["is_active", "role"],
                name="user_org_name_idx",
            ),
            models.Index(
                fields=["organisation", "role", "last_name", "first_name", "id"],
                name="user_org_role_name_idx",
            ),
            models.Index(fields=["organisation", "is_active", "role"], name="user_org_active_idx"),
            # The members list's filters (programs.member_filters): completion below N %,
            # created after a day, recent activity; sectors and functions, whose distinct
            # values the filter offers are read by walking these indexes.
            models.Index(
                fields=["organisation", "profile_completion"], name="user_org_completion_idx"
            ),
            models.Index(fields=["organisation", "date_joined"], name="user_org_joined_idx"),
            models.Index(fields=["organisation", "last_seen"], name="user_org_seen_idx"),
            models.Index(fields=["organisation", "sector"], name="user_org_sector_idx"),
            models.Index(fields=["organisation", "function"], name="user_org_function_idx"),
        ]

    # What `full_name` reads: the columns a list that shows people's names selects
    # (`.only(...)`), a person having some fifty.
    NAME_FIELDS: ClassVar[tuple[str, ...]] = ("first_name", "last_name", "deleted_at")

    @classmethod
    def name_fields(cls, *people: str) -> list[str]:
        """`NAME_FIELDS` of the people at these paths (e.g. "relationship__mentor"), for
        the `.only()` of a list that selects them (`select_related`)."""
        return [f"{person}__{field}" for person in people for field in cls.NAME_FIELDS]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name_of(self.first_name, self.last_name, self.deleted_at)

    @property
    def is_org_admin(self) -> bool:
        return self.organisation_id is not None and self.role == Role.ADMINISTRATOR


class InvitationLink(models.Model):
    """«Lien d'invitation»: a public sign-up address for one role of one organisation.
    One per organisation and role, created the first time it is asked for; regenerating
    replaces the token, so the old address stops working at once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitation_links"
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=[(Role.MENTOR, Role.MENTOR.label), (Role.MENTEE, Role.MENTEE.label)],
    )
    token = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation link")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "role"], name="invitation_link_one_per_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[Role.MENTOR, Role.MENTEE]),
                name="invitation_link_member_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.role}"
