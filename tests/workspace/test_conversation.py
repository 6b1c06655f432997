"""The conversation: its rules, its privacy, its email batching and its pages."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailLog, Notification
from presence.services import SocketPresence
from programs import services
from programs.errors import DomainError
from programs.models import AuditEntry, Role
from realtime.testing import capture_events
from tests.conftest import make_member
from workspace import conversation
from workspace.models import ConversationEmail, Post, ReadMark
from workspace.text import post_html

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert(1)</script><b>bold</b> & "quotes" <img src=x onerror=alert(2)>'


def online(user) -> SocketPresence:
    """Mark `user` online through presence's own API (a socket that connected)."""
    presence = SocketPresence(
        organisation_id=user.organisation_id, user_id=user.pk, socket=f"test.{user.pk}"
    )
    async_to_sync(presence.connected)()
    return presence


def emails(key="new_message", to=None):
    rows = EmailLog.objects.filter(message_key=key)
    return rows.filter(to_email=to.email) if to else rows


@pytest.fixture
def third(org):
    return make_member(org, "third@mentor.test", "Theo", "Third", Role.MENTOR)


# -- rendering ---------------------------------------------------------------------------


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def parse(html: str) -> _Parsed:
    parser = _Parsed()
    parser.feed(html)
    return parser


def test_markup_is_text_links_are_links_and_line_breaks_stay():
    html = post_html(MARKUP + "\nsee https://example.org/a?b=1&c=2. and javascript:alert(3)")
    parsed = parse(html)
    assert {tag for tag, _ in parsed.tags} == {"br", "a"}
    (link,) = [attrs for tag, attrs in parsed.tags if tag == "a"]
    assert link == {
        "href": "https://example.org/a?b=1&c=2",
        "rel": "noopener nofollow ugc",
        "target": "_blank",
    }
    assert "<script>alert(1)</script>" in parsed.text  # shown as text
    assert "javascript:alert(3)" in parsed.text


def test_only_http_links():
    parsed = parse(post_html('ftp://x.org data:text/html,<b> "https://a.b/"onclick=1'))
    hrefs = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert hrefs == ["https://a.b/"]
    assert all(set(attrs) == {"href", "rel", "target"} for _tag, attrs in parsed.tags)


# -- posting -----------------------------------------------------------------------------


def test_mentor_posts_and_both_of_the_pair_are_told(
    relationship, mentor, mentee, admin, django_capture_on_commit_callbacks
):
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        post = conversation.post_create(
            author=mentor, relationship=relationship, text="  Hello\nthere  "
        )
    assert post.text == "Hello\nthere"
    created = [s for s in sent if s.event == "post.created"]
    assert sorted(s.group for s in created) == sorted([f"user.{mentor.pk}", f"user.{mentee.pk}"])
    assert created[0].data["html"] == "Hello<br>\nthere"
    # The administrators get counts and ids only.
    (activity,) = [s for s in sent if s.event == "conversation.activity"]
    assert activity.group == f"org.{admin.organisation_id}.admins"
    assert activity.data["posts"] == 1 and set(activity.data) == {
        "relationship_id",
        "posts",
        "last_activity",
    }


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 5001, "a\x00b"])
def test_bad_text_is_refused_and_changes_nothing(relationship, mentor, text):
    with pytest.raises(DomainError):
        conversation.post_create(author=mentor, relationship=relationship, text=text)
    assert Post.objects.count() == 0
    assert ConversationEmail.objects.count() == 0 and not emails()


def test_five_thousand_characters_is_fine(relationship, mentor):
    post = conversation.post_create(author=mentor, relationship=relationship, text="é" * 5000)
    assert len(post.text) == 5000


def test_only_the_pair_of_an_open_relationship_posts(
    relationship, admin, third, outsider, outsider_mentor, mentor
):
    for someone in (admin, third, outsider, outsider_mentor):
        with pytest.raises(DomainError) as error:
            conversation.post_create(author=someone, relationship=relationship, text="hi")
        assert error.value.code == "not_found"
        with pytest.raises(DomainError):
            conversation.history(relationship=relationship, viewer=someone)
    services.relationship_end(actor=admin, relationship=relationship)
    relationship.refresh_from_db()
    with pytest.raises(DomainError):
        conversation.post_create(author=mentor, relationship=relationship, text="hi")
    mentor.is_active = False
    with pytest.raises(DomainError):
        conversation.history(relationship=relationship, viewer=mentor)
    assert Post.objects.count() == 0


def test_edit_within_the_window_by_its_author_only(
    relationship, mentor, mentee, settings, django_capture_on_commit_callbacks
):
    post = conversation.post_create(author=mentor, relationship=relationship, text="first")
    with pytest.raises(DomainError):
        conversation.post_edit(actor=mentee, post=post, text="hijack")
    with pytest.raises(DomainError):
        conversation.post_edit(actor=mentor, post=post, text="   ")
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        edited = conversation.post_edit(actor=mentor, post=post, text="second")
    assert edited.text == "second" and edited.edited_at is not None
    assert {s.event for s in sent} == {"post.updated"}
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.CONVERSATION_EDIT_WINDOW + 1)
    )
    with pytest.raises(DomainError):
        conversation.post_edit(actor=mentor, post=post, text="too late")
    assert Post.objects.get(pk=post.pk).text == "second"


def test_delete_by_its_author_keeps_a_tombstone_for_catch_up(
    relationship, mentor, mentee, django_capture_on_commit_callbacks
):
    post = conversation.post_create(author=mentor, relationship=relationship, text="oops")
    with pytest.raises(DomainError):
        conversation.post_delete(actor=mentee, post=post)
    before = timezone.now() - timedelta(seconds=1)
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        conversation.post_delete(actor=mentor, post=post)
    (updated, *_) = [s for s in sent if s.event == "post.updated"]
    assert updated.data["deleted"] is True and updated.data["html"] == ""
    post.refresh_from_db()
    assert post.text == "" and post.deleted_at
    assert conversation.history(relationship=relationship, viewer=mentee) == ([], False)
    caught = conversation.since(
        relationship=relationship, viewer=mentee, after_id=post.pk, changed_since=before
    )
    assert [(p.id, p.deleted) for p in caught] == [(post.pk, True)]
    with pytest.raises(DomainError):
        conversation.post_delete(actor=mentor, post=post)


def test_history_pages_backwards_and_since_catches_up(relationship, mentor, mentee):
    ids = [
        conversation.post_create(author=mentor, relationship=relationship, text=f"m{i}").pk
        for i in range(35)
    ]
    page, more = conversation.history(relationship=relationship, viewer=mentee)
    assert [p.id for p in page] == ids[::-1][:30] and more
    older, more = conversation.history(
        relationship=relationship, viewer=mentee, before_id=page[-1].id
    )
    assert [p.id for p in older] == ids[::-1][30:] and not more
    caught = conversation.since(relationship=relationship, viewer=mentee, after_id=ids[31])
    assert [p.id for p in caught] == ids[32:]


def test_read_marks_move_forwards_only(
    relationship, mentor, mentee, django_capture_on_commit_callbacks
):
    a = conversation.post_create(author=mentor, relationship=relationship, text="a")
    b = conversation.post_create(author=mentor, relationship=relationship, text="b")
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        assert conversation.mark_read(user=mentee, relationship=relationship, up_to_post_id=b.pk)
    assert [s.event for s in sent] == ["conversation.read", "conversation.read"]
    assert not conversation.mark_read(user=mentee, relationship=relationship, up_to_post_id=a.pk)
    assert ReadMark.objects.get(user=mentee).last_read_post_id == b.pk
    with pytest.raises(DomainError):
        conversation.mark_read(user=mentee, relationship=relationship, up_to_post_id=b.pk + 99)


# -- the offline email -------------------------------------------------------------------


def test_a_burst_gives_one_email_and_one_bell_line(relationship, mentor, mentee, settings):
    for i in range(5):
        conversation.post_create(author=mentor, relationship=relationship, text=f"burst {i}")
    (email,) = emails(to=mentee)
    assert email.subject == "Anna Carter vous a envoyé un message"  # Charlotte reads French
    bell = Notification.objects.filter(user=mentee, title_en="New message from Anna Carter")
    assert bell.count() == 1
    assert bell.get().url == reverse("web:conversation", args=[relationship.pk])
    assert bell.get().title_fr == "Nouveau message de Anna Carter"
    assert not emails(to=mentor)
    # After the quiet period, the next post emails again.
    ConversationEmail.objects.update(
        last_emailed_at=timezone.now() - timedelta(seconds=settings.CONVERSATION_EMAIL_QUIET + 1)
    )
    conversation.post_create(author=mentor, relationship=relationship, text="later")
    assert emails(to=mentee).count() == 2


def test_no_email_while_the_recipient_is_online(relationship, mentor, mentee):
    presence = online(mentee)
    for i in range(3):
        conversation.post_create(author=mentor, relationship=relationship, text=f"live {i}")
    assert not emails(to=mentee)
    assert not Notification.objects.filter(user=mentee, title_en__startswith="New message").exists()
    async_to_sync(presence.closed)()
    conversation.post_create(author=mentor, relationship=relationship, text="gone")
    assert emails(to=mentee).count() == 1


def test_the_email_in_english_names_the_partner_and_the_page(relationship, mentor, mentee):
    conversation.post_create(author=mentee, relationship=relationship, text="Bonjour")
    (email,) = emails(to=mentor)
    assert email.subject == "Charlotte Test sent you a message"


# -- administrators ----------------------------------------------------------------------


def test_admin_reads_text_only_when_allowed_and_each_read_is_audited(
    relationship, admin, mentor, outsider
):
    conversation.post_create(author=mentor, relationship=relationship, text="private")
    with pytest.raises(DomainError) as refused:
        conversation.conversation_admin_read(actor=admin, relationship=relationship)
    assert refused.value.code == "forbidden"
    assert not AuditEntry.objects.filter(action="conversation.read").exists()
    relationship.organisation.messages_in_reports = True
    relationship.organisation.save()
    posts, _more = conversation.conversation_admin_read(actor=admin, relationship=relationship)
    assert [p.text for p in posts] == ["private"]
    entry = AuditEntry.objects.get(action="conversation.read")
    assert entry.actor_id == admin.pk and entry.target_id == relationship.pk
    with pytest.raises(DomainError) as other:
        conversation.conversation_admin_read(actor=outsider, relationship=relationship)
    assert other.value.code == "not_found"
    assert AuditEntry.objects.filter(action="conversation.read").count() == 1


# -- pages -------------------------------------------------------------------------------


def test_the_page_shows_markup_as_text(client, relationship, mentor, mentee):
    conversation.post_create(author=mentor, relationship=relationship, text=MARKUP)
    client.force_login(mentee)
    response = client.get(reverse("web:conversation", args=[relationship.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in body and "<b>bold</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in body
    # The JSON endpoints carry the same escaped HTML.
    older = client.get(reverse("web:conversation_older", args=[relationship.pk]))
    assert "<b>" not in older.json()["posts"][0]["html"]
    caught = client.get(reverse("web:conversation_since", args=[relationship.pk]), {"after": 0})
    assert caught.json()["posts"][0]["html"] == str(post_html(MARKUP))


def test_the_conversations_tab_lists_the_active_first(client, admin, relationship, mentor, org):
    quiet = services.relationship_match(
        actor=admin,
        mentor=make_member(org, "m2@mentor.test", "Mia", "Two", Role.MENTOR),
        mentee=make_member(org, "e2@mentor.test", "Eli", "Two", Role.MENTEE),
    )
    conversation.post_create(author=mentor, relationship=relationship, text="a")
    conversation.post_create(author=mentor, relationship=relationship, text="b")
    rows = list(conversation.conversation_activity(organisation_id=org.pk))
    counts = [(r.pk, r.post_count) for r in rows]  # type: ignore[attr-defined] # annotated
    assert counts == [(relationship.pk, 2), (quiet.pk, 0)]
    client.force_login(admin)
    body = client.get(reverse("web:relationships")).content.decode()
    assert reverse("web:conversations_admin") in body


def test_member_home_leads_to_the_conversation(client, relationship, mentor):
    client.force_login(mentor)
    body = client.get("/").content.decode()
    assert reverse("web:conversation", args=[relationship.pk]) in body


def test_post_without_javascript_and_with(client, relationship, mentor, mentee):
    client.force_login(mentor)
    url = reverse("web:conversation", args=[relationship.pk])
    response = client.post(url, {"text": "plain form"})
    assert response.status_code == 302 and Post.objects.count() == 1
    response = client.post(url, {"text": "fetch"}, headers={"Accept": "application/json"})
    assert response.status_code == 201 and response.json()["post"]["html"] == "fetch"
    response = client.post(url, {"text": " "}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json()["error"]
    assert Post.objects.count() == 2
    post = Post.objects.get(text="fetch")
    edit = reverse("web:conversation_post_edit", args=[relationship.pk, post.pk])
    assert client.post(edit, {"text": "fetched"}).status_code == 302
    delete = reverse("web:conversation_post_delete", args=[relationship.pk, post.pk])
    client.force_login(mentee)
    assert client.post(delete).status_code == 302
    assert Post.objects.get(pk=post.pk).deleted_at is None  # not hers


def test_pages_are_404_outside_the_pair(client, relationship, mentor, admin, third, outsider):
    post = conversation.post_create(author=mentor, relationship=relationship, text="x")
    urls = [
        reverse("web:conversation", args=[relationship.pk]),
        reverse("web:conversation_older", args=[relationship.pk]),
        reverse("web:conversation_since", args=[relationship.pk]),
    ]
    for someone in (admin, third, outsider):
        client.force_login(someone)
        for url in urls:
            assert client.get(url).status_code == 404, (someone, url)
        edit = reverse("web:conversation_post_edit", args=[relationship.pk, post.pk])
        assert client.post(edit, {"text": "y"}).status_code == 404
    assert Post.objects.get(pk=post.pk).text == "x"


def test_admin_conversation_page_without_and_with_the_setting(
    client, relationship, mentor, admin, outsider
):
    conversation.post_create(author=mentor, relationship=relationship, text="secret words<b>!")
    url = reverse("web:conversation_admin", args=[relationship.pk])
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 403
    body = response.content.decode()
    assert "secret words" not in body and "data-not-visible" in body
    tab = client.get(reverse("web:conversations_admin")).content.decode()
    assert "secret words" not in tab and f'data-conversation="{relationship.pk}"' in tab
    relationship.organisation.messages_in_reports = True
    relationship.organisation.save()
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "secret words&lt;b&gt;!" in body
    assert "<b>" not in body
    assert AuditEntry.objects.filter(action="conversation.read").count() == 1
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("web:conversations_admin")).status_code == 200
    assert (
        f'data-conversation="{relationship.pk}"'
        not in client.get(reverse("web:conversations_admin")).content.decode()
    )
