"""The built-in profile fields (F11): one list that the profile forms, the member import's
columns, profile completion and the reports all read, so a field is declared once.

Custom fields are rows (models.ProfileField); these are columns of the member (User)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programs.models import Role

BOTH = frozenset({Role.MENTOR.value, Role.MENTEE.value})
MENTORS = frozenset({Role.MENTOR.value})
MENTEES = frozenset({Role.MENTEE.value})


@dataclass(frozen=True)
class BuiltinField:
    name: str  # the User attribute
    label: str | Promise
    kind: str  # "text", "long_text", "number", "url"
    roles: frozenset[str] = BOTH
    # Counted in «Achèvement des profils» for the roles it applies to.
    counts: bool = True
    # Column headers a member-import file may use, English then French (lower case,
    # compared without accents' case); the first English one is the sample's header.
    headers: tuple[str, ...] = ()

    def applies_to(self, role: str) -> bool:
        return role in self.roles


BUILTIN_FIELDS: tuple[BuiltinField, ...] = (
    BuiltinField("first_name", _("First name"), "text", headers=("first name", "prénom")),
    BuiltinField("last_name", _("Last name"), "text", headers=("last name", "nom")),
    BuiltinField("pronouns", _("Pronouns"), "text", headers=("pronouns", "pronoms")),
    BuiltinField("job_title", _("Job title"), "text", headers=("job title", "titre", "poste")),
    BuiltinField("company", _("Company"), "text", headers=("company", "entreprise")),
    BuiltinField("sector", _("Sector"), "text", headers=("sector", "industry", "secteur")),
    BuiltinField("function", _("Function"), "text", headers=("function", "fonction")),
    BuiltinField("city", _("City"), "text", headers=("city", "ville")),
    BuiltinField("province", _("Province"), "text", headers=("province",)),
    BuiltinField("region", _("Region"), "text", headers=("region", "région")),
    BuiltinField("country", _("Country"), "text", headers=("country", "pays")),
    BuiltinField(
        "summary", _("Short biography"), "long_text", headers=("summary", "biography", "résumé")
    ),
    BuiltinField(
        "years_of_experience",
        _("Years of experience"),
        "number",
        headers=("years of experience", "années d'expérience"),
    ),
    BuiltinField("gender", _("Gender"), "text", headers=("gender", "genre")),
    BuiltinField(
        "languages_spoken",
        _("Languages spoken"),
        "text",
        headers=("languages spoken", "langues parlées"),
    ),
    BuiltinField("goals", _("Goals"), "long_text", roles=MENTEES, headers=("goals", "objectifs")),
    BuiltinField(
        "specialised_skills",
        _("Specialised skills"),
        "long_text",
        roles=MENTORS,
        headers=("specialised skills", "compétences spécialisées"),
    ),
    BuiltinField(
        "development_areas",
        _("Development areas"),
        "long_text",
        roles=MENTEES,
        headers=("development areas", "domaines de développement"),
    ),
    BuiltinField(
        "three_words",
        _("Three words that describe you"),
        "text",
        headers=("three words", "trois mots"),
    ),
    BuiltinField("linkedin", _("LinkedIn"), "url", headers=("linkedin",)),
    BuiltinField("twitter", _("X (Twitter)"), "text", counts=False, headers=("twitter", "x")),
    BuiltinField("skype", _("Skype"), "text", counts=False, headers=("skype",)),
    BuiltinField(
        "meeting_places",
        _("Meeting places"),
        "text",
        counts=False,
        headers=("meeting places", "points de rendez-vous", "lieux de rencontre"),
    ),
    BuiltinField(
        "meeting_formats",
        _("Meeting formats"),
        "text",
        counts=False,
        headers=("meeting formats", "formats de rencontre"),
    ),
    BuiltinField(
        "radius",
        _("Radius (km)"),
        "number",
        counts=False,
        headers=("radius", "rayon"),
    ),
    BuiltinField(
        "max_mentees",
        _("Maximum mentees"),
        "number",
        roles=MENTORS,
        headers=("max mentees", "maximum de mentorés"),
    ),
    BuiltinField(
        "max_mentors",
        _("Maximum mentors"),
        "number",
        roles=MENTEES,
        headers=("max mentors", "maximum de mentors"),
    ),
)

BUILTIN_BY_NAME = {field.name: field for field in BUILTIN_FIELDS}


def builtin_fields_for(role: str) -> list[BuiltinField]:
    """The built-in fields a member of `role` has (administrators: the common ones)."""
    if role not in BOTH:
        return [field for field in BUILTIN_FIELDS if field.roles == BOTH]
    return [field for field in BUILTIN_FIELDS if field.applies_to(role)]
