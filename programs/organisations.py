"""Organisations: platform staff create them (with their first administrator) and set
what only staff may set (visibility in reports); administrators edit their own
organisation's profile, logo and meeting settings, and invite other administrators.

Every write is transactional and audited; a refused input raises DomainError and
changes nothing. Reads used by the staff and settings pages are at the end.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email, validate_slug
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programs import services
from programs.accounts import login_information_send
from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import Language, Organisation, Role, User
from programs.permissions import require_org_admin, require_staff
from programs.time_zones import CURATED

# --- The logo ---------------------------------------------------------------------------

LOGO_MAX_BYTES = 512 * 1024
# What a logo may be, told by its first bytes (never by its name or the browser's word).
LOGO_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def logo_kind(head: bytes) -> str | None:
    """The image type whose signature `head` starts with: PNG, JPEG or WebP; else None
    (an SVG, a text file renamed .png…)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def logo_check(content: bytes) -> str:
    """The content type of an acceptable logo; DomainError for anything else."""
    if len(content) > LOGO_MAX_BYTES:
        raise DomainError(_("The logo is too large: at most 512 KB."))
    kind = logo_kind(content[:16])
    if kind is None:
        raise DomainError(_("The logo must be a PNG, JPEG or WebP image."))
    return kind


def logo_path(organisation: Organisation) -> str:
    """The logo's public address on this site ('' when there is none)."""
    if not organisation.logo:
        return ""
    return reverse("web:organisation_logo", args=[organisation.slug, organisation.logo_version])


def logo_url(organisation: Organisation | None) -> str:
    """The logo's absolute address, for emails ('' when there is none)."""
    path = logo_path(organisation) if organisation is not None else ""
    return settings.SITE_URL + path if path else ""


# --- Checks shared by the use cases ---------------------------------------------------------

ACCOUNT_EXISTS = _(
    "This email address already has a Tandem account. Use another address, or ask platform support."
)
VIDEO_TEMPLATE_ERROR = _(
    "The video call address must be an https:// address containing {uid}, e.g. "
    "https://meet.jit.si/tandem-{uid}."
)


def _email(value: str, *, error: Any) -> str:
    value = User.objects.normalize_email((value or "").strip()).lower()
    try:
        validate_email(value)
    except ValidationError:
        raise DomainError(error) from None
    return value


def _required(value: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    return value


def _new_account_email(value: str) -> str:
    """A valid address that no account uses yet. The refusal never says which program
    (or whether platform staff) holds it."""
    email = _email(value, error=_("Enter a valid email address for the administrator."))
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ACCOUNT_EXISTS)
    return email


def _language(value: str) -> str:
    if value not in Language.values:
        raise DomainError(_("Unknown language."))
    return value


def video_template_check(value: str) -> str:
    value = (value or "").strip()
    if not value.startswith("https://") or "{uid}" not in value or len(value) > 300:
        raise DomainError(VIDEO_TEMPLATE_ERROR)
    try:
        URLValidator(schemes=["https"])(value.replace("{uid}", "uid"))
    except ValidationError:
        raise DomainError(VIDEO_TEMPLATE_ERROR) from None
    if re.search(r"\{(?!uid\})", value):
        raise DomainError(VIDEO_TEMPLATE_ERROR)
    return value


def _administrator_create(
    *, organisation: Organisation, first_name: str, last_name: str, email: str, language: str
) -> User:
    """A new administrator with no usable password, sent «Informations de connexion»: the
    link in it lets them choose their own password."""
    administrator = services.member_create(
        organisation=organisation,
        email=email,
        first_name=_required(first_name, _("Enter the administrator's first name.")),
        last_name=_required(last_name, _("Enter the administrator's last name.")),
        role=Role.ADMINISTRATOR,
        password=None,
        language=_language(language),
    )
    login_information_send(user=administrator)
    return administrator


# --- Platform staff ---------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name_en: str,
    name_fr: str = "",
    slug: str,
    support_email: str,
    first_name: str,
    last_name: str,
    email: str,
    language: str = Language.ENGLISH,
) -> Organisation:
    """Create an organisation and its first administrator, who is sent «Informations de
    connexion». `actor` is the platform staff member, or None for `manage.py org_create`
    (the command line is the operator's). Refuses a taken slug, an invalid address or an
    address that already has an account."""
    if actor is not None:
        require_staff(actor)
    name_en = _required(name_en, _("Enter the organisation's English name."))
    slug = (slug or "").strip().lower()
    try:
        validate_slug(slug)
    except ValidationError:
        raise DomainError(
            _("The short name (slug) may contain only letters, digits, hyphens and underscores.")
        ) from None
    if len(slug) > 50:
        raise DomainError(_("The short name (slug) is too long: at most 50 characters."))
    if Organisation.objects.filter(slug__iexact=slug).exists():
        raise DomainError(_("The short name %(slug)s is already taken.") % {"slug": slug})
    support_email = _email(support_email, error=_("Enter a valid administrator email."))
    email = _new_account_email(email)
    language = _language(language)
    organisation = Organisation.objects.create(
        name_en=name_en[:200],
        name_fr=(name_fr or "").strip()[:200],
        slug=slug,
        support_email=support_email,
        default_language=language,
    )
    administrator = _administrator_create(
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
    )
    audit_record(
        actor=actor,
        organisation_id=organisation.pk,
        action=AuditAction.ORGANISATION_CREATE,
        target=organisation,
        details={"slug": slug, "administrator": administrator.email},
    )
    return organisation


def _apply_audited(
    actor: User, organisation: Organisation, wanted: dict[str, Any], action: AuditAction
) -> Organisation:
    """Set the fields of `wanted` that differ, save only those, and record them in the
    audit log as {field: [old, new]} — nothing written when nothing changes."""
    changed = {
        name: [getattr(organisation, name), value]
        for name, value in wanted.items()
        if getattr(organisation, name) != value
    }
    if not changed:
        return organisation
    for name, (_old, value) in changed.items():
        setattr(organisation, name, value)
    organisation.save(update_fields=list(changed))
    audit_record(
        actor=actor,
        organisation_id=organisation.pk,
        action=action,
        target=organisation,
        details=changed,
    )
    return organisation


@transaction.atomic
def organisation_visibility_set(
    *, actor: User, organisation: Organisation, notes_in_reports: bool, messages_in_reports: bool
) -> Organisation:
    """Whether the relationship report shows mentor/mentee notes and messages (F7):
    changed only by platform staff, and logged."""
    require_staff(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    wanted = {"notes_in_reports": notes_in_reports, "messages_in_reports": messages_in_reports}
    return _apply_audited(actor, organisation, wanted, AuditAction.VISIBILITY_EDIT)


# --- Administrators of the organisation -----------------------------------------------------

SETTINGS_FIELDS = (
    "name_en",
    "name_fr",
    "support_email",
    "default_language",
    "default_time_zone",
    "allow_video",
    "allow_in_person",
    "allow_phone",
    "video_url_template",
)


def _settings_clean(organisation: Organisation, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(_("These settings cannot be changed here."))
    wanted = {name: getattr(organisation, name) for name in SETTINGS_FIELDS} | changes
    wanted["name_en"] = _required(wanted["name_en"], _("Enter the organisation's English name."))
    wanted["name_fr"] = (wanted["name_fr"] or "").strip()
    if len(wanted["name_en"]) > 200 or len(wanted["name_fr"]) > 200:
        raise DomainError(_("A name is too long: at most 200 characters."))
    wanted["support_email"] = _email(
        wanted["support_email"], error=_("Enter a valid administrator email.")
    )
    wanted["default_language"] = _language(wanted["default_language"])
    if wanted["default_time_zone"] not in CURATED and (
        wanted["default_time_zone"] != organisation.default_time_zone
    ):
        raise DomainError(_("Unknown time zone."))
    for name in ("allow_video", "allow_in_person", "allow_phone"):
        wanted[name] = bool(wanted[name])
    if not (wanted["allow_video"] or wanted["allow_in_person"] or wanted["allow_phone"]):
        raise DomainError(_("Allow at least one meeting type."))
    wanted["video_url_template"] = video_template_check(wanted["video_url_template"])
    return wanted


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **changes: Any) -> Organisation:
    """Change the organisation's profile («Profil de l'organisation»): names, administrator
    email, default language and time zone of new members, allowed meeting types (at least
    one) and the video call address. Audited with each changed field's old and new value."""
    require_org_admin(actor, organisation_id=organisation.pk)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    wanted = _settings_clean(organisation, changes)
    return _apply_audited(actor, organisation, wanted, AuditAction.SETTINGS_EDIT)


def _old_logo_delete_on_commit(organisation: Organisation, name: str) -> None:
    """The replaced file goes once the change is committed (never before: a rollback
    keeps the old logo, which must still be there)."""
    if name:
        storage = organisation.logo.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def organisation_logo_set(
    *, actor: User, organisation: Organisation, content: bytes
) -> Organisation:
    """Replace the organisation's logo: a PNG, JPEG or WebP image (by its bytes) of at most
    512 KB. Its new version makes every cached copy of the old one stale."""
    require_org_admin(actor, organisation_id=organisation.pk)
    kind = logo_check(content)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    old = organisation.logo.name or ""
    organisation.logo_version += 1
    organisation.logo_content_type = kind
    name = f"{organisation.pk}-{organisation.logo_version}.{LOGO_EXTENSIONS[kind]}"
    organisation.logo.save(name, ContentFile(content), save=False)
    # The file is written before the row; should the transaction roll back, it stays as
    # an orphan nobody links to (private storage), which is harmless.
    written = organisation.logo.name
    organisation.save(update_fields=["logo", "logo_version", "logo_content_type"])
    _old_logo_delete_on_commit(organisation, old)
    audit_record(
        actor=actor,
        organisation_id=organisation.pk,
        action=AuditAction.SETTINGS_EDIT,
        target=organisation,
        details={"logo": [old or None, written]},
    )
    return organisation


@transaction.atomic
def organisation_logo_remove(*, actor: User, organisation: Organisation) -> Organisation:
    """Remove the organisation's logo (pages and emails show its name alone)."""
    require_org_admin(actor, organisation_id=organisation.pk)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    old = organisation.logo.name or ""
    if not old:
        return organisation
    organisation.logo = ""
    organisation.logo_content_type = ""
    organisation.logo_version += 1
    organisation.save(update_fields=["logo", "logo_version", "logo_content_type"])
    _old_logo_delete_on_commit(organisation, old)
    audit_record(
        actor=actor,
        organisation_id=organisation.pk,
        action=AuditAction.SETTINGS_EDIT,
        target=organisation,
        details={"logo": [old, None]},
    )
    return organisation


@transaction.atomic
def administrator_invite(
    *, actor: User, first_name: str, last_name: str, email: str, language: str
) -> User:
    """Add another administrator to the actor's organisation: no password yet, and
    «Informations de connexion» with the link to choose one. An address that already has
    an account is refused without saying where."""
    organisation_id = require_org_admin(actor, organisation_id=actor.organisation_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    email = _new_account_email(email)
    administrator = _administrator_create(
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
    )
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.ADMIN_INVITE,
        target=administrator,
        details={"email": administrator.email, "language": administrator.language},
    )
    return administrator


# --- Reads ----------------------------------------------------------------------------------


def organisation_list() -> QuerySet[Organisation]:
    """Every organisation with its member and administrator counts (one query)."""
    return Organisation.objects.annotate(
        member_count=Count("members", filter=~Q(members__role=Role.ADMINISTRATOR)),
        administrator_count=Count("members", filter=Q(members__role=Role.ADMINISTRATOR)),
    ).order_by("name_en", "pk")


def administrator_list(*, organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(organisation_id=organisation_id, role=Role.ADMINISTRATOR).order_by(
        "last_name", "first_name", "pk"
    )
