"""Community messages (F8): who receives them, what each person gets, and a sending job
that never emails anyone twice."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django_q.models import Schedule

from notifications.community import selectors as community
from notifications.community import services as community_services
from notifications.community.services import community_email_send
from notifications.email import outbox
from notifications.models import (
    Audience,
    CommunityAttachment,
    CommunityMessage,
    CommunityMessageStatus,
    EmailLog,
)
from programs import services as programs_services
from programs.errors import DomainError
from programs.models import MemberGroup, Role
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(org, other_org, admin, mentor, mentee, relationship, outsider_mentor):
    """Anna (mentor) and Charlotte (mentee, French) are matched; Ben and Chloé are not
    (Ben's earlier relationship ended); Dan is deactivated; Olive is in another program."""
    ben = make_member(org, "ben@mentor.test", "Ben", "Bishop", Role.MENTOR)
    chloe = make_member(org, "chloe@mentor.test", "Chloé", "Côté", Role.MENTEE, language="fr")
    dan = make_member(org, "dan@mentor.test", "Dan", "Gone", Role.MENTOR, is_active=False)
    second_admin = make_member(org, "sue@mentor.test", "Sue", "Second", Role.ADMINISTRATOR)
    ended = programs_services.relationship_match(actor=admin, mentor=ben, mentee=chloe)
    programs_services.relationship_end(actor=admin, relationship=ended)
    return {
        "admin": admin,
        "second_admin": second_admin,
        "anna": mentor,
        "charlotte": mentee,
        "ben": ben,
        "chloe": chloe,
        "dan": dan,
        "olive": outsider_mentor,
    }


def names(queryset) -> set[str]:
    return {person.first_name for person in queryset}


def write(actor, **overrides) -> CommunityMessage:
    fields = {
        "audience": Audience.ALL,
        "subject_en": "News for {full_name}",
        "body_en": "<p>Hello <strong>{first_name}</strong>, welcome to {org_name}.</p>",
        "subject_fr": "Nouvelles pour {Nom complet}",
        "body_fr": "<p>Bonjour <strong>{prénom}</strong>, bienvenue chez {org_name}.</p>",
        **overrides,
    }
    return community_services.community_message_save(actor=actor, **fields)


def send_now(actor, message, capture) -> CommunityMessage:
    # The dispatch job is enqueued after commit; q2 runs it (and each email's delivery
    # job, enqueued after each commit) in-process in tests.
    with capture(execute=True):
        message = community_services.community_message_send(actor=actor, message=message)
    message.refresh_from_db()
    return message


def html_of(email) -> str:
    return email.alternatives[0][0]


# --- Who receives it ----------------------------------------------------------------------


def test_each_audience_reaches_its_people_of_this_program_only(people, org, other_org):
    def reach(audience, **kwargs):
        return names(
            community.audience_recipients(organisation_id=org.pk, audience=audience, **kwargs)
        )

    community_people = {"Anna", "Charlotte", "Ben", "Chloé"}
    assert reach(Audience.ALL) == community_people  # never administrators, never Dan
    assert reach(Audience.MENTORS_AND_MENTEES) == community_people
    assert reach(Audience.MENTORS) == {"Anna", "Ben"}
    assert reach(Audience.MENTEES) == {"Charlotte", "Chloé"}
    # An ended relationship does not count: only a current ("matched") one does.
    assert reach(Audience.UNMATCHED) == {"Ben", "Chloé"}

    group = MemberGroup.objects.create(organisation=org, name="Cohort 1")
    group.members.set([people["ben"], people["charlotte"], people["dan"]])
    assert reach(Audience.GROUP, group_id=group.pk) == {"Ben", "Charlotte"}
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    theirs.members.set([people["olive"]])
    assert reach(Audience.GROUP, group_id=theirs.pk) == set()
    assert reach(Audience.GROUP) == set()

    chosen = [people["second_admin"].pk, people["chloe"].pk, people["olive"].pk]
    assert reach(Audience.CHOSEN, chosen_ids=chosen) == {"Sue", "Chloé"}
    assert reach("everyone") == set()


def test_the_saved_message_counts_its_recipients_and_reads_them_again_when_sent(people):
    message = write(people["admin"], audience=Audience.UNMATCHED)
    assert message.recipient_count == 2
    assert names(community.community_recipients(message=message)) == {"Ben", "Chloé"}
    programs_services.relationship_match(
        actor=people["admin"], mentor=people["ben"], mentee=people["chloe"]
    )
    assert names(community.community_recipients(message=message)) == set()


# --- Refused input changes nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"body_en": "<p>Hi {bad_tag}</p>"}, r"Unknown tag: \{bad_tag\}"),
        ({"subject_fr": "Salut {prenom} {nom_complet}"}, r"\{nom_complet\}, \{prenom\}"),
        ({"subject_en": "", "subject_fr": ""}, "English version needs both"),
        ({"subject_en": "", "body_en": "", "subject_fr": "", "body_fr": ""}, "in both"),
        ({"body_en": "<p><br></p>"}, "English version needs both"),
        ({"subject_fr": "Sujet", "body_fr": ""}, "French version needs both"),
        ({"subject_en": "x" * 301}, "at most 300 characters"),
        ({"audience": "everyone"}, "Choose who receives"),
        ({"audience": Audience.GROUP}, "Choose the group"),
        ({"audience": Audience.CHOSEN}, "Choose the people"),
        ({"audience": Audience.CHOSEN, "chosen_ids": ["abc"]}, "Choose the people"),
    ],
)
def test_bad_content_or_recipients_are_refused_and_nothing_is_saved(people, overrides, error):
    with pytest.raises(DomainError, match=error):
        write(people["admin"], **overrides)
    assert CommunityMessage.objects.count() == 0


def test_another_programs_group_or_people_are_refused(people, other_org):
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    theirs.members.set([people["olive"]])
    with pytest.raises(DomainError, match="not one of your program"):
        write(people["admin"], audience=Audience.GROUP, group=theirs)
    with pytest.raises(DomainError, match="not members of your program"):
        write(
            people["admin"],
            audience=Audience.CHOSEN,
            chosen_ids=[people["anna"].pk, people["olive"].pk],
        )
    assert CommunityMessage.objects.count() == 0


def test_an_audience_nobody_is_in_is_refused(people, org):
    empty = MemberGroup.objects.create(organisation=org, name="Empty")
    with pytest.raises(DomainError, match="Nobody would receive"):
        write(people["admin"], audience=Audience.GROUP, group=empty)
    with pytest.raises(DomainError, match="Nobody would receive"):
        write(people["admin"], audience=Audience.CHOSEN, chosen_ids=[people["dan"].pk])
    assert CommunityMessage.objects.count() == 0


def test_only_this_programs_administrators_write_or_send(people, outsider):
    with pytest.raises(DomainError, match="Only an administrator"):
        write(people["anna"])
    message = write(people["admin"])
    # A member of the program is refused; for an outsider the message does not exist.
    for actor, refusal in ((people["anna"], "forbidden"), (outsider, "not_found")):
        for action in (
            community_services.community_message_send,
            community_services.community_message_cancel,
            community_services.community_message_delete,
        ):
            with pytest.raises(DomainError) as refused:
                action(actor=actor, message=message)
            assert refused.value.code == refusal
        with pytest.raises(DomainError) as refused:
            write(actor, message=message, subject_en="Hijacked")
        assert refused.value.code == refusal
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.DRAFT
    assert message.subject_en == "News for {full_name}"
    assert CommunityMessage.objects.count() == 1


# --- What each person gets ----------------------------------------------------------------


def test_each_recipient_gets_their_language_and_their_own_values(
    people, django_capture_on_commit_callbacks
):
    message = send_now(people["admin"], write(people["admin"]), django_capture_on_commit_callbacks)
    assert message.status == CommunityMessageStatus.SENT
    assert message.sent_at is not None
    assert message.recipient_count == 4
    by_address = {email.to[0]: email for email in mail.outbox}
    assert set(by_address) == {
        "Anna Carter <anna@mentor.test>",
        "Charlotte Test <charlotte@mentor.test>",
        "Ben Bishop <ben@mentor.test>",
        "Chloé Côté <chloe@mentor.test>",
    }
    anna = by_address["Anna Carter <anna@mentor.test>"]
    assert anna.subject == "News for Anna Carter"
    assert "Hello Anna, welcome to Mentor Canada." in anna.body
    assert "Hello <strong>Anna</strong>" in html_of(anna)
    charlotte = by_address["Charlotte Test <charlotte@mentor.test>"]
    assert charlotte.subject == "Nouvelles pour Charlotte Test"
    assert "Bonjour Charlotte, bienvenue chez Mentor Canada." in charlotte.body
    assert "Hello" not in charlotte.body
    chloe = by_address["Chloé Côté <chloe@mentor.test>"]
    assert chloe.subject == "Nouvelles pour Chloé Côté"
    logs = EmailLog.objects.filter(community_message=message)
    assert {log.language for log in logs} == {"en", "fr"}


@pytest.mark.parametrize("written", ["en", "fr"])
def test_everyone_gets_the_only_version_written(
    people, written, django_capture_on_commit_callbacks
):
    other = "fr" if written == "en" else "en"
    message = write(people["admin"], **{f"subject_{other}": "", f"body_{other}": ""})
    send_now(people["admin"], message, django_capture_on_commit_callbacks)
    subjects = {email.to[0].split(" <")[0]: email.subject for email in mail.outbox}
    if written == "en":
        assert subjects["Charlotte Test"] == "News for Charlotte Test"  # French, but English
        assert subjects["Anna Carter"] == "News for Anna Carter"
    else:
        assert subjects["Anna Carter"] == "Nouvelles pour Anna Carter"  # English, but French
        assert subjects["Charlotte Test"] == "Nouvelles pour Charlotte Test"


def test_scripts_handlers_and_javascript_links_never_reach_anyone(
    people, django_capture_on_commit_callbacks
):
    body = (
        '<p style="color: red">Read <a href="javascript:alert(1)">this</a> and '
        '<a href="https://example.org/guide">the guide</a></p>'
        "<script>alert('x')</script>"
        '<img src="x" onerror="alert(2)">'
        '<img src="https://example.org/logo.png" width="300">'
        '<p onclick="steal()">Bye {first_name}<iframe src="https://evil.test"></iframe></p>'
    )
    message = write(people["admin"], audience=Audience.MENTORS, body_en=body)
    assert "<script" not in message.body_en  # stored sanitised, too
    send_now(people["admin"], message, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        page = html_of(email)
        for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<iframe", "evil"):
            assert bad not in page, bad
        assert 'href="https://example.org/guide"' in page
        assert 'src="https://example.org/logo.png"' in page
        assert "color: red" in page or "color:red" in page
        assert "Bye " in page


def test_a_name_with_markup_is_escaped_in_the_email(people, django_capture_on_commit_callbacks):
    people["ben"].first_name = '<img src=x onerror="alert(1)">'
    people["ben"].save()
    message = write(people["admin"], audience=Audience.CHOSEN, chosen_ids=[people["ben"].pk])
    send_now(people["admin"], message, django_capture_on_commit_callbacks)
    (email,) = mail.outbox
    page = html_of(email)
    assert "<img src=x" not in page and '<img src="x"' not in page
    assert "Hello <strong>&lt;img src=x onerror=" in page  # shown as text, not an element


def test_preview_renders_what_the_recipient_gets_without_the_open_pixel(people):
    message = write(people["admin"])
    preview = community.community_email_render(message=message, recipient=people["charlotte"])
    assert preview.subject == "Nouvelles pour Charlotte Test"
    assert "Bonjour <strong>Charlotte</strong>, bienvenue chez Mentor Canada." in preview.html
    assert "/o/" not in preview.html
    assert not EmailLog.objects.filter(community_message=message).exists()


# --- Attachments ----------------------------------------------------------------------------


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_attachments_go_with_every_email(people, django_capture_on_commit_callbacks, _media):
    files = [
        upload("Guide.pdf", PDF, "application/pdf"),
        upload(
            "dates.csv", "date;lieu\n2026-03-02;Montréal\n".encode(), "application/vnd.ms-excel"
        ),
        upload("logo.png", PNG, "image/png"),
    ]
    message = write(people["admin"], audience=Audience.MENTEES, attachments=files)
    stored = {a.name: a.content_type for a in message.attachments.all()}
    assert stored == {
        "Guide.pdf": "application/pdf",
        "dates.csv": "text/csv",
        "logo.png": "image/png",
    }
    send_now(people["admin"], message, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        assert [(name, content) for name, content, _type in email.attachments][0] == (
            "Guide.pdf",
            PDF,
        )
        assert {name for name, _c, _t in email.attachments} == {
            "Guide.pdf",
            "dates.csv",
            "logo.png",
        }


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            [upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")],
            "larger than 10",
        ),
        ([upload("setup.exe", b"MZ\x90\x00", "application/x-msdownload")], "cannot be attached"),
        ([upload("notes", b"hello", "text/plain")], "cannot be attached"),
        ([upload("page.pdf", b"<html>", "text/html")], "cannot be attached"),
        ([upload("invoice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")], "does not match"),
        ([upload("photo.jpg", PNG, "image/jpeg")], "does not match"),
        ([upload("data.csv", b"a,b\x00\x01", "text/csv")], "does not match"),
        ([upload("empty.txt", b"", "text/plain")], "is empty"),
        ([upload(f"f{i}.pdf", PDF, "application/pdf") for i in range(6)], "at most 5"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(people, files, error, _media):
    with pytest.raises(DomainError, match=error):
        write(people["admin"], attachments=files)
    assert CommunityMessage.objects.count() == 0
    assert CommunityAttachment.objects.count() == 0
    assert not _media.exists() or not any(_media.rglob("*.*"))


def test_editing_keeps_at_most_five_attachments_and_removes_the_unticked(
    people, django_capture_on_commit_callbacks
):
    pdfs = [upload(f"f{i}.pdf", PDF, "application/pdf") for i in range(4)]
    message = write(people["admin"], attachments=pdfs)
    more = [upload("g1.pdf", PDF, "application/pdf"), upload("g2.pdf", PDF, "application/pdf")]
    with pytest.raises(DomainError, match="at most 5"):
        write(people["admin"], message=message, attachments=more)
    assert message.attachments.count() == 4
    first = message.attachments.get(name="f0.pdf")
    path = Path(first.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        write(people["admin"], message=message, attachments=more, remove_attachment_ids=[first.pk])
    assert not path.exists()
    assert sorted(message.attachments.values_list("name", flat=True)) == [
        "f1.pdf",
        "f2.pdf",
        "f3.pdf",
        "g1.pdf",
        "g2.pdf",
    ]


# --- Sending: now, twice, later, cancelled ------------------------------------------------


def test_a_retried_dispatch_emails_nobody_twice(people, django_capture_on_commit_callbacks):
    message = send_now(people["admin"], write(people["admin"]), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4
    with django_capture_on_commit_callbacks(execute=True):
        assert community_services.community_message_dispatch(message_id=message.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert community_services.community_messages_due() == 0
    assert len(mail.outbox) == 4
    assert EmailLog.objects.filter(community_message=message).count() == 4


def test_a_dispatch_that_died_half_way_is_finished_without_repeats(
    people, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        message = write(people["admin"])
        community_services.community_message_send(actor=people["admin"], message=message)
        # The job claimed the message, emailed Anna, then its worker died.
        CommunityMessage.objects.filter(pk=message.pk).update(status=CommunityMessageStatus.SENDING)
        with django_capture_on_commit_callbacks(execute=True):
            community_email_send(message=message, recipient=people["anna"])
        assert len(mail.outbox) == 1
    with time_machine.travel(NOON + datetime.timedelta(minutes=2), tick=False):
        # Still fresh: another run leaves it to the one that holds it.
        assert community_services.community_message_dispatch(message_id=message.pk) == 0
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert community_services.community_messages_due() == 1
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.SENT
    assert message.recipient_count == 4
    recipients = sorted(email.to[0] for email in mail.outbox)
    assert len(recipients) == 4 and len(set(recipients)) == 4


def test_the_database_refuses_a_second_email_of_one_message_to_one_person(people):
    message = write(people["admin"])
    community_email_send(message=message, recipient=people["anna"])
    with pytest.raises(IntegrityError), transaction.atomic():
        community_email_send(message=message, recipient=people["anna"])


def test_a_scheduled_message_waits_for_its_time(people, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON, tick=False):
        message = write(people["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            community_services.community_message_send(
                actor=people["admin"], message=message, send_at=NOON + datetime.timedelta(hours=1)
            )
        message.refresh_from_db()
        assert message.status == CommunityMessageStatus.QUEUED
        assert message.recipient_count == 4
        with django_capture_on_commit_callbacks(execute=True):
            assert community_services.community_messages_due() == 0
            # An early run of the job (say, a duplicate) does not send it either.
            assert community_services.community_message_dispatch(message_id=message.pk) == 0
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=59), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert community_services.community_messages_due() == 0
    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.QUEUED
    with (
        time_machine.travel(NOON + datetime.timedelta(minutes=60, seconds=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert community_services.community_messages_due() == 1
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.SENT
    assert message.sent_at == NOON + datetime.timedelta(minutes=60, seconds=30)
    assert len(mail.outbox) == 4


def test_a_time_in_the_past_is_refused(people):
    with time_machine.travel(NOON, tick=False):
        message = write(people["admin"])
        for when in (NOON - datetime.timedelta(minutes=1), NOON):
            with pytest.raises(DomainError, match="in the past"):
                community_services.community_message_send(
                    actor=people["admin"], message=message, send_at=when
                )
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.DRAFT
    assert message.send_at is None


def test_cancelling_a_queued_message_makes_it_a_draft_and_sends_nothing(
    people, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        message = write(people["admin"])
        with pytest.raises(DomainError, match="not waiting"):
            community_services.community_message_cancel(actor=people["admin"], message=message)
        community_services.community_message_send(
            actor=people["admin"], message=message, send_at=NOON + datetime.timedelta(hours=1)
        )
        community_services.community_message_cancel(actor=people["admin"], message=message)
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.DRAFT
    assert message.send_at is None
    with (
        time_machine.travel(NOON + datetime.timedelta(hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert community_services.community_messages_due() == 0
        assert community_services.community_message_dispatch(message_id=message.pk) == 0
    assert mail.outbox == []
    assert not EmailLog.objects.filter(community_message=message).exists()


def test_a_sent_message_cannot_be_edited_sent_again_or_cancelled(
    people, django_capture_on_commit_callbacks
):
    message = send_now(people["admin"], write(people["admin"]), django_capture_on_commit_callbacks)
    with pytest.raises(DomainError, match="can no longer be edited"):
        write(people["admin"], message=message, subject_en="Changed")
    with pytest.raises(DomainError, match="already been sent"):
        community_services.community_message_send(actor=people["admin"], message=message)
    with pytest.raises(DomainError, match="cannot be cancelled"):
        community_services.community_message_cancel(actor=people["admin"], message=message)
    message.refresh_from_db()
    assert message.subject_en == "News for {full_name}"
    assert len(mail.outbox) == 4


def test_delete_is_refused_while_sending_and_keeps_the_email_log(
    people, django_capture_on_commit_callbacks, _media
):
    message = write(people["admin"], attachments=[upload("Guide.pdf", PDF, "application/pdf")])
    path = Path(message.attachments.get().file.path)
    CommunityMessage.objects.filter(pk=message.pk).update(status=CommunityMessageStatus.SENDING)
    with pytest.raises(DomainError, match="being sent"):
        community_services.community_message_delete(actor=people["admin"], message=message)
    assert CommunityMessage.objects.filter(pk=message.pk).exists()

    CommunityMessage.objects.filter(pk=message.pk).update(status=CommunityMessageStatus.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_message_dispatch(message_id=message.pk)
    assert len(mail.outbox) == 4
    with django_capture_on_commit_callbacks(execute=True):
        community_services.community_message_delete(actor=people["admin"], message=message)
    assert not CommunityMessage.objects.filter(pk=message.pk).exists()
    assert not CommunityAttachment.objects.exists()
    # The log keeps what was sent, even once the message is gone.
    assert EmailLog.objects.filter(to_email="anna@mentor.test", message_key="").count() == 1
    assert not path.exists()


def test_the_every_minute_job_is_scheduled():
    schedule = Schedule.objects.get(name="community-messages-due")
    assert schedule.func == "notifications.tasks.community_messages_due"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_sent_is_never_before_the_last_email_was_sent(people, django_capture_on_commit_callbacks):
    """Two workers finish a message's last emails together: the one that settles it may
    have read its clock before the other recorded its send (CI saw it 1.4 ms earlier).
    «Envoyé le» is then the last email's time, never before it."""
    message = send_now(people["admin"], write(people["admin"]), django_capture_on_commit_callbacks)
    logs = EmailLog.objects.filter(community_message=message)
    sent_at = message.sent_at
    assert sent_at is not None and sent_at >= max(log.sent_at for log in logs if log.sent_at)
    later = sent_at + datetime.timedelta(milliseconds=2)
    first = logs.order_by("pk").first()
    assert first is not None
    EmailLog.objects.filter(pk=first.pk).update(sent_at=later)
    CommunityMessage.objects.filter(pk=message.pk).update(status=CommunityMessageStatus.SENDING)
    with time_machine.travel(sent_at, tick=False):
        outbox.settle(message.pk)  # its clock reads before the other's send
    message.refresh_from_db()
    assert message.status == CommunityMessageStatus.SENT and message.sent_at == later
    CommunityMessage.objects.filter(pk=message.pk).update(status=CommunityMessageStatus.SENDING)
    with time_machine.travel(later + datetime.timedelta(seconds=5), tick=False):
        outbox.settle(message.pk)  # the usual case: its own clock, after every send
    message.refresh_from_db()
    assert message.sent_at == later + datetime.timedelta(seconds=5)
