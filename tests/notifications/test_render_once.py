"""Rendering one plain-text message for many recipients (render.render_emails, what an
import's invitations use) gives each recipient byte for byte what render_email gives them
alone: subject, text part and HTML page, in both languages, with values that escape,
link, collapse or break things."""

from __future__ import annotations

import logging

import pytest

from notifications.email import render
from notifications.system_messages import catalogue
from notifications.system_messages.services import system_email_render
from programs.models import Organisation

TRICKY_NAMES = [
    ("Anna", "Smith"),
    ("Élodie-Zoé", "Ñúñez d'Araújo"),
    ("<script>alert('x')</script>", "Tom & Jerry"),
    ('"Quoted"', "O'Brien"),
    ("Jean Paul", "de  la   Fontaine"),  # spaces inside: several words
    ("A" * 150, "B" * 150),
    ("www.example.com", "http://evil.example.org/?a=1&b=<2>"),
    ("bob@example.com", "(paren)"),
    ("https://x.example.net/path.", "end,"),
    ("&amp;", "&lt;b&gt;"),
    ("\xa0nbsp\xa0", "tab\there"),  # non-breaking spaces at the ends: rendered alone
    ("", "Empty"),  # empty: rendered alone
    ("Line\nbreak", "Carriage\rreturn"),  # line breaks: rendered alone
    ("{email}", "{here}"),  # keyword-looking values are not filled again
    ("Zoë", "Ünïcödé 漢字 🙂"),
]


def tricky_recipients() -> list[tuple[str, dict[str, str]]]:
    recipients = []
    for n, (first, last) in enumerate(TRICKY_NAMES):
        for language in ("en", "fr"):
            email = f"m{n}.{language}+tag@example.com" if n % 3 else f"Ça.{n}@exämple.org"
            values = {
                "first_name": first,
                "prénom": first,
                "last_name": last,
                "nom": last,
                "full_name": f"{first} {last}".strip(),
                "Nom complet": f"{first} {last}".strip(),
                "nom complet": f"{first} {last}".strip(),
                "email": email,
                "org_name": "Mentorat & Cie <Montréal>",
                "organisation": "Mentorat & Cie <Montréal>",
                "admin_email": "",
                "here": f"https://tandem.example.com/password/{n}/a-b_c/?x=1&y='{n}'",
            }
            recipients.append((language, values))
    return recipients


WORDINGS = [
    render.Wording.of(catalogue.BY_KEY["login_information"]),
    render.Wording(
        subject_en="Hi {first_name}\n  {last_name} ",
        body_en="{first_name}{last_name}.\n\n  ({email}), {here}!\n{full_name}\n\n\n{admin_email}",
        subject_fr="",
        body_fr="",
    ),
    render.Wording(
        subject_en="{full_name}",
        body_en='<b>{first_name}</b> & "{last_name}" www.{first_name}.com {unknown}',
        subject_fr="Bonjour {prénom}",
        body_fr="Bonjour {prénom} {nom},\xa0: {here}\n\n{organisation}",
    ),
]


def alone(wording, organisation, language, values):
    return render.render_email(
        wording=wording,
        body_format=render.BodyFormat.TEXT,
        language=language,
        values=values,
        organisation=organisation,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("wording", WORDINGS)
@pytest.mark.parametrize("with_organisation", [True, False])
def test_rendered_once_is_byte_for_byte_each_recipients_own_render(
    wording, with_organisation, caplog
):
    organisation = (
        Organisation.objects.create(
            slug="render-once", name_en="Mentoring & Co", name_fr="Mentorat & Cie"
        )
        if with_organisation
        else None
    )
    recipients = tricky_recipients()
    with caplog.at_level(logging.WARNING, logger="notifications.email.render"):
        many = render.render_emails(
            wording=wording, organisation=organisation, recipients=recipients
        )
    assert len(many) == len(recipients)
    for (language, values), email in zip(recipients, many, strict=True):
        own = alone(wording, organisation, language, values)
        assert email.subject == own.subject
        assert email.text == own.text
        assert email.html == own.html
        assert email == own
    # The fast path was taken (no fallback for the whole language).
    assert "differs" not in caplog.text


@pytest.mark.django_db
def test_the_fast_path_is_the_one_taken_and_links_are_made_per_recipient(org):
    wording = render.Wording.of(catalogue.BY_KEY["login_information"])
    recipients = [
        (
            "fr" if n % 2 else "en",
            {
                "first_name": f"Prénom{n}",
                "last_name": f"Nom{n}",
                "email": f"m{n}@example.com",
                "org_name": "Org",
                "admin_email": "admin@example.com",
                "here": f"https://tandem.example.com/p/{n}/",
            },
        )
        for n in range(6)
    ]
    many = render.render_emails(wording=wording, organisation=org, recipients=recipients)
    for n, email in enumerate(many):
        assert f'<a href="https://tandem.example.com/p/{n}/"' in email.html
        assert f'href="mailto:m{n}@example.com"' in email.html
        assert f"Prénom{n}" in email.text and "zq" not in email.html
        assert email.language == ("fr" if n % 2 else "en")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_preview_renders_what_the_batch_sends(org, language):
    """system_email_render (the preview and the single send) == render_emails."""
    wording = render.Wording.of(catalogue.BY_KEY["login_information"])
    values = [v for lang, v in tricky_recipients() if lang == language]
    many = render.render_emails(
        wording=wording, organisation=org, recipients=[(language, v) for v in values]
    )
    for own, email in zip(values, many, strict=True):
        assert email == system_email_render(
            organisation=org, wording=wording, language=language, values=own
        )


@pytest.mark.django_db
def test_only_the_values_that_could_move_a_boundary_are_rendered_alone(org, monkeypatch):
    """render_email (spied on, still run) is called once per language to check the
    render-once result, and for each recipient with an empty, space-ended or multi-line
    value — not for the others."""
    calls: list[str] = []
    real = render.render_email

    def spy(**kwargs):
        calls.append(kwargs["values"]["first_name"])
        return real(**kwargs)

    monkeypatch.setattr(render, "render_email", spy)
    wording = render.Wording.of(catalogue.BY_KEY["login_information"])
    render.render_emails(wording=wording, organisation=org, recipients=tricky_recipients())
    alone_names = {"\xa0nbsp\xa0", "", "Line\nbreak"}
    assert sorted(calls) == sorted([*(2 * sorted(alone_names)), "Anna", "Anna"])


@pytest.mark.django_db
def test_a_render_once_that_differs_falls_back_to_each_recipients_own_render(
    org, monkeypatch, caplog
):
    """The per-call check: were the render-once result ever different from render_email
    (here made so on purpose), every recipient still gets render_email's email."""
    real = render._Prepared.finish

    def different(self, values, language):
        email = real(self, values, language)
        return render.RenderedEmail(email.language, email.subject + "!", email.text, email.html)

    monkeypatch.setattr(render._Prepared, "finish", different)
    wording = render.Wording.of(catalogue.BY_KEY["login_information"])
    recipients = tricky_recipients()
    with caplog.at_level(logging.WARNING, logger="notifications.email.render"):
        many = render.render_emails(wording=wording, organisation=org, recipients=recipients)
    assert "differs from render_email" in caplog.text
    for (language, values), email in zip(recipients, many, strict=True):
        assert email == alone(wording, org, language, values)
