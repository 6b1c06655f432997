"""Release notes (F1): support staff write them in English and French, preview and
publish; every administrator of every organisation then finds «Release Notes for <date>»
in their bell, delivered by one background job. No email is sent."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from notifications import jobs
from notifications.bell import events as bell_events
from notifications.bell.services import bilingual_titles
from notifications.models import Notification, ReleaseNote
from notifications.release_notes import markup
from programs import dates
from programs.errors import DomainError
from programs.models import Role, User
from programs.permissions import require_staff


def _validate_release_note(*, title_en: str, body_en: str, body_fr: str) -> None:
    if not title_en.strip():
        raise DomainError(_("An English title is required."))
    if not body_en.strip():
        raise DomainError(_("The English sections are required."))
    for body in (body_en, body_fr):
        try:
            markup.parse(body)
        except markup.MarkupError as error:
            raise DomainError(str(error)) from error


@transaction.atomic
def release_note_save(
    *,
    actor: User,
    note: ReleaseNote | None = None,
    date: datetime.date,
    title_en: str,
    title_fr: str = "",
    body_en: str,
    body_fr: str = "",
) -> ReleaseNote:
    """Create or edit a release note (a draft until published; edits after publishing
    show on its page, the notifications already sent stay as they are)."""
    require_staff(actor)
    _validate_release_note(title_en=title_en, body_en=body_en, body_fr=body_fr)
    if note is None:
        note = ReleaseNote(created_by=actor)
    note.date, note.title_en, note.title_fr = date, title_en.strip(), title_fr.strip()
    note.body_en, note.body_fr = body_en, body_fr
    note.save()
    return note


DATE_PATTERNS = {"en": "l, F j, Y", "fr": "l j F Y"}


def notification_titles(note: ReleaseNote) -> tuple[str, str]:
    """«Release Notes for <date>» in English and French, the date in each language."""
    return bilingual_titles(
        gettext_noop("Release Notes for %(date)s"),
        lambda language: {"date": dates.date_label(note.date, DATE_PATTERNS[language])},
    )


@transaction.atomic
def release_note_publish(*, actor: User, note: ReleaseNote) -> ReleaseNote:
    """Publish: every administrator of every organisation gets «Release Notes for <date>»
    in their bell. Delivery is one background job (bulk inserts), started after commit.
    No email is sent."""
    require_staff(actor)
    note = ReleaseNote.objects.select_for_update().get(pk=note.pk)
    if note.published_at is not None:
        raise DomainError(_("This release note is already published."))
    note.published_at = timezone.now()
    note.save(update_fields=["published_at"])
    transaction.on_commit(lambda: jobs.enqueue_release_note_delivery(note.pk))
    return note


def _notify_each(people: QuerySet[User, tuple[int]], *, values: dict[str, Any]) -> None:
    """One notification per person of `people` (a query of their ids) with these values,
    none twice (the unique person and note): one INSERT … SELECT, in the database alone —
    building 500 Notification objects and their INSERT's 3,500 parameters in Python took
    more time than PostgreSQL spends writing them (bench/fanout_release.py)."""
    meta = Notification._meta
    quote = connection.ops.quote_name
    fields = {name: cast(Field, meta.get_field(name)) for name in ("user_id", *values)}
    columns = [str(field.column) for field in fields.values()]
    select, params = people.query.sql_with_params()
    placeholders = ", ".join(["%s"] * len(values))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT chosen.*, {placeholders} FROM ({select}) AS chosen WHERE TRUE "
        # SQLite needs the WHERE to read ON CONFLICT as the INSERT's, not a join's.
        "ON CONFLICT DO NOTHING"
    )
    prepared = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    with connection.cursor() as cursor:
        # The SELECT list's values come before the subquery's own parameters.
        cursor.execute(sql, [*prepared, *params])


def release_note_deliver(*, note_id: int) -> int:
    """Notify every active administrator not yet notified of this note. Idempotent: a
    retried or duplicated job inserts nothing twice (unique per user and note) and the
    bells are refreshed again, which is harmless. Returns how many administrators hold
    the note once it is done."""
    note = ReleaseNote.objects.filter(pk=note_id, published_at__isnull=False).first()
    if note is None or note.published_at is None:
        return 0
    published_at = note.published_at
    title_en, title_fr = notification_titles(note)
    url = reverse("web:release_note", args=[note.pk])
    admins = User.objects.filter(
        role=Role.ADMINISTRATOR, is_active=True, organisation__isnull=False
    ).values_list("pk")
    _notify_each(
        admins,
        values={
            "title_en": title_en,
            "title_fr": title_fr,
            "url": url,
            "created_at": published_at,
            "read_at": None,
            "release_note_id": note.pk,
        },
    )
    ReleaseNote.objects.filter(pk=note.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    bell_events.admins_bells_bumped(reason=f"release-note.{note.pk}")
    return Notification.objects.filter(release_note=note).count()
