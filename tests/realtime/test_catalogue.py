"""The catalogue of live messages: a wrong one fails where the service sends it, the
consumer and the page know every one, and docs/realtime.md lists exactly them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import transaction

from realtime import catalogue
from realtime.catalogue import CATALOGUE, EventPayloadError
from realtime.groups import org_admins_group, platform_admins_group, user_group
from realtime.publish import (
    command,
    command_on_commit,
    frame,
    publish,
    publish_on_commit,
)
from realtime.sockets.consumer import LiveConsumer
from realtime.testing import capture_events

ROOT = Path(__file__).resolve().parents[2]
RSVP = {"meeting_id": 1, "user_id": 2, "response": "accepted"}


def test_an_unknown_event_is_refused():
    with pytest.raises(EventPayloadError, match="unknown live message 'rsvp.changed'"):
        publish(org_admins_group(1), "rsvp.changed", RSVP)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"meeting_id": 1, "user_id": 2}, r"missing fields \['response'\]"),
        ({**RSVP, "comment": "late"}, r"unexpected fields \['comment'\]"),
        ({**RSVP, "user_id": "2"}, "'user_id' must be int, not str"),
        ({**RSVP, "user_id": True}, "'user_id' must be int, not bool"),
    ],
)
def test_a_payload_that_is_not_the_catalogues_is_refused(data, message):
    with pytest.raises(EventPayloadError, match=message):
        publish(org_admins_group(1), "rsvp.updated", data)


def test_lists_of_ids_are_checked_item_by_item():
    group = org_admins_group(1)
    publish(group, "presence.changed", {"online": [3, 5], "offline": []})
    for bad in ([3, True], [3, "5"], (3, 5)):
        with pytest.raises(EventPayloadError, match="'online' must be list"):
            publish(group, "presence.changed", {"online": bad, "offline": []})


def test_an_event_to_the_wrong_audience_is_refused():
    # An organisation's RSVPs sent to one person, or to every organisation's admins.
    with pytest.raises(EventPayloadError, match="goes to org.<id>.admins"):
        publish(user_group(2), "rsvp.updated", RSVP)
    with pytest.raises(EventPayloadError, match="goes to org.<id>.admins"):
        publish(platform_admins_group(), "rsvp.updated", RSVP)
    # A frame only the consumer sends is never published to a group.
    with pytest.raises(EventPayloadError, match="sent by the consumer to its own socket"):
        publish(user_group(2), "bell.changed", {"unread": 1})


def test_commands_are_checked_and_not_mistaken_for_events():
    with pytest.raises(EventPayloadError, match="'bell.set' is a command"):
        publish(user_group(2), "bell.set", {"unread": 1, "at": "2026-01-01T00:00:00+00:00"})
    with pytest.raises(EventPayloadError, match="'rsvp.updated' is an event"):
        command(org_admins_group(1), "rsvp.updated", **RSVP)
    with pytest.raises(EventPayloadError, match=r"missing fields \['at'\]"):
        command(user_group(2), "bell.set", unread=1)
    with pytest.raises(EventPayloadError, match="goes to platform.admins"):
        command(org_admins_group(1), "bell.bump", since="2026-01-01T00:00:00+00:00", reason="r")


def test_a_frame_the_consumer_sends_is_checked():
    assert frame("bell.changed", {"unread": 2}) == '{"event":"bell.changed","data":{"unread":2}}'
    with pytest.raises(EventPayloadError):
        frame("bell.changed", {"unread": "2"})


@pytest.mark.django_db
def test_a_wrong_payload_fails_in_the_atomic_block_not_after_commit():
    """The service that registers a bad event raises at once, and its transaction rolls
    back, rather than committing and then failing in a commit callback."""
    with capture_events() as sent:
        with pytest.raises(EventPayloadError, match="missing fields"), transaction.atomic():
            publish_on_commit(org_admins_group(1), "rsvp.updated", {"meeting_id": 1})
        with pytest.raises(EventPayloadError, match="goes to user.<id>"), transaction.atomic():
            command_on_commit(org_admins_group(1), "sockets.close", {"code": 4403})
        with pytest.raises(EventPayloadError, match="unknown"), transaction.atomic():
            # A payload built after commit still has its name and audience checked now.
            publish_on_commit(org_admins_group(1), "counts.recounted", lambda: {}, once=True)
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_on_commit_events_are_sent_once_per_transaction_when_asked(caplog):
    counts = {"members": 1, "relationships": 0, "invitations": 0}
    with capture_events() as sent:
        with transaction.atomic():
            for _ in range(3):
                publish_on_commit(org_admins_group(1), "counts.changed", lambda: counts, once=True)
            publish_on_commit(org_admins_group(1), "rsvp.updated", RSVP)
            publish_on_commit(org_admins_group(1), "rsvp.updated", RSVP)
            assert sent == []  # nothing before commit
        with transaction.atomic():
            # A payload built after commit is checked then; a bad one is logged and
            # does not stop the transaction's other callbacks.
            command_on_commit(user_group(2), "bell.set", lambda: {"unread": 1}, once=True)
            command_on_commit(user_group(2), "sockets.close", {"code": 4403})
    assert sent == [
        (org_admins_group(1), "counts.changed", counts),
        (org_admins_group(1), "rsvp.updated", RSVP),
        (org_admins_group(1), "rsvp.updated", RSVP),
        (user_group(2), "sockets.close", {"code": 4403}),
    ]
    assert "missing fields ['at']" in caplog.text


def test_group_names_are_of_their_audience():
    assert catalogue.USER.admits(user_group(12))
    assert catalogue.ORG_ADMINS.admits(org_admins_group(3))
    assert catalogue.PLATFORM_ADMINS.admits(platform_admins_group())
    assert not catalogue.USER.admits(org_admins_group(3))
    assert not catalogue.ORG_ADMINS.admits("org.3.admins.x")


def test_the_consumer_handles_every_command_and_only_those():
    commands = {name for name, spec in CATALOGUE.items() if spec.kind == "command"}
    # Handlers are the consumer's own methods named like a message ("bell_set"); the
    # "live.event" envelope carries every event.
    handlers = {
        name.replace("_", ".")
        for name, value in vars(LiveConsumer).items()
        if callable(value) and re.fullmatch(r"[a-z]+_[a-z]+", name) and name != "live_event"
    }
    assert commands == handlers


def test_every_event_the_page_handles_is_in_the_catalogue():
    script = (ROOT / "web/static/tandem/live.js").read_text()
    handled = set(re.findall(r'^  "([a-z]+\.[a-z]+)": \(data\)', script, re.MULTILINE))
    assert handled
    events = {name for name, spec in CATALOGUE.items() if spec.kind == "event"}
    assert handled <= events


def test_docs_list_exactly_the_catalogue():
    """docs/realtime.md's table is generated; refresh it with
    `.venv/bin/python -m realtime.catalogue --write`."""
    documented = catalogue.documented_table((ROOT / "docs/realtime.md").read_text())
    assert documented == catalogue.markdown_table()
    names = re.findall(r"^\| `([a-z]+\.[a-z]+)` \|", documented, re.MULTILINE)
    assert names == list(CATALOGUE)
