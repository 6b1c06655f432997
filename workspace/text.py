"""How a post's plain text becomes HTML: the one function the page and the socket payload
both use. Everything is escaped; http(s) addresses become links that open in a new tab
(rel="noopener nofollow ugc"); line breaks are kept as <br>. Nothing else is markup."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# An address runs until whitespace or a character that cannot be in one unescaped.
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address ("see https://x.org.").
_TRAILING = ".,;:!?)]}"


def _text(part: str) -> str:
    return escape(part).replace("\r\n", "\n").replace("\n", "<br>\n")


def post_html(text: str) -> SafeString:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        end = match.end()
        while url and url[-1] in _TRAILING:
            url = url[:-1]
            end -= 1
        if len(url) <= len("https://"):
            continue
        out.append(_text(text[last : match.start()]))
        href = escape(url)
        out.append(f'<a href="{href}" rel="noopener nofollow ugc" target="_blank">{href}</a>')
        last = end
    out.append(_text(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every part above is escaped
