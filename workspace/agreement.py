"""The agreement template: the default every new organisation starts from, reading an
organisation's template, and the plain-text form administrators edit it in."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from programs.errors import DomainError
from workspace.models import AgreementTemplate

Sections = list[dict[str, Any]]

DEFAULT_SECTIONS: Sections = [
    {
        "title_en": "Goals of the relationship",
        "title_fr": "Objectifs de la relation",
        "questions": [
            {
                "key": "goals",
                "text_en": "What do we want to achieve together?",
                "text_fr": "Que voulons-nous accomplir ensemble ?",
            },
        ],
    },
    {
        "title_en": "Meetings",
        "title_fr": "Rencontres",
        "questions": [
            {
                "key": "frequency",
                "text_en": "How often and how will we meet?",
                "text_fr": "À quelle fréquence et comment nous rencontrerons-nous ?",
            },
            {
                "key": "contact",
                "text_en": "How do we reach each other between meetings?",
                "text_fr": "Comment nous joindre entre les rencontres ?",
            },
        ],
    },
    {
        "title_en": "Confidentiality",
        "title_fr": "Confidentialité",
        "questions": [
            {
                "key": "confidentiality",
                "text_en": "What stays between us?",
                "text_fr": "Qu'est-ce qui reste entre nous ?",
            },
        ],
    },
    {
        "title_en": "Ending the relationship",
        "title_fr": "Fin de la relation",
        "questions": [
            {
                "key": "ending",
                "text_en": "How will we end the relationship, or say it is not working?",
                "text_fr": "Comment mettrons-nous fin à la relation, ou dirons-nous "
                "qu'elle ne fonctionne pas ?",
            },
        ],
    },
]


def template_sections(*, organisation_id: int) -> Sections:
    row = AgreementTemplate.objects.filter(organisation_id=organisation_id).first()
    return row.sections if row and row.sections else DEFAULT_SECTIONS


def question_keys(sections: Sections) -> list[str]:
    return [q["key"] for s in sections for q in s["questions"]]


def localised(sections: Sections, language: str) -> list[dict[str, Any]]:
    """Sections with `title` and each question's `text` in `language` (French falls
    back to English when a translation is missing)."""
    suffix = "fr" if language == "fr" else "en"

    def pick(item: dict[str, Any], field: str) -> str:
        return item.get(f"{field}_{suffix}") or item.get(f"{field}_en") or ""

    return [
        {
            "title": pick(s, "title"),
            "questions": [{"key": q["key"], "text": pick(q, "text")} for q in s["questions"]],
        }
        for s in sections
    ]


# -- the administrator's text form ------------------------------------------------------
#
#   # Goals of the relationship | Objectifs de la relation
#   - [goals] What do we want to achieve together? | Que voulons-nous accomplir ensemble ?
#
# A line starting with "#" opens a section, "-" adds a question; English | French. The
# [key] keeps a question's answers when its wording changes; new questions get one.

LINE_MAX = 500
_KEY = re.compile(r"^\[([a-z0-9_-]{1,40})\]\s*")


def as_text(sections: Sections) -> str:
    lines: list[str] = []
    for s in sections:
        lines.append(f"# {s['title_en']} | {s.get('title_fr', '')}".rstrip(" |"))
        for q in s["questions"]:
            lines.append(f"- [{q['key']}] {q['text_en']} | {q.get('text_fr', '')}".rstrip(" |"))
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _pair(text: str, number: int) -> tuple[str, str]:
    english, _sep, french = text.partition("|")
    english, french = english.strip(), french.strip()
    if not english:
        raise DomainError(_("Line %(n)d: write the English text first.") % {"n": number})
    if len(english) > LINE_MAX or len(french) > LINE_MAX:
        raise DomainError(_("Line %(n)d is too long.") % {"n": number})
    return english, french


def parse_text(text: str) -> Sections:
    sections: Sections = []
    keys: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            english, french = _pair(line.lstrip("#"), number)
            sections.append({"title_en": english, "title_fr": french, "questions": []})
        elif line.startswith("-"):
            if not sections:
                raise DomainError(
                    _("Line %(n)d: a question must follow a section title (“# …”).") % {"n": number}
                )
            body = line[1:].strip()
            match = _KEY.match(body)
            key = match.group(1) if match else ""
            body = body[match.end() :] if match else body
            english, french = _pair(body, number)
            if not key:
                index = len(keys) + 1
                while f"q{index}" in keys:
                    index += 1
                key = f"q{index}"
            if key in keys:
                raise DomainError(
                    _("Line %(n)d repeats the key [%(key)s].") % {"n": number, "key": key}
                )
            keys.add(key)
            sections[-1]["questions"].append({"key": key, "text_en": english, "text_fr": french})
        else:
            raise DomainError(
                _("Line %(n)d must start with “#” (a section) or “-” (a question).") % {"n": number}
            )
    if not keys:
        raise DomainError(_("The agreement needs at least one question."))
    if any(not s["questions"] for s in sections):
        raise DomainError(_("Every section needs at least one question."))
    return sections
