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
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, cast

import css_inline
import nh3
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import Urlizer, escape, urlize
from django.utils.safestring import mark_safe

from programs import organisations

if TYPE_CHECKING:
    from programs.models import Organisation, User

logger = logging.getLogger(__name__)

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


# --- One message, rendered for many recipients ----------------------------------------------

# How django.utils.html.urlize splits a text into the words it links one by one.
_URLIZE_WORDS = cast(re.Pattern[str], Urlizer.word_split_re)
_SUBJECT_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _subject_line(filled: str) -> str:
    """A filled subject as one header line (a line break would be a header injection)."""
    return _SUBJECT_LINE_BREAKS.sub(" ", filled).strip()


def _safe_value(value: str, nonce: str) -> bool:
    """A per-recipient value the render-once path substitutes exactly: not empty, no line
    break, no white space at either end (so it never moves a paragraph, line or word
    boundary of the template), and not containing the placeholders' nonce."""
    return (
        bool(value)
        and value == value.strip()
        and "\n" not in value
        and "\r" not in value
        and nonce not in value
    )


@dataclass(frozen=True)
class _Prepared:
    """A plain-text message rendered once for one language with a placeholder token for
    each per-recipient value, and how to finish it for one recipient."""

    nonce: str
    tokens: dict[str, str]  # keyword → its token (letters and digits only)
    by_token: dict[str, str]  # token → keyword
    token_re: re.Pattern[str]
    subject: str  # the finished subject line, with tokens
    text: str  # the plain-text part, with tokens
    # The HTML body: its paragraphs, each a list of urlize "words" (runs split as
    # django.utils.html.Urlizer splits them); a str is final HTML, a tuple a word holding
    # tokens, urlized per recipient once its values are in.
    paragraphs: list[list[str | tuple[str]]]
    page: str  # the layout rendered with SUBJECT/BODY tokens, before CSS inlining
    subject_token: str
    body_token: str

    def finish(self, values: Mapping[str, str], language: str) -> RenderedEmail:
        def raw(match: re.Match[str]) -> str:
            return values[self.by_token[match.group(0)]]

        def escaped(match: re.Match[str]) -> str:
            return escape(values[self.by_token[match.group(0)]])

        subject = self.token_re.sub(raw, self.subject)
        text = self.token_re.sub(raw, self.text)
        parts: list[str] = []
        for paragraph in self.paragraphs:
            parts.append("<p>")
            for word in paragraph:
                if isinstance(word, str):
                    parts.append(word)
                else:
                    filled = mark_safe(self.token_re.sub(escaped, word[0]))  # noqa: S308 - escaped values in escaped text
                    parts.append(urlize(filled, nofollow=True).replace("\n", "<br>"))
            parts.append("</p>")
        body_html = "".join(parts)
        page = self.page.replace(self.subject_token, escape(subject), 1).replace(
            self.body_token, body_html, 1
        )
        return RenderedEmail(
            language=language, subject=subject, text=text, html=css_inline.inline(page)
        )

    def fits(self, values: Mapping[str, str]) -> bool:
        return all(_safe_value(value, self.nonce) for value in values.values())


def _prepare(
    *,
    wording: Wording,
    language: str,
    constant: Mapping[str, str],
    varying: Sequence[str],
    organisation: Organisation | None,
) -> _Prepared | None:
    """Render a plain-text message once for `language`: `constant` values filled in,
    each `varying` keyword as a token. None when the wording happens to hold the tokens'
    nonce (then every recipient is rendered on their own)."""
    nonce = secrets.token_hex(8)
    subject_template, body_template = wording.in_language(language)
    if nonce in subject_template or nonce in body_template:
        return None
    tokens = {keyword: f"zq{nonce}t{n}zq" for n, keyword in enumerate(varying)}
    token_re = re.compile("|".join(re.escape(token) for token in tokens.values()) or "(?!)")
    # One fill with constants and tokens together, exactly as `fill` does with the values.
    mixed = {**constant, **tokens}
    subject = _subject_line(fill(subject_template, mixed))
    text = fill(body_template, mixed)
    paragraphs: list[list[str | tuple[str]]] = []
    for paragraph in (p.strip() for p in _PARAGRAPH_BREAK.split(text.strip())):
        if not paragraph:
            continue
        words: list[str | tuple[str]] = []
        for word in _URLIZE_WORDS.split(str(escape(paragraph))):
            if token_re.search(word):
                words.append((word,))
            else:
                words.append(urlize(mark_safe(word), nofollow=True).replace("\n", "<br>"))  # noqa: S308 - escaped above
        paragraphs.append(words)
    subject_token, body_token = f"zq{nonce}subjectzq", f"zq{nonce}bodyzq"
    with translation.override(language):
        page = render_to_string(
            "emails/layout.html",
            {
                "body": body_token,
                "subject": subject_token,
                "organisation_name": organisation_name(organisation, language),
                "language": language,
                "logo_url": organisations.logo_url(organisation),
            },
        )
    if page.count(subject_token) != 1 or page.count(body_token) != 1:
        return None
    return _Prepared(
        nonce=nonce,
        tokens=tokens,
        by_token={token: keyword for keyword, token in tokens.items()},
        token_re=token_re,
        subject=subject,
        text=text,
        paragraphs=paragraphs,
        page=page,
        subject_token=subject_token,
        body_token=body_token,
    )


def render_emails(
    *,
    wording: Wording,
    organisation: Organisation | None,
    recipients: Sequence[tuple[str, Mapping[str, str]]],
) -> list[RenderedEmail]:
    """`render_email` of a plain-text message (BodyFormat.TEXT) for many recipients, each
    `(language, values)`, byte for byte the same — rendered once per language.

    The wording is filled once per language with the values every recipient shares
    (the organisation's) and a placeholder token for each value that differs; each
    recipient's email is then that render with their values put in place of the tokens:
    raw in the subject and the text part, HTML-escaped in the HTML part, where the words
    holding a value are made clickable (urlize) once the value is in, as `text_to_html`
    does. A recipient whose value could move a line, paragraph or word boundary (empty,
    spaces at an end, a line break) is rendered on their own with `render_email`; so is
    everyone when the first recipient of a language does not come out identical to
    `render_email` (checked every call)."""
    rendered: list[RenderedEmail | None] = [None] * len(recipients)
    by_language: dict[str, list[int]] = {}
    for index, (language, _values) in enumerate(recipients):
        by_language.setdefault(language, []).append(index)

    def alone(index: int) -> RenderedEmail:
        language, values = recipients[index]
        return render_email(
            wording=wording,
            body_format=BodyFormat.TEXT,
            language=language,
            values=values,
            organisation=organisation,
        )

    for language, indexes in by_language.items():
        subject_template, body_template = wording.in_language(language)
        used = keywords_in(subject_template) | keywords_in(body_template)
        first = recipients[indexes[0]][1]
        same_keys = all(set(recipients[i][1]) == set(first) for i in indexes)
        varying = [
            key
            for key in first
            if key in used and any(recipients[i][1][key] != first[key] for i in indexes)
        ]
        constant = {key: value for key, value in first.items() if key not in varying}
        prepared = (
            _prepare(
                wording=wording,
                language=language,
                constant=constant,
                varying=varying,
                organisation=organisation,
            )
            if same_keys and len(indexes) > 1
            else None
        )
        checked = False
        for index in indexes:
            values = recipients[index][1]
            own = {key: values[key] for key in varying}
            if prepared is None or not prepared.fits(own):
                rendered[index] = alone(index)
                continue
            email = prepared.finish(own, language)
            if not checked:
                # The first recipient rendered both ways: any difference and the rest of
                # this language is rendered one by one.
                reference = alone(index)
                checked = True
                if email != reference:
                    logger.warning("render once: %s differs from render_email", language)
                    prepared, email = None, reference
            rendered[index] = email
    return [email for email in rendered if email is not None]
