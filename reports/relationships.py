"""The relationships report («Rapport des relations»): one row per relationship.

«Publications» (the pair's conversation) and «Notes du mentor» / «Notes du mentoré» are
columns only while the organisation lets administrators read them
(`Organisation.messages_in_reports`, `notes_in_reports`, default off); an export with them
is written to the audit log as a read of the conversations / notes (`reads`), as reading
one pair's on its page is. One select, every fact a subquery (see reports.sql)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from programs.audit import AuditAction
from programs.models import Relationship, RelationshipStatus, Role
from reports import sql
from reports.files import iso_datetime
from reports.registry import Report, ReportContext, Row, register
from scheduling.models import Meeting
from scheduling.selectors.common import ACTIVE_STATUSES
from workspace.models import AgreementAnswer, Post, PrivateNote

BATCH = 1_000


def _name(person: str) -> Concat:
    return Concat(F(f"{person}__first_name"), Value(" "), F(f"{person}__last_name"))


def held(meetings: QuerySet[Meeting], now: dt.datetime) -> QuerySet[Meeting]:
    """Meetings not cancelled whose end is past (scheduling.selectors.counts' "held")."""
    return meetings.filter(status__in=ACTIVE_STATUSES, ends_at__lte=now)


def hours(value: dt.timedelta | None) -> float:
    return round((value or dt.timedelta()).total_seconds() / 3600, 2)


def _posts_shown(context: ReportContext) -> bool:
    return context.organisation.messages_in_reports


def _notes_shown(context: ReportContext) -> bool:
    return context.organisation.notes_in_reports


def _header(context: ReportContext) -> list[str]:
    header = [
        _("Mentor name"),
        _("Mentee name"),
        _("Relationship status"),
        _("Mentoring agreement"),
        _("Number of hours"),
        _("Number of meetings"),
        _("Created on"),
        _("Started on"),
        _("Ended on"),
        _("Relationship administrator"),
    ]
    if _posts_shown(context):
        header.append(_("Posts"))
    if _notes_shown(context):
        header += [_("Mentor's notes"), _("Mentee's notes")]
    header.append(_("Mentoring agreement answers"))
    return header


def _queryset(context: ReportContext) -> QuerySet[Relationship]:
    now = timezone.now()
    mine = Meeting.objects.filter(relationship=OuterRef("pk"))
    qs = Relationship.objects.filter(organisation_id=context.organisation.pk).annotate(
        mentor_name=_name("mentor"),
        mentee_name=_name("mentee"),
        administrator_name=_name("relationship_administrator"),
        held_count=sql.scalar(held(mine, now), sql.CountOf("pk"), default=0),
        held_time=sql.scalar(held(mine, now), sql.DurationSum(F("ends_at") - F("starts_at"))),
        answers=sql.scalar(
            AgreementAnswer.objects.filter(agreement__relationship=OuterRef("pk")),
            sql.JsonRows(F("key"), F("text")),
        ),
    )
    if _posts_shown(context):
        qs = qs.annotate(
            post_lines=sql.scalar(
                Post.objects.filter(relationship=OuterRef("pk"), deleted_at__isnull=True),
                sql.JsonRows(F("author_id"), F("created_at"), F("text")),
            )
        )
    if _notes_shown(context):
        notes = PrivateNote.objects.filter(relationship=OuterRef("pk"))
        qs = qs.annotate(
            mentor_notes=Subquery(notes.filter(author=OuterRef("mentor")).values("text")[:1]),
            mentee_notes=Subquery(notes.filter(author=OuterRef("mentee")).values("text")[:1]),
        )
    return qs.order_by("-created_at", "-id")


def _agreement_state(row: dict[str, Any], zone: dt.tzinfo) -> str:
    if row["agreement__id"] is None:
        return pgettext("agreement state", "Not started")
    mentor, mentee = row["agreement__mentor_signed_at"], row["agreement__mentee_signed_at"]
    if mentor and mentee:
        return _("Signed on %(date)s") % {"date": iso_datetime(max(mentor, mentee), zone)}
    return pgettext("agreement state", "In progress")


def _questions(sections: Any, language: str) -> dict[str, str]:
    """{answer key: question text} of the agreement as the pair answered it."""
    texts: dict[str, str] = {}
    for section in sections or []:
        for question in section.get("questions", []):
            key = str(question.get("key", ""))
            texts[key] = str(question.get(f"text_{language}") or question.get("text_en") or key)
    return texts


def _answers(row: dict[str, Any], language: str) -> str:
    questions = _questions(row["agreement__sections"], language)
    lines = [
        f"{questions.get(str(key), key)}: {text}"
        for key, text in sorted(row["answers"] or [], key=lambda pair: str(pair[0]))
        if text
    ]
    return "\n".join(lines)


def _parse_time(value: Any) -> dt.datetime:
    when = dt.datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _posts(row: dict[str, Any], zone: dt.tzinfo) -> str:
    """ "Mentor 2021-06-02 17:52: text" lines, oldest first."""
    mentor, mentee = str(Role.MENTOR.label), str(Role.MENTEE.label)
    posts = sorted(
        ((_parse_time(at), author, text) for author, at, text in row["post_lines"] or []),
        key=lambda post: post[0],
    )
    return "\n".join(
        f"{mentor if author == row['mentor_id'] else mentee} {iso_datetime(at, zone)}: {text}"
        for at, author, text in posts
    )


FIELDS = (
    "mentor_id",
    "mentor_name",
    "mentee_name",
    "status",
    "agreement__id",
    "agreement__mentor_signed_at",
    "agreement__mentee_signed_at",
    "agreement__sections",
    "held_count",
    "held_time",
    "created_at",
    "started_at",
    "ended_at",
    "administrator_name",
    "answers",
)


def _batches(context: ReportContext) -> Iterator[list[Row]]:
    statuses = {str(value): str(label) for value, label in RelationshipStatus.choices}
    posts, notes = _posts_shown(context), _notes_shown(context)
    fields = [
        *FIELDS,
        *(["post_lines"] if posts else []),
        *(["mentor_notes", "mentee_notes"] if notes else []),
    ]
    zone, language = context.zone, context.language.split("-")[0]
    batch: list[Row] = []
    for row in _queryset(context).values(*fields).iterator(chunk_size=BATCH):
        cells: list[object] = [
            row["mentor_name"],
            row["mentee_name"],
            statuses.get(row["status"], row["status"]),
            _agreement_state(row, zone),
            hours(row["held_time"]),
            row["held_count"],
            iso_datetime(row["created_at"], zone),
            iso_datetime(row["started_at"], zone),
            iso_datetime(row["ended_at"], zone),
            (row["administrator_name"] or "").strip(),
        ]
        if posts:
            cells.append(_posts(row, zone))
        if notes:
            cells += [row["mentor_notes"] or "", row["mentee_notes"] or ""]
        cells.append(_answers(row, language))
        batch.append(cells)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _count(context: ReportContext) -> int:
    return Relationship.objects.filter(organisation_id=context.organisation.pk).count()


def _reads(context: ReportContext) -> list[AuditAction]:
    reads = []
    if _posts_shown(context):
        reads.append(AuditAction.CONVERSATION_READ)
    if _notes_shown(context):
        reads.append(AuditAction.NOTES_READ)
    return reads


RELATIONSHIPS = register(
    Report(
        key="relationships",
        title=gettext_lazy("Relationships report"),
        description=gettext_lazy(
            "Every relationship with its status, meetings, agreement and, when your "
            "program allows it, its posts and notes."
        ),
        header=_header,
        batches=_batches,
        count=_count,
        reads=_reads,
    )
)
