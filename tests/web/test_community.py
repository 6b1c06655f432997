"""The community-message pages (F8): list, compose, recipient count, preview as one
recipient, send now or later, cancel, delete — and nobody else's reach."""

from __future__ import annotations

import datetime
import html
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.community import services as community_services
from notifications.models import Audience, CommunityMessage, CommunityMessageStatus, EmailLog
from programs.models import MemberGroup, Role
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.UTC)  # noon in Toronto
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def community(org, admin, mentor, mentee, relationship):
    """Anna and Charlotte (French) are matched; Ben is an unmatched mentor."""
    return make_member(org, "ben@mentor.test", "Ben", "Bishop", Role.MENTOR)


def compose(**overrides) -> dict:
    return {
        "audience": Audience.ALL,
        "subject_en": "News for {first_name}",
        "body_en": "<p>Hello <strong>{first_name}</strong></p><script>alert(1)</script>",
        "subject_fr": "Nouvelles pour {prénom}",
        "body_fr": "<p>Bonjour {prénom}</p>",
        **overrides,
    }


def saved(admin, **overrides) -> CommunityMessage:
    fields = compose(**overrides)
    return community_services.community_message_save(actor=admin, **fields)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Compose ------------------------------------------------------------------------------


def test_compose_page_has_the_editor_the_tags_and_the_count(admin_client, community):
    response = admin_client.get("/manage/messages/new/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "vendor/quill/quill.js" in text and "vendor/tom-select/" in text
    assert "{prénom}" in text and "{Nom complet}" in text and "{org_name}" in text
    assert "3 recipients" in text  # Anna, Charlotte, Ben: mentors and mentees
    assert 'data-rich-text="en"' in text and 'data-rich-text="fr"' in text
    assert "Create message" in text


def test_creating_a_message_leads_to_its_preview(admin_client, community, mentee, org):
    group = MemberGroup.objects.create(organisation=org, name="Cohort")
    group.members.set([community, mentee])
    response = admin_client.post(
        "/manage/messages/new/",
        compose(
            audience=Audience.GROUP,
            group=group.pk,
            attachments=[
                SimpleUploadedFile("Guide.pdf", PDF, "application/pdf"),
                SimpleUploadedFile("dates.txt", b"2 mars", "text/plain"),
            ],
        ),
    )
    message = CommunityMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/manage/messages/{message.pk}/"
    assert message.audience == Audience.GROUP and message.group == group
    assert message.recipient_count == 2
    assert message.status == CommunityMessageStatus.DRAFT
    assert "<script" not in message.body_en
    assert sorted(message.attachments.values_list("name", flat=True)) == ["Guide.pdf", "dates.txt"]


def test_chosen_people_are_saved(admin_client, community, admin):
    response = admin_client.post(
        "/manage/messages/new/",
        compose(audience=Audience.CHOSEN, chosen=[community.pk, admin.pk]),
    )
    assert response.status_code == 302
    message = CommunityMessage.objects.get()
    assert set(message.chosen.values_list("first_name", flat=True)) == {"Ben", "Michele"}
    assert message.recipient_count == 2
    # Editing it shows exactly those people chosen (and nobody else listed).
    text = admin_client.get(f"/manage/messages/{message.pk}/edit/").content.decode()
    select = text.split('<select name="chosen"', 1)[1].split("</select>", 1)[0]
    assert sorted(re.findall(r'<option value="(\d+)" selected>', select)) == sorted(
        [str(community.pk), str(admin.pk)]
    )
    assert select.count("<option") == 2


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"body_en": "<p>Hi {bad_tag}</p>"}, "Unknown tag: {bad_tag}"),
        ({"subject_en": "", "subject_fr": ""}, "needs both a subject and a message"),
        ({"audience": Audience.GROUP}, "Choose the group"),
        (
            {"attachments": [SimpleUploadedFile("run.exe", b"MZ", "application/x-msdownload")]},
            "cannot be attached",
        ),
        (
            {"attachments": [SimpleUploadedFile("fake.pdf", b"MZ", "application/pdf")]},
            "does not match its type",
        ),
        (
            {
                "attachments": [
                    SimpleUploadedFile(f"f{i}.pdf", PDF, "application/pdf") for i in range(6)
                ]
            },
            "at most 5 attachments",
        ),
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(admin_client, community, overrides, error):
    response = admin_client.post("/manage/messages/new/", compose(**overrides))
    assert response.status_code == 200
    assert error in html.unescape(response.content.decode())
    assert CommunityMessage.objects.count() == 0


def test_another_programs_group_or_people_cannot_be_chosen(
    admin_client, community, other_org, outsider_mentor
):
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    theirs.members.set([outsider_mentor])
    for data in (
        compose(audience=Audience.GROUP, group=theirs.pk),
        compose(audience=Audience.CHOSEN, chosen=[community.pk, outsider_mentor.pk]),
    ):
        response = admin_client.post("/manage/messages/new/", data)
        assert response.status_code == 200
        assert "valid choice" in response.content.decode()
    assert CommunityMessage.objects.count() == 0


def test_the_count_follows_the_audience(
    admin_client, community, admin, org, other_org, outsider_mentor
):
    group = MemberGroup.objects.create(organisation=org, name="Cohort")
    group.members.set([community])
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    theirs.members.set([outsider_mentor])

    def count(**params):
        response = admin_client.get("/manage/messages/recipients/", params)
        return response.status_code, response.json()

    assert count(audience="all") == (200, {"count": 3, "label": "3 recipients"})
    assert count(audience="mentors")[1]["count"] == 2
    assert count(audience="mentees")[1]["count"] == 1
    assert count(audience="unmatched") == (200, {"count": 1, "label": "1 recipient"})
    assert count(audience="group", group=group.pk)[1]["count"] == 1
    assert count(audience="group", group=theirs.pk)[1]["count"] == 0
    assert count(audience="group", group="x")[1]["count"] == 0
    chosen = {"audience": "chosen", "chosen": [admin.pk, outsider_mentor.pk, "9" * 30, "x"]}
    assert count(**chosen)[1]["count"] == 1
    status, body = count(audience="everyone")
    assert status == 400 and "Choose who receives" in body["error"]


# --- Preview and send ---------------------------------------------------------------------


def test_preview_shows_what_the_chosen_recipient_gets(admin_client, admin, community, mentee):
    message = saved(admin)
    response = admin_client.get(f"/manage/messages/{message.pk}/", {"recipient": mentee.pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nouvelles pour Charlotte" in text
    # The email is in a sandboxed frame of its own URL, with its own narrow policy.
    frame_url = html.unescape(text.split('<iframe class="email-preview"', 1)[1].split('src="')[1])
    frame_url = frame_url.split('"', 1)[0]
    assert frame_url == f"/manage/messages/{message.pk}/frame/?recipient={mentee.pk}"
    assert ' sandbox="" ' in text and "srcdoc" not in text
    frame = admin_client.get(frame_url)
    assert frame.status_code == 200
    email = frame.content.decode()
    assert "Bonjour Charlotte" in email
    assert "<script" not in email and "/o/" not in email  # sanitised, no open pixel
    assert sorted(part.strip() for part in frame["Content-Security-Policy"].split(";")) == [
        "base-uri 'none'",
        "default-src 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "img-src https: data:",
        "style-src 'unsafe-inline'",
    ]
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    # Ben gets the English version with his own name.
    response = admin_client.get(f"/manage/messages/{message.pk}/", {"recipient": community.pk})
    assert "News for Ben" in response.content.decode()
    assert not EmailLog.objects.filter(community_message=message).exists()


def test_preview_picker_looks_up_only_the_messages_recipients(
    admin_client, admin, community, mentor, mentee, outsider, outsider_mentor
):
    message = saved(admin, audience=Audience.MENTORS)
    lookup = f"/manage/messages/{message.pk}/recipients/"

    def found(client, text):
        response = client.get(lookup, {"q": text})
        return response.status_code, [item["text"] for item in response.json()["results"]]

    assert found(admin_client, "b") == (200, ["Ben Bishop (ben@mentor.test)"])
    assert found(admin_client, "mentor.test") == (
        200,
        ["Ben Bishop (ben@mentor.test)", "Anna Carter (anna@mentor.test)"],
    )
    assert found(admin_client, "charlotte") == (200, [])  # a mentee: not in the audience
    assert found(admin_client, "olive") == (200, [])  # another organisation's mentor
    # The page itself lists only the person shown.
    text = admin_client.get(f"/manage/messages/{message.pk}/").content.decode()
    assert text.count("<option ") == 1 and 'data-lookup="' + lookup + '"' in text
    # Another organisation's administrator: no such message.
    admin_client.force_login(outsider)
    assert admin_client.get(lookup, {"q": "a"}).status_code == 404


def test_preview_only_for_people_the_message_reaches(
    admin_client, admin, community, outsider_mentor
):
    message = saved(admin, audience=Audience.MENTORS)
    base = f"/manage/messages/{message.pk}/"
    assert admin_client.get(base, {"recipient": outsider_mentor.pk}).status_code == 404
    assert admin_client.get(base, {"recipient": admin.pk}).status_code == 404
    assert admin_client.get(base, {"recipient": "abc"}).status_code == 404
    assert admin_client.get(base).status_code == 200
    frame = f"{base}frame/"
    assert admin_client.get(frame, {"recipient": outsider_mentor.pk}).status_code == 404
    assert admin_client.get(frame, {"recipient": admin.pk}).status_code == 404
    assert admin_client.get(frame).status_code == 200


def test_another_organisations_message_has_no_preview_frame(
    client, admin, community, mentor, outsider
):
    message = saved(admin, audience=Audience.MENTORS)
    frame = f"/manage/messages/{message.pk}/frame/"
    client.force_login(outsider)
    assert client.get(frame, {"recipient": mentor.pk}).status_code == 404
    assert client.get(frame).status_code == 404
    client.force_login(mentor)  # a member of the organisation: not an administrator
    assert client.get(frame, {"recipient": mentor.pk}).status_code == 404


def test_send_now_emails_everyone_once(
    admin_client, admin, community, django_capture_on_commit_callbacks
):
    message = saved(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/manage/messages/{message.pk}/send/", {"when": "now"})
    assert response.status_code == 302 and response["Location"] == "/manage/messages/"
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.SENT
    assert sorted(email.subject for email in mail.outbox) == [
        "News for Anna",
        "News for Ben",
        "Nouvelles pour Charlotte",
    ]
    # Sending again is refused; nobody gets a second email.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/manage/messages/{message.pk}/send/", {"when": "now"}, follow=True
        )
    assert "already been sent" in response.content.decode()
    assert len(mail.outbox) == 3


def test_send_later_is_in_the_admins_time_zone_and_waits(
    admin_client, admin, community, django_capture_on_commit_callbacks
):
    message = saved(admin)
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/manage/messages/{message.pk}/send/",
            {"when": "later", "send_at": "2026-03-02T14:30"},
        )
        assert response.status_code == 302
        message.refresh_from_db()
        assert message.status == CommunityMessageStatus.QUEUED
        # 14:30 in Toronto (UTC−5 in March before the change to daylight time).
        assert message.send_at == datetime.datetime(2026, 3, 2, 19, 30, tzinfo=datetime.UTC)
        listing = admin_client.get("/manage/messages/").content.decode()
        assert "Queued" in listing and "2:30" in listing
        assert community_services.community_messages_due() == 0
    assert mail.outbox == []
    later = datetime.datetime(2026, 3, 2, 19, 31, tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert community_services.community_messages_due() == 1
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"when": "later", "send_at": "2026-03-02T11:00"}, "in the past"),
        ({"when": "later", "send_at": ""}, "Choose the date and time"),
        ({"when": "later", "send_at": "tomorrow"}, "Enter a valid date/time"),
        ({"when": "someday"}, "Select a valid choice"),
    ],
)
def test_bad_send_times_are_refused(admin_client, admin, community, data, error):
    message = saved(admin)
    with time_machine.travel(NOON, tick=False):
        response = admin_client.post(f"/manage/messages/{message.pk}/send/", data)
    assert response.status_code == 200
    assert error in html.unescape(response.content.decode())
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.DRAFT and message.send_at is None


def test_cancel_returns_a_queued_message_to_draft(admin_client, admin, community):
    message = saved(admin)
    with time_machine.travel(NOON, tick=False):
        community_services.community_message_send(
            actor=admin, message=message, send_at=NOON + datetime.timedelta(days=1)
        )
        response = admin_client.post(f"/manage/messages/{message.pk}/cancel/", follow=True)
    assert "a draft again" in response.content.decode()
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.DRAFT and message.send_at is None
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        assert community_services.community_messages_due() == 0
    assert mail.outbox == []


def test_a_sent_message_is_not_edited(
    admin_client, admin, community, django_capture_on_commit_callbacks
):
    message = saved(admin)
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_message_send(actor=admin, message=message)
    response = admin_client.get(f"/manage/messages/{message.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/messages/{message.pk}/"
    response = admin_client.post(
        f"/manage/messages/{message.pk}/edit/", compose(subject_en="Changed"), follow=True
    )
    assert "can no longer be edited" in response.content.decode()
    message.refresh_from_db()
    assert message.subject_en == "News for {first_name}"
    listing = admin_client.get("/manage/messages/").content.decode()
    assert f"/manage/messages/{message.pk}/edit/" not in listing


def test_edit_and_delete(admin_client, admin, community):
    message = saved(admin)
    response = admin_client.get(f"/manage/messages/{message.pk}/edit/")
    assert response.status_code == 200
    assert "News for {first_name}" in response.content.decode()
    response = admin_client.post(
        f"/manage/messages/{message.pk}/edit/",
        compose(audience=Audience.MENTORS, subject_en="Mentors only"),
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.subject_en == "Mentors only" and message.recipient_count == 2
    response = admin_client.post(f"/manage/messages/{message.pk}/delete/", follow=True)
    assert "Message deleted." in response.content.decode()
    assert not CommunityMessage.objects.exists()


def test_delete_is_refused_while_sending(admin_client, admin, community):
    message = saved(admin)
    CommunityMessage.objects.filter(pk=message.pk).update(status=CommunityMessageStatus.SENDING)
    response = admin_client.post(f"/manage/messages/{message.pk}/delete/", follow=True)
    assert "being sent" in response.content.decode()
    assert CommunityMessage.objects.filter(pk=message.pk).exists()


# --- The list -----------------------------------------------------------------------------


def make_three(admin, capture) -> None:
    with time_machine.travel(NOON, tick=False):
        saved(admin, subject_en="Draft one", subject_fr="Brouillon")
        queued = saved(admin, subject_en="Later one", subject_fr="Plus tard")
        community_services.community_message_send(
            actor=admin, message=queued, send_at=NOON + datetime.timedelta(days=1)
        )
        sent = saved(admin, subject_en="Sent one", subject_fr="Envoyé")
        with capture(execute=True):
            community_services.community_message_send(actor=admin, message=sent)


def test_the_list_shows_status_audience_author_and_start(
    admin_client,
    admin,
    community,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    make_three(admin, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/manage/messages/")
    text = response.content.decode()
    assert "Messages to your mentoring community" in text
    for status in ("Not sent", "Queued", "Sent"):
        assert f'">{status}</span>' in text
    assert "All members (3)" in text
    assert "Michele Mantero" in text
    assert "Hello {first_name}" in text  # the start of the body, as text
    assert "<script" not in text.split("<tbody>")[1]
    assert "Draft one" in text and "Later one" in text and "Sent one" in text


def test_the_list_is_in_french_for_a_french_admin(
    admin_client, admin, community, django_capture_on_commit_callbacks
):
    admin.language = "fr"
    admin.save()
    make_three(admin, django_capture_on_commit_callbacks)
    text = admin_client.get("/manage/messages/").content.decode()
    assert "Messages à votre communauté mentorat" in text
    for status in ("Non envoyé", "En file d&#x27;attente", "Envoyé"):
        assert f'">{status}</span>' in text, status
    assert "Brouillon" in text and "Plus tard" in text  # the French subjects
    assert "Bonjour {prénom}" in text
    new = admin_client.get("/manage/messages/new/").content.decode()
    assert "Créer message" in new
    preview = admin_client.get(
        f"/manage/messages/{CommunityMessage.objects.get(subject_en='Draft one').pk}/"
    ).content.decode()
    assert "Envoyer un message" in preview


def test_dashboard_links_to_messages(admin_client):
    text = admin_client.get("/manage/").content.decode()
    assert 'href="/manage/messages/new/"' in text
    assert 'href="/manage/messages/"' in text


# --- Nobody else's reach ------------------------------------------------------------------


def test_outsider_and_mentor_get_404_and_nothing_changes(
    client, admin, community, mentor, outsider, django_capture_on_commit_callbacks
):
    message = saved(admin)
    base = f"/manage/messages/{message.pk}/"
    pages = ["/manage/messages/", "/manage/messages/new/", "/manage/messages/recipients/"]
    for person in (outsider, mentor):
        client.force_login(person)
        # Our message is nobody else's; a mentor has no administrator pages at all.
        for path in [base, base + "edit/"] + (pages if person == mentor else []):
            assert client.get(path, {"audience": "all"}).status_code == 404, path
        with django_capture_on_commit_callbacks(execute=True):
            for path, data in (
                (base + "edit/", compose(subject_en="Hijacked")),
                (base + "send/", {"when": "now"}),
                (base + "cancel/", {}),
                (base + "delete/", {}),
            ):
                assert client.post(path, data).status_code == 404, path
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.DRAFT
    assert message.subject_en == "News for {first_name}"
    assert mail.outbox == []
    # The outsider's own list never shows our message.
    client.force_login(outsider)
    assert client.get("/manage/messages/").status_code == 200
    assert "News for" not in client.get("/manage/messages/").content.decode()
