"""Rendering an email: the one `render_email()` behind every send and every preview.

A message is worded in English and French (`Wording`); `render_email` picks the
recipient's language by the one fallback rule, fills the {keywords} with the one set of
values (`recipient_values`), sanitises an administrator's rich text, wraps the body in
the organisation's layout with its CSS inlined and writes the plain-text part. The
outbox stores what it returns; a preview shows it. So a preview is the send by
construction — only the open-tracking pixel, added by the outbox, differs.
No database, no sending.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import css_inline
import nh3
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, urlize

from programs import organisations

if TYPE_CHECKING:
    from programs.models import Organisation, User

KEYWORD = re.compile(r"\{([^{}\s][^{}]{0,40})\}")

# What an administrator's rich text may keep (F8): fonts, colours, bold, lists, links,
# images by URL. No scripts, no event handlers, no javascript: or data: URLs.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "span",
    "a",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "img",
    "sub",
    "sup",
    "pre",
    "code",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "width", "height"},
    "span": {"style", "class"},
    "p": {"style", "class"},
    "li": {"class"},
    "h1": {"style"},
    "h2": {"style"},
    "h3": {"style"},
}
ALLOWED_STYLES = {
    "color",
    "background-color",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-decoration",
    "text-align",
}
URL_SCHEMES = {"http", "https", "mailto"}


def keywords_in(template: str) -> set[str]:
    return set(KEYWORD.findall(template))


def unknown_keywords(template: str, allowed: set[str] | frozenset[str]) -> set[str]:
    return keywords_in(template) - set(allowed)


def fill(template: str, values: Mapping[str, str], *, escape_values: bool = False) -> str:
    """Replace each {keyword} by its value; HTML templates get escaped values."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return escape(value) if escape_values else str(value)

    return KEYWORD.sub(replace, template)


def sanitise(rich_html: str) -> str:
    return nh3.clean(
        rich_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=ALLOWED_STYLES,
        link_rel="noopener noreferrer",
    )


def text_to_html(text: str) -> str:
    """A plain-text body as HTML paragraphs with its links clickable."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + urlize(escape(p), nofollow=True).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


def html_to_text(body_html: str) -> str:
    """The plain-text part of a rich body: paragraphs and line breaks kept, tags gone,
    links written out."""
    with_links = re.sub(
        r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', r"\2 (\1)", body_html, flags=re.S | re.I
    )
    blocks = re.sub(r"</(p|h[1-6]|li|blockquote|pre)>|<br\s*/?>", "\n", with_links, flags=re.I)
    blocks = re.sub(r"<li[^>]*>", "- ", blocks, flags=re.I)
    text = html.unescape(nh3.clean(blocks, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def wrap(
    *, body_html: str, subject: str, organisation_name: str, language: str, logo_url: str = ""
) -> str:
    """The organisation-branded layout around a body (with its logo, an absolute URL, when
    it has one), in `language`, with its CSS inlined for mail clients that ignore <style>."""
    with translation.override(language):
        page = render_to_string(
            "emails/layout.html",
            {
                "body": body_html,
                "subject": subject,
                "organisation_name": organisation_name,
                "language": language,
                "logo_url": logo_url,
            },
        )
    return css_inline.inline(page)


# --- The values of the {keywords} ---------------------------------------------------------

# Every keyword a message may use → what it stands for. The French spellings are the
# source platform's community-message tags. Which keywords a given message may use is
# its feature's rule (system_messages.catalogue, community.tags); the values are these.
KEYWORD_MEANINGS = {
    "first_name": "first_name",
    "prénom": "first_name",
    "last_name": "last_name",
    "nom": "last_name",
    "full_name": "full_name",
    "Nom complet": "full_name",
    "nom complet": "full_name",
    "email": "email",
    "org_name": "org_name",
    "organisation": "org_name",
    "admin_email": "admin_email",
}


def organisation_name(organisation: Organisation | None, language: str) -> str:
    """The organisation's name in `language` (Tandem's own for an email to staff)."""
    if organisation is None:
        return "Tandem"
    with translation.override(language):
        return organisation.name


def recipient_values(
    recipient: User, organisation: Organisation | None, *, language: str | None = None
) -> dict[str, str]:
    """The value of every keyword about the recipient and their organisation, written in
    `language` (by default the recipient's)."""
    meanings = {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "full_name": recipient.full_name,
        "email": recipient.email,
        "org_name": organisation_name(organisation, language or recipient.language),
        "admin_email": organisation.support_email if organisation else "",
    }
    return {keyword: meanings[meaning] for keyword, meaning in KEYWORD_MEANINGS.items()}


# --- One message, rendered for one recipient ------------------------------------------------


class Worded(Protocol):
    """Anything worded in both languages: a catalogue default, an organisation's copy,
    a community message."""

    @property
    def subject_en(self) -> str: ...
    @property
    def body_en(self) -> str: ...
    @property
    def subject_fr(self) -> str: ...
    @property
    def body_fr(self) -> str: ...


@dataclass(frozen=True)
class Wording:
    """A message's subject and body in English and in French (either may be empty)."""

    subject_en: str = ""
    body_en: str = ""
    subject_fr: str = ""
    body_fr: str = ""

    @classmethod
    def of(cls, source: Worded) -> Wording:
        return cls(source.subject_en, source.body_en, source.subject_fr, source.body_fr)

    def in_language(self, language: str) -> tuple[str, str]:
        """(subject, body) in `language` — the one fallback rule: the recipient's
        language's version when it was written, otherwise the other language's."""
        other = "en" if language == "fr" else "fr"
        for lang in (language, other):
            subject, body = getattr(self, f"subject_{lang}"), getattr(self, f"body_{lang}")
            if subject or body:
                return subject, body
        return "", ""


class BodyFormat(StrEnum):
    TEXT = "text"  # plain text (system messages): paragraphs and links become HTML
    HTML = "html"  # an administrator's rich text (community messages): sanitised


@dataclass(frozen=True)
class RenderedEmail:
    """What one recipient gets: subject, plain-text part and the whole HTML page (without
    the open-tracking pixel, which only a sent email carries)."""

    language: str
    subject: str
    text: str
    html: str


def render_email(
    *,
    wording: Wording,
    body_format: BodyFormat,
    language: str,
    values: Mapping[str, str],
    organisation: Organisation | None,
) -> RenderedEmail:
    """The email as the recipient reads it, in `language` (or the other one when only
    that one was written), keywords filled with `values` (escaped in HTML)."""
    subject_template, body_template = wording.in_language(language)
    # One header line: a line break in a subject would be a header injection.
    subject = re.sub(r"\s*[\r\n]+\s*", " ", fill(subject_template, values)).strip()
    if body_format == BodyFormat.HTML:
        body_html = fill(sanitise(body_template), values, escape_values=True)
        text = html_to_text(body_html)
    else:
        text = fill(body_template, values)
        body_html = text_to_html(text)
    page = wrap(
        body_html=body_html,
        subject=subject,
        organisation_name=organisation_name(organisation, language),
        language=language,
        logo_url=organisations.logo_url(organisation),
    )
    return RenderedEmail(language=language, subject=subject, text=text, html=page)
