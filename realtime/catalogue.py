"""Every live message the server sends, in one place: its name, who receives it, its payload.

- An **event** reaches the browser as `{"event": name, "data": payload}`. Services publish
  events to a group with `realtime.publish.publish()`; the consumer forwards them verbatim.
  A few (audience "socket") are sent only by the consumer itself, to its own browser.
- A **command** is a channel-layer message the consumer handles for its own socket
  (`bell.set` → `LiveConsumer.bell_set`), sent with `realtime.publish.command()`; the
  browser sees only what the handler sends it.

`publish()` and `command()` check every payload here before it leaves (`check()`): an
unknown name, a missing or extra field, a value of the wrong type or a group of the wrong
audience raises `EventPayloadError` in the service that called. The payloads are TypedDicts
so the fields have one written form, read at import into a few plain isinstance checks.

Part of the bottom layer: imports nothing of the project. docs/realtime.md's table is
generated from this module: `.venv/bin/python -m realtime.catalogue --write`.
"""

from __future__ import annotations

import re
import reprlib
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NewType, TypedDict, Union, get_args, get_origin, get_type_hints

# A time as `datetime.isoformat()` writes it (with its offset). A str at runtime.
IsoTime = NewType("IsoTime", str)

# The code `sockets.close` closes a deactivated person's sockets with; the page reloads to
# the sign-in page on it (web/static/tandem/live.js).
CLOSE_DEACTIVATED = 4403


class EventPayloadError(ValueError):
    """A live message that does not match the catalogue: a bug in the code sending it."""


@dataclass(frozen=True)
class Audience:
    """Who receives a message: the kind of group it is sent to (realtime.groups)."""

    label: str
    pattern: re.Pattern[str] | None  # None: not a group, the consumer's own socket

    def admits(self, group: str) -> bool:
        return self.pattern is not None and self.pattern.fullmatch(group) is not None


USER = Audience("user.<id>", re.compile(r"user\.\d+"))
ORG_ADMINS = Audience("org.<id>.admins", re.compile(r"org\.\d+\.admins"))
PLATFORM_ADMINS = Audience("platform.admins", re.compile(r"platform\.admins"))
SOCKET = Audience("socket", None)


# -- payloads --------------------------------------------------------------------------


class CountsChanged(TypedDict):
    members: int
    relationships: int
    invitations: int


class MemberUpdated(TypedDict):
    id: int
    active: bool
    ended_on: str | None  # «Date de fin», an ISO date (YYYY-MM-DD); None while active


class MembersAdded(TypedDict):
    ids: list[int]


class MembersUpdated(TypedDict):
    ids: list[int]
    active: bool
    ended_on: str | None  # «Date de fin» set on all of them, an ISO date; None: cleared


class MemberCompletion(TypedDict):
    figures: list[list[int]]  # [[member id, percent], ...]


class JobProgress(TypedDict):
    kind: str  # "member_import", "completion_recalculate", "report_archive", …
    id: int
    done: int
    total: int
    state: str  # "running", "done", "failed"


class PresenceChanged(TypedDict):
    online: list[int]
    offline: list[int]


class MeetingBooked(TypedDict):
    meeting_ids: list[int]
    relationship_id: int


class MeetingUpdated(TypedDict):
    meeting_id: int
    relationship_id: int
    status: str
    starts_at: IsoTime
    ends_at: IsoTime
    sequence: int
    version: int


class RsvpUpdated(TypedDict):
    meeting_id: int
    user_id: int
    response: str


class EmailUpdated(TypedDict):
    id: int
    status: str
    status_at: IsoTime
    opened_at: IsoTime | None


class GoalChanged(TypedDict):
    relationship_id: int
    goal_id: int
    version: int
    action: str  # "added", "edited", "moved", "deleted"


class GoalsCounted(TypedDict):
    relationship_id: int
    done: int
    total: int


class AgreementChanged(TypedDict):
    relationship_id: int
    key: str  # the question answered, or "" for a signature
    version: int
    state: str


class AgreementState(TypedDict):
    relationship_id: int
    state: str  # "not_started", "in_progress", "signed"
    signed_on: IsoTime | None


class PostChanged(TypedDict):
    relationship_id: int
    post_id: int
    author_id: int
    author_name: str
    html: str  # workspace.text.post_html: escaped text, links, <br>
    created_at: IsoTime
    edited_at: IsoTime | None
    deleted: bool


class ConversationTyping(TypedDict):
    relationship_id: int
    user_id: int


class ConversationRead(TypedDict):
    relationship_id: int
    user_id: int
    post_id: int


class PartnerPresence(TypedDict):
    user_id: int
    online: bool


class ConversationActivity(TypedDict):
    relationship_id: int
    posts: int
    last_activity: IsoTime | None


class PresenceSnapshot(TypedDict):
    online: list[int]


class BellChanged(TypedDict):
    unread: int


class SocketTicket(TypedDict):
    ticket: str


class Empty(TypedDict):
    pass


class BellSet(TypedDict):
    unread: int
    at: IsoTime


class BellBump(TypedDict):
    since: IsoTime
    reason: str


class SocketsClose(TypedDict):
    code: int


class SurveyAnswered(TypedDict):
    survey_id: int
    responses: int
    recipients: int


# -- runtime checks --------------------------------------------------------------------

Check = Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_str(value: Any) -> bool:
    # TextChoices members are str; lazy translations and Decimals are not, as intended.
    return isinstance(value, str)


def _is_none(value: Any) -> bool:
    return value is None


_INT = {int}


def _checker(hint: Any) -> Check:
    if hint is int:
        return _is_int
    if hint is bool:
        return _is_bool
    if hint is str:
        return _is_str
    if hint is type(None):
        return _is_none
    if isinstance(hint, NewType):
        return _checker(hint.__supertype__)
    origin = get_origin(hint)
    if origin is list:
        (item_hint,) = get_args(hint)
        if item_hint is int:
            # Lists of ids can be long (presence of a big organisation): compare the items'
            # exact types at C speed rather than call a check per item (bool is excluded).
            return lambda value: isinstance(value, list) and set(map(type, value)) <= _INT
        item = _checker(item_hint)
        return lambda value: isinstance(value, list) and all(map(item, value))
    if origin in (Union, types.UnionType):
        options = tuple(_checker(arg) for arg in get_args(hint))
        return lambda value: any(ok(value) for ok in options)
    raise TypeError(f"no runtime check for {hint!r}")


def _type_text(hint: Any) -> str:
    if hint is type(None):
        return "null"
    if isinstance(hint, NewType):
        return "ISO time"
    origin = get_origin(hint)
    if origin is list:
        return f"list[{_type_text(get_args(hint)[0])}]"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_text(arg) for arg in get_args(hint))
    return str(hint.__name__)


Kind = Literal["event", "command"]


@dataclass(frozen=True)
class Message:
    name: str
    kind: Kind
    audience: Audience
    payload: type
    summary: str
    fields: Mapping[str, str] = field(init=False)  # field name → type, for the docs
    _keys: frozenset[str] = field(init=False, repr=False)
    _checks: tuple[tuple[str, Check], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hints = get_type_hints(self.payload)
        object.__setattr__(self, "fields", {k: _type_text(h) for k, h in hints.items()})
        object.__setattr__(self, "_keys", frozenset(hints))
        object.__setattr__(self, "_checks", tuple((k, _checker(h)) for k, h in hints.items()))

    def check_route(self, group: str, kind: Kind) -> None:
        if self.kind != kind:
            what = (
                "an event: send it with publish()"
                if self.kind == "event"
                else "a command: send it with command()"
            )
            raise EventPayloadError(f"{self.name!r} is {what}")
        if self.audience is SOCKET:
            raise EventPayloadError(f"{self.name!r} is sent by the consumer to its own socket")
        if not self.audience.admits(group):
            raise EventPayloadError(
                f"{self.name!r} goes to {self.audience.label}, not to group {group!r}"
            )

    def check_payload(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise EventPayloadError(f"{self.name!r} payload must be a dict, not {type(data)}")
        if data.keys() != self._keys:
            missing = sorted(self._keys - data.keys())
            extra = sorted(data.keys() - self._keys)
            raise EventPayloadError(
                f"{self.name!r} payload: missing fields {missing}, unexpected fields {extra}"
            )
        for key, ok in self._checks:
            if not ok(data[key]):
                value = data[key]
                raise EventPayloadError(
                    f"{self.name!r} payload: {key!r} must be {self.fields[key]}, "
                    f"not {type(value).__name__} {reprlib.repr(value)}"
                )


CATALOGUE: dict[str, Message] = {
    m.name: m
    for m in (
        Message(
            "counts.changed",
            "event",
            ORG_ADMINS,
            CountsChanged,
            "The dashboard tiles, recounted after a transaction that changed members or "
            "relationships (one per transaction); also sent to each admin socket on connect.",
        ),
        Message(
            "member.updated",
            "event",
            ORG_ADMINS,
            MemberUpdated,
            "A member was activated or deactivated (the «Actif» checkbox), with the end "
            "date («Date de fin») that set or cleared.",
        ),
        Message(
            "members.updated",
            "event",
            ORG_ADMINS,
            MembersUpdated,
            "Many members deactivated or reactivated at once («Désactiver les membres» from "
            "a CSV file, or a selection on the members list): one event with every id, "
            "their new «Actif» state and end date.",
        ),
        Message(
            "members.added",
            "event",
            ORG_ADMINS,
            MembersAdded,
            "People joined the organisation (signed up through an invitation link, or added "
            "by an administrator): the members list re-reads its rows.",
        ),
        Message(
            "member.completion",
            "event",
            ORG_ADMINS,
            MemberCompletion,
            "Members' «Achèvement des profils» changed: `[id, percent]` pairs, one pair when "
            "a profile is saved, a batch's worth during a recalculation.",
        ),
        Message(
            "job.progress",
            "event",
            ORG_ADMINS,
            JobProgress,
            "A background job an administrator started (a member import, a completion "
            "recalculation, «Exporter tous les rapports» — kind `report_archive`, counting "
            "reports) moved on: how many of how many, and whether it ended.",
        ),
        Message(
            "presence.changed",
            "event",
            ORG_ADMINS,
            PresenceChanged,
            "Members who came online or went offline: transitions only, coalesced (each "
            "server process sends at most one per organisation per `PRESENCE_ANNOUNCE_MS`, "
            "listing every change of that window).",
        ),
        Message(
            "meeting.booked",
            "event",
            ORG_ADMINS,
            MeetingBooked,
            "Meetings were booked for a relationship (one or a whole series).",
        ),
        Message(
            "meeting.updated",
            "event",
            ORG_ADMINS,
            MeetingUpdated,
            "A meeting was cancelled or moved.",
        ),
        Message(
            "rsvp.updated",
            "event",
            ORG_ADMINS,
            RsvpUpdated,
            "A participant answered an invitation (the «Rencontres» tab's tick).",
        ),
        Message(
            "email.updated",
            "event",
            ORG_ADMINS,
            EmailUpdated,
            "A row of the email log changed delivery status.",
        ),
        Message(
            "goal.changed",
            "event",
            USER,
            GoalChanged,
            "A goal of one of the person's relationships was added, edited, moved or "
            "deleted (ids only: the page re-reads its goals).",
        ),
        Message(
            "goals.counted",
            "event",
            ORG_ADMINS,
            GoalsCounted,
            "A relationship's goals changed: how many are done of how many (no titles).",
        ),
        Message(
            "agreement.changed",
            "event",
            USER,
            AgreementChanged,
            "An answer of the person's mentoring agreement was edited or someone signed "
            "(no text: the page re-reads that answer).",
        ),
        Message(
            "agreement.state",
            "event",
            ORG_ADMINS,
            AgreementState,
            "A relationship's agreement changed state («L'accord mentorat» column); state "
            "only, never answers.",
        ),
        Message(
            "post.created",
            "event",
            USER,
            PostChanged,
            "A post in one of the person's conversations (sent to both of the pair).",
        ),
        Message(
            "post.updated",
            "event",
            USER,
            PostChanged,
            "A post was edited or deleted (`deleted`: the page removes it).",
        ),
        Message(
            "conversation.typing",
            "event",
            USER,
            ConversationTyping,
            "The partner is typing (their page sends at most one every 2 s).",
        ),
        Message(
            "conversation.read",
            "event",
            USER,
            ConversationRead,
            "One of the pair has read the conversation up to `post_id` (the «Lu» receipt).",
        ),
        Message(
            "partner.presence",
            "event",
            USER,
            PartnerPresence,
            "A person's relationship partner came online or went offline.",
        ),
        Message(
            "conversation.activity",
            "event",
            ORG_ADMINS,
            ConversationActivity,
            "A conversation's post count and last activity changed (never its text).",
        ),
        Message(
            "survey.answered",
            "event",
            ORG_ADMINS,
            SurveyAnswered,
            "A member answered a survey: how many answered of how many (no answers: the "
            "results page re-reads its summary).",
        ),
        Message(
            "presence.snapshot",
            "event",
            SOCKET,
            PresenceSnapshot,
            "Who is online now; sent by the consumer on an administrator's (re)connection.",
        ),
        Message(
            "bell.changed",
            "event",
            SOCKET,
            BellChanged,
            "The person's unread count; sent by the consumer on connect and after each "
            "`bell.set` or `bell.bump`.",
        ),
        Message(
            "socket.ticket",
            "event",
            SOCKET,
            SocketTicket,
            "A signed ticket for the page's next handshake (`?ticket=`: no database read, "
            "realtime/sockets/tickets.py); sent after each read of the person from the "
            "database — a handshake without a valid ticket, a heartbeat's renewal.",
        ),
        Message(
            "heartbeat.ack",
            "event",
            SOCKET,
            Empty,
            "The answer to the browser's `heartbeat`; the frame has no `data`.",
        ),
        Message(
            "bell.set",
            "command",
            USER,
            BellSet,
            "Replace the socket's unread count by a recount made at `at` (once per "
            "transaction per person).",
        ),
        Message(
            "bell.bump",
            "command",
            PLATFORM_ADMINS,
            BellBump,
            "One more unread notification, delivered at `since`; `reason` names it, so a "
            "retried job's second bump is ignored.",
        ),
        Message(
            "sockets.close",
            "command",
            USER,
            SocketsClose,
            f"Close every socket of the person with `code` ({CLOSE_DEACTIVATED}: deactivated, "
            "the page reloads to sign in).",
        ),
    )
}


def message(name: str) -> Message:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise EventPayloadError(
            f"unknown live message {name!r}: add it to realtime/catalogue.py"
        ) from None


def check(group: str, name: str, data: Any, *, kind: Kind = "event") -> None:
    """Raise EventPayloadError unless `data` is what the catalogue says `name` carries and
    `group` is of its audience. A few dict lookups and isinstance calls, no copy."""
    spec = message(name)
    spec.check_route(group, kind)
    spec.check_payload(data)


# -- docs/realtime.md -------------------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "realtime.md"
BEGIN = "<!-- catalogue: generated by `python -m realtime.catalogue --write`; do not edit -->"
END = "<!-- end of catalogue -->"


def markdown_table() -> str:
    lines = [
        "| name | kind | audience | payload | when |",
        "|---|---|---|---|---|",
    ]
    for spec in CATALOGUE.values():
        payload = ", ".join(f"`{k}`: {t}" for k, t in spec.fields.items()) or "—"
        audience = f"`{spec.audience.label}`" if spec.audience.pattern else "its own socket"
        lines.append(f"| `{spec.name}` | {spec.kind} | {audience} | {payload} | {spec.summary} |")
    return "\n".join(lines)


def documented_table(text: str) -> str:
    """The table between the markers in docs/realtime.md."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def _write_doc() -> None:
    text = DOC.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(f"{text[:start]}\n{markdown_table()}\n{text[end:]}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        _write_doc()
    else:
        print(markdown_table())
