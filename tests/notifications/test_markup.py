from __future__ import annotations

import pytest

from notifications.release_notes.markup import MarkupError, parse, render

SOURCE = """Administrators receive these notifications when platform updates are published.
## Video Conferencing
- A series of new [background images](https://example.org/bg) have been added.
- The platform will now remember your member's previous preferences.
## Email Logs
- Our [email logs](https://example.org/logs) now include the status of the emails sent.
"""


def test_parses_sections_bullets_and_links():
    doc = parse(SOURCE)
    assert [s.heading for s in doc.sections] == ["Video Conferencing", "Email Logs"]
    assert len(doc.sections[0].items) == 2
    html = render(SOURCE)
    assert "<h3>Video Conferencing</h3>" in html
    assert (
        '<a href="https://example.org/bg" rel="noopener noreferrer">background images</a>' in html
    )
    assert "member&#x27;s previous" in html


def test_html_is_escaped():
    html = render(
        '## <script>alert(1)</script>\n- <img src=x onerror=alert(1)> [x](https://a.test/"onmouseover=1)'
    )
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "text, message",
    [
        ("## A\n- [click](javascript:alert(1))", "Line 2: links must start with"),
        ("- orphan bullet", "Line 1: a bullet needs a section heading"),
        ("## A\n- [x](data:text/html,hi)", "links must start with"),
    ],
)
def test_bad_markup_is_refused_with_the_line(text, message):
    with pytest.raises(MarkupError, match=message):
        parse(text)
