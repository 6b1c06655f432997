"""The demo program, from the source document: Mentor Canada and its members."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction

from programs import services
from programs.models import MemberGroup, Organisation, Relationship, RelationshipStatus, Role, User

DEMO_PASSWORD = "tandem-demo"
ORG_SLUG = "mentor-canada"

ADMINS = [
    ("Michele", "Mantero", "michele.mantero@mentoringcanada.ca", "fr", "America/Toronto"),
    ("Brian", "Anderson", "brian.anderson@mentoringcanada.ca", "en", "America/Edmonton"),
]
MENTORS = [
    ("Anna", "Carter", "anna.carter@mentoringcanada.ca", "en", "America/Toronto"),
    ("Shawn", "Mintz", "shawn.mintz@mentoringcanada.ca", "en", "America/Vancouver"),
    ("Mary", "Smith", "test27-mentor2@mentoringcanada.ca", "en", "America/Toronto"),
    ("Kerrie", "Test", "test35-mentor1@mentoringcanada.ca", "en", "America/Halifax"),
    ("Melanie", "Test", "melanie.test@mentoringcanada.ca", "fr", "America/Toronto"),
    ("Luca", "Smith", "luca.smith@mentoringcanada.ca", "fr", "America/Toronto"),
    ("David", "Smith", "test25-mentor1@mentoringcanada.ca", "en", "America/Winnipeg"),
    ("Joe", "Smith", "test25-mentor@mentoringcanada.ca", "en", "America/Toronto"),
]
MENTEES = [
    ("Charlotte", "Test", "test22-mentor2@mentoringcanada.ca", "fr", "America/Toronto"),
    ("Bae", "Mintz", "bae.mintz@mentoringcanada.ca", "en", "America/Vancouver"),
    ("William", "Johnson", "william.johnson@mentoringcanada.ca", "en", "America/Toronto"),
    ("Ann", "Test", "ann.test@mentoringcanada.ca", "en", "America/Toronto"),
    ("Amy", "Test", "amy.test@mentoringcanada.ca", "en", "America/Halifax"),
    ("Jamie", "Test", "jamie.test@mentoringcanada.ca", "fr", "America/Toronto"),
    ("Nicholas", "Johnson", "test2-mentee1@mentoringcanada.ca", "en", "America/Toronto"),
    ("Sandy", "Test", "test25-mentee1@mentoringcanada.ca", "en", "America/Toronto"),
    ("Lina", "Chan", "test32-mentee1@mentoringcanada.ca", "en", "America/Vancouver"),
]
# (mentor email, mentee email, started, ended or None) — the «Jumelé» and «Complété» rows.
RELATIONSHIPS = [
    ("anna.carter@mentoringcanada.ca", "test22-mentor2@mentoringcanada.ca", "2023-09-13", None),
    ("shawn.mintz@mentoringcanada.ca", "bae.mintz@mentoringcanada.ca", "2023-08-10", None),
    (
        "test27-mentor2@mentoringcanada.ca",
        "test22-mentor2@mentoringcanada.ca",
        "2022-09-19",
        "2022-09-20",
    ),
    ("test27-mentor2@mentoringcanada.ca", "test22-mentor2@mentoringcanada.ca", "2022-09-20", None),
    ("test27-mentor2@mentoringcanada.ca", "william.johnson@mentoringcanada.ca", "2022-09-12", None),
    ("anna.carter@mentoringcanada.ca", "ann.test@mentoringcanada.ca", "2022-07-27", None),
    ("melanie.test@mentoringcanada.ca", "jamie.test@mentoringcanada.ca", "2022-07-13", None),
    ("test35-mentor1@mentoringcanada.ca", "amy.test@mentoringcanada.ca", "2022-05-12", None),
]
GROUPS = {
    "Groupe à Mary": [
        "test27-mentor2@mentoringcanada.ca",
        "test22-mentor2@mentoringcanada.ca",
        "test25-mentee1@mentoringcanada.ca",
    ],
    "Luca's Group": ["luca.smith@mentoringcanada.ca", "test2-mentee1@mentoringcanada.ca"],
}


def _day(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(hour=14, tzinfo=UTC)


@transaction.atomic
def demo_load() -> Organisation:
    """Create the Mentor Canada program, or leave it as it is: running twice changes nothing."""
    organisation, _ = Organisation.objects.get_or_create(
        slug=ORG_SLUG,
        defaults={
            "name_en": "Mentor Canada",
            "name_fr": "Mentorat Canada",
            "support_email": "systems.tests@mentoringcanada.ca",
        },
    )
    people: dict[str, User] = {}
    for role, rows in (
        (Role.ADMINISTRATOR, ADMINS),
        (Role.MENTOR, MENTORS),
        (Role.MENTEE, MENTEES),
    ):
        for first, last, email, language, zone in rows:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = services.member_create(
                    organisation=organisation,
                    email=email,
                    first_name=first,
                    last_name=last,
                    role=role,
                    password=DEMO_PASSWORD,
                    language=language,
                    time_zone=zone,
                    city="Toronto" if zone == "America/Toronto" else "",
                    country="Canada",
                )
            people[email] = user
    admin = people[ADMINS[0][2]]
    for mentor_email, mentee_email, started, ended in RELATIONSHIPS:
        mentor, mentee = people[mentor_email], people[mentee_email]
        status = RelationshipStatus.COMPLETED if ended else RelationshipStatus.MATCHED
        started_at = _day(started)
        if Relationship.objects.filter(
            mentor=mentor, mentee=mentee, status=status, started_at=started_at
        ).exists():
            continue
        relationship = services.relationship_match(
            actor=admin, mentor=mentor, mentee=mentee, relationship_administrator=admin
        )
        if ended:
            relationship = services.relationship_end(actor=admin, relationship=relationship)
        # The source's history: the relationship began (and ended) on these days.
        Relationship.objects.filter(pk=relationship.pk).update(
            created_at=started_at, started_at=started_at, ended_at=_day(ended) if ended else None
        )
    for name, emails in GROUPS.items():
        group = MemberGroup.objects.filter(organisation=organisation, name=name).first()
        if group is None:
            group = services.group_create(actor=admin, name=name)
            services.group_set_members(
                actor=admin, group=group, member_ids=[people[email].pk for email in emails]
            )
    _demo_staff()
    return organisation


STAFF_EMAIL = "support@tandem.localhost"


def _demo_staff() -> User:
    """Tandem's support staff (they write release notes; no organisation)."""
    staff = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    if staff is None:
        staff = User.objects.create_user(
            STAFF_EMAIL, DEMO_PASSWORD, first_name="Tandem", last_name="Support", is_staff=True
        )
    return staff
