"""The small markup staff write release notes in, and its safe rendering.

    Optional introduction paragraph.
    ## Section heading
    - A bullet item with a [link](https://example.org)

Everything is escaped; only http(s) and mailto links become anchors. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
SAFE_SCHEME = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


class MarkupError(ValueError):
    pass


@dataclass
class Section:
    heading: str
    items: list[str] = field(default_factory=list)


@dataclass
class Document:
    intro: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def parse(text: str) -> Document:
    """Read the markup; raise MarkupError (translated, with the line number) on a link
    that is not http(s)/mailto or a bullet before any heading."""
    doc = Document()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        for _label, target in LINK.findall(line):
            if not SAFE_SCHEME.match(target):
                raise MarkupError(
                    _(
                        "Line %(line)d: links must start with https://, http:// or mailto: (%(link)s)."
                    )
                    % {"line": number, "link": target}
                )
        if line.startswith("## "):
            doc.sections.append(Section(heading=line[3:].strip()))
        elif line.startswith(("- ", "* ")):
            if not doc.sections:
                raise MarkupError(
                    _("Line %(line)d: a bullet needs a section heading (## …) above it.")
                    % {"line": number}
                )
            doc.sections[-1].items.append(line[2:].strip())
        elif doc.sections and doc.sections[-1].items:
            # A continuation line belongs to the bullet above.
            doc.sections[-1].items[-1] += " " + line
        else:
            doc.intro.append(line)
    return doc


def inline(text: str) -> SafeString:
    """Escape a line and turn its [label](url) links into anchors."""
    out: list[str] = []
    position = 0
    for match in LINK.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(
            format_html(
                '<a href="{}" rel="noopener noreferrer">{}</a>', match.group(2), match.group(1)
            )
        )
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def render(text: str) -> SafeString:
    doc = parse(text)
    parts = [format_html("<p>{}</p>", inline(p)) for p in doc.intro]
    for section in doc.sections:
        parts.append(format_html("<h3>{}</h3>", section.heading))
        if section.items:
            items = "".join(format_html("<li>{}</li>", inline(item)) for item in section.items)
            parts.append(format_html("<ul>{}</ul>", mark_safe(items)))  # noqa: S308
    return mark_safe("".join(parts))  # noqa: S308
