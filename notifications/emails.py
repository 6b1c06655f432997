"""Rendering an email: keywords filled per recipient, admin HTML sanitised, the body
wrapped in the organisation's layout with CSS inlined, and a plain-text part. Pure
functions: no database, no sending."""

from __future__ import annotations

import html
import re

import css_inline
import nh3
from django.template.loader import render_to_string
from django.utils.html import escape, urlize

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


def fill(template: str, values: dict[str, str], *, escape_values: bool = False) -> str:
    """Replace each {keyword} by its value; HTML templates get escaped values."""

    def replace(match: re.Match) -> str:
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
    *, body_html: str, subject: str, organisation_name: str, language: str, pixel_url: str = ""
) -> str:
    """The organisation-branded layout around a body, with its CSS inlined for mail
    clients that ignore <style>."""
    page = render_to_string(
        "emails/layout.html",
        {
            "body": body_html,
            "subject": subject,
            "organisation_name": organisation_name,
            "language": language,
            "pixel_url": pixel_url,
        },
    )
    return css_inline.inline(page)
