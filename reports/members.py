"""The members report («Rapport complet») and the custom one («Rapport personnalisé»):
one column catalogue, SPEC F7's list in the source platform's order, then every custom
field marked «shown in reports».

Rows are the members list's filtered members (`programs.selectors.members_filtered`), by
name, read in ONE select through a server-side cursor: every count, date and name list
is a correlated subquery of it, and the custom-field answers come as one JSON object per
member (`reports.sql.JsonObject`), so the number of queries never depends on the rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    DateTimeField,
    Expression,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programs.models import (
    ProfileField,
    ProfileFieldValue,
    Relationship,
    RelationshipStatus,
    Role,
    User,
)
from programs.selectors import members_filtered
from reports import answers, sql
from reports.files import iso_datetime
from reports.registry import Report, ReportContext, Row, register

BATCH = 2_000
COUNTED = [RelationshipStatus.MATCHED, RelationshipStatus.COMPLETED]
CUSTOM_PREFIX = "field_"
ORDER = ("last_name", "first_name", "id")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation, or a custom field's name
    # The values() key the column reads: a User field or an annotation of ANNOTATIONS.
    source: str
    render: Callable[[Any, ReportContext], object] = lambda value, context: value


def _when(value: Any, context: ReportContext) -> str:
    return iso_datetime(value, context.zone)


def _role(value: Any, context: ReportContext) -> str:
    # Role labels are lazy translations: read once per language, not once per row.
    labels = _ROLE_LABELS.get(context.language)
    if labels is None:
        labels = _ROLE_LABELS[context.language] = {
            str(role): str(label) for role, label in Role.choices
        }
    return labels.get(value, str(value or ""))


_ROLE_LABELS: dict[str, dict[str, str]] = {}


def _people(relationships: QuerySet[Relationship], person: str) -> Any:
    names = Concat(F(f"{person}__first_name"), Value(" "), F(f"{person}__last_name"))
    return sql.scalar(relationships, sql.TextList(names, "; "))


def _sorted_names(value: Any, context: ReportContext) -> str:
    return "; ".join(sorted(value.split("; "))) if value else ""


def _mine(role_field: str) -> QuerySet[Relationship]:
    return Relationship.objects.filter(**{role_field: sql.OuterRef("pk")})


def _either() -> QuerySet[Relationship]:
    return Relationship.objects.filter(Q(mentor=sql.OuterRef("pk")) | Q(mentee=sql.OuterRef("pk")))


def _annotations() -> dict[str, Callable[[], Expression | Any]]:
    return {
        "last_activity": lambda: Coalesce("last_seen", "last_login"),
        "latest_relationship": lambda: sql.scalar(
            _either(), sql.LastOf("created_at", output_field=DateTimeField())
        ),
        "total_mentees": lambda: sql.scalar(
            _mine("mentor").filter(status__in=COUNTED), sql.CountOf("pk"), default=0
        ),
        "total_mentors": lambda: sql.scalar(
            _mine("mentee").filter(status__in=COUNTED), sql.CountOf("pk"), default=0
        ),
        "current_relationships": lambda: sql.scalar(
            _either().filter(status=RelationshipStatus.MATCHED), sql.CountOf("pk"), default=0
        ),
        "current_mentors": lambda: _people(
            _mine("mentee").filter(status=RelationshipStatus.MATCHED), "mentor"
        ),
        "current_mentees": lambda: _people(
            _mine("mentor").filter(status=RelationshipStatus.MATCHED), "mentee"
        ),
        "evaluation_answers": answers.evaluation_answers,
        "survey_answers": answers.survey_answers,
        "custom_values": lambda: sql.scalar(
            ProfileFieldValue.objects.filter(user=sql.OuterRef("pk"), field__in_reports=True),
            sql.JsonObject(F("field_id"), F("value")),
        ),
    }


BUILTIN_COLUMNS: tuple[Column, ...] = (
    Column("id", _("Identifier"), "id"),
    Column("first_name", _("First name"), "first_name"),
    Column("last_name", _("Surname"), "last_name"),
    Column("email", _("Email address"), "email"),
    Column("created_at", _("Created on"), "date_joined", _when),
    Column("updated_at", _("Updated on"), "profile_updated_at", _when),
    Column("time_zone", _("Time zone"), "time_zone"),
    Column("sign_in_ip", _("Recent sign-in IP"), "last_login_ip"),
    Column("last_activity", _("Latest activity"), "last_activity", _when),
    Column("latest_relationship", _("Most recent relationship date"), "latest_relationship", _when),
    Column("job_title", _("Current job title"), "job_title"),
    Column("company", _("Company"), "company"),
    Column("sector", _("Current industry"), "sector"),
    Column("radius", _("Current radius"), "radius"),
    Column("years_of_experience", _("Years of experience"), "years_of_experience"),
    Column("country", _("Country"), "country"),
    Column("province", _("State/Province"), "province"),
    Column("goals", _("Goals"), "goals"),
    Column("city", _("City"), "city"),
    Column("gender", _("Sex"), "gender"),
    Column("languages", _("Languages"), "languages_spoken"),
    Column("meeting_places", _("Meeting places"), "meeting_places"),
    Column("meeting_formats", _("Meeting formats"), "meeting_formats"),
    Column("summary", _("Summary"), "summary"),
    Column("specialised_skills", _("Specialised skills"), "specialised_skills"),
    Column("development_areas", _("Development areas"), "development_areas"),
    Column("three_words", _("Three words"), "three_words"),
    Column("linkedin", _("LinkedIn handle"), "linkedin"),
    Column("twitter", _("Twitter handle"), "twitter"),
    Column("skype", _("Skype handle"), "skype"),
    Column("role", _("Relationship role"), "role", _role),
    Column("max_mentees", _("Maximum number of mentees"), "max_mentees"),
    Column("max_mentors", _("Maximum number of mentors"), "max_mentors"),
    Column("total_mentees", _("Total mentees"), "total_mentees"),
    Column("total_mentors", _("Total mentors"), "total_mentors"),
    Column("current_relationships", _("Number of current relationships"), "current_relationships"),
    Column("current_mentors", _("Current mentors"), "current_mentors", _sorted_names),
    Column("current_mentees", _("Current mentees"), "current_mentees", _sorted_names),
)


def _option_labels(field: ProfileField) -> dict[str, str]:
    language = get_language() or "en"
    return {
        str(option.get("id")): str(option.get(language) or option.get("en") or option.get("id"))
        for option in field.options or []
    }


def _custom_column(field: ProfileField) -> Column:
    """A custom field's column: its name in the reader's language, option ids shown as
    their labels, yes/no in words, several answers joined by «; »."""
    labels = _option_labels(field)
    yes, no = str(_("Yes")), str(_("No"))
    key = str(field.pk)

    def render(values: Any, context: ReportContext) -> object:
        value = (values or {}).get(key)
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return yes if value else no
        if isinstance(value, list):
            return "; ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), value)

    return Column(f"{CUSTOM_PREFIX}{field.pk}", field.name, "custom_values", render)


def member_columns(*, organisation_id: int) -> list[Column]:
    """Every column a member report may have, in order (call inside the reader's
    language: custom fields' names and options are read in it)."""
    fields = ProfileField.objects.filter(organisation_id=organisation_id, in_reports=True)
    given = [
        Column(
            "program_evaluation",
            _("Program evaluation"),
            "evaluation_answers",
            answers.evaluation_render(organisation_id),
        ),
        Column("surveys", _("Surveys"), "survey_answers", answers.survey_render(organisation_id)),
    ]
    return [*BUILTIN_COLUMNS, *given, *(_custom_column(field) for field in fields)]


def columns_chosen(columns: list[Column], keys: tuple[str, ...] | None) -> list[Column]:
    """The columns named by `keys`, in the catalogue's order; unknown keys are dropped."""
    if keys is None:
        return columns
    wanted = set(keys)
    return [column for column in columns if column.key in wanted]


def _queryset(context: ReportContext, columns: list[Column]) -> QuerySet[User]:
    annotations = _annotations()
    needed = {column.source for column in columns}
    qs = members_filtered(organisation_id=context.organisation.pk, filters=context.filters)
    qs = qs.annotate(**{name: annotations[name]() for name in needed if name in annotations})
    return qs.order_by(*ORDER)


def _header(context: ReportContext) -> list[str]:
    columns = columns_chosen(
        member_columns(organisation_id=context.organisation.pk), context.columns
    )
    return [str(column.label) for column in columns]


def _batches(context: ReportContext) -> Iterator[list[Row]]:
    columns = columns_chosen(
        member_columns(organisation_id=context.organisation.pk), context.columns
    )
    sources = sorted({column.source for column in columns})
    rows = _queryset(context, columns).values_list(*sources).iterator(chunk_size=BATCH)
    index = {source: position for position, source in enumerate(sources)}
    batch: list[Row] = []
    for values in rows:
        batch.append([column.render(values[index[column.source]], context) for column in columns])
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _count(context: ReportContext) -> int:
    return members_filtered(
        organisation_id=context.organisation.pk, filters=context.filters
    ).count()


MEMBERS = register(
    Report(
        key="members",
        title=_("Members report"),
        description=_("Every member with their profile, relationships and custom fields."),
        header=_header,
        batches=_batches,
        count=_count,
        member_filtered=True,
    )
)

CUSTOM = register(
    Report(
        key="custom",
        title=_("Custom report"),
        description=_("The columns you chose, for the members list's filter."),
        header=_header,
        batches=_batches,
        count=_count,
        member_filtered=True,
        listed=False,
    )
)
