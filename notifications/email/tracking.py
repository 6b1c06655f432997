"""Delivery-status intake (F2): provider tracking webhooks and our own open pixel.

Every tracking event, whatever its source, goes through `email_status_record`: it dedupes
on the provider's event id, moves the log row's status forward only (STATUS_RANK), keeps
the first open time, flags the member on a bounce or spam report and tells the
organisation's administrators after commit.

Provider webhooks are django-anymail's views, mounted at /anymail/ through
`anymail_urls()` rather than `include("anymail.urls")`, for two reasons:

- Fail closed. anymail only *warns* (AnymailInsecureWebhookWarning) when
  ANYMAIL["WEBHOOK_SECRET"] is unset, then accepts anyone's post. Our views fall back to
  basic-auth credentials derived from SECRET_KEY (`webhook_basic_auth()`), so a deployment
  that forgot the secret refuses forged events instead of applying them; the provider is
  given `https://<user:pass>@<host>/anymail/<esp>/tracking/`. A derived default rather than
  "refuse everything" keeps one rule for every provider (Mailgun is checked twice: basic
  auth and its own HMAC signature) and needs no extra setting to get going; production
  should still set ANYMAIL_WEBHOOK_SECRET so rotating SECRET_KEY does not break webhooks.
- Malformed is a bad request. A body anymail's parser cannot read (not JSON, wrong shape,
  missing fields) raised a server error, which providers retry for days; it is now a 400.
  All events of a post are parsed before any is applied, so a bad one changes nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent
from anymail.utils import get_anymail_setting
from anymail.webhooks.base import AnymailBaseWebhookView
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.urls import URLPattern
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from notifications.email.events import email_status_changed_on_commit
from notifications.models import STATUS_RANK, EmailEvent, EmailLog, EmailStatus
from programs.errors import DomainError
from programs.models import User

logger = logging.getLogger(__name__)

# anymail's normalised event types → our statuses. A click implies the email was opened.
# Others (unsubscribed, subscribed, autoresponded, unknown…) say nothing about delivery.
ANYMAIL_STATUSES: dict[str, str] = {
    "queued": EmailStatus.QUEUED,
    "sent": EmailStatus.SENT,
    "delivered": EmailStatus.DELIVERED,
    "opened": EmailStatus.OPENED,
    "clicked": EmailStatus.OPENED,
    "bounced": EmailStatus.BOUNCED,
    "deferred": EmailStatus.DEFERRED,
    "complained": EmailStatus.SPAM,
    "rejected": EmailStatus.FAILED,
    "failed": EmailStatus.FAILED,
}

# What a tracking event may report; "sending" and "suppressed" are ours alone.
TRACKED_STATUSES = frozenset(ANYMAIL_STATUSES.values())

# The member is flagged so nobody keeps mailing a dead or complaining address.
PROBLEM_STATUSES = (EmailStatus.BOUNCED, EmailStatus.SPAM)


def _bare_message_id(message_id: str | None) -> str:
    # Our own Message-ID is stored without <>, Mailgun's API id with them, and anymail
    # hands webhooks' ids back with them: compare the bare form.
    return (message_id or "").strip().strip("<>").strip()


@transaction.atomic
def email_status_record(
    *,
    provider: str,
    event_id: str | None,
    message_id: str,
    status: str,
    at: datetime.datetime,
    opened: bool = False,
) -> EmailLog | None:
    """Apply one tracking event to the email it is about.

    A repeated event (same provider and event id) changes nothing; an id we never sent is
    ignored (None). The status only moves forward by STATUS_RANK, to the event's time; the
    first open is kept (an open after a spam report still records when it was opened); a
    bounce or spam report flags the member while the address is unchanged. Administrators
    of the email's organisation are told after commit, only when something changed."""
    provider = (provider or "").strip().lower()[:40]
    if not provider:
        raise DomainError(_("A tracking event must name its email provider."))
    if status not in TRACKED_STATUSES:
        raise DomainError(
            _("“%(status)s” is not an email status a tracking event can report.")
            % {"status": status}
        )
    if not isinstance(at, datetime.datetime) or timezone.is_naive(at):
        raise DomainError(_("A tracking event needs a time with its time zone."))
    bare = _bare_message_id(message_id)
    if not bare:
        return None
    # Locked: concurrent webhooks about one email apply one after the other.
    log = (
        EmailLog.objects.select_for_update()
        .filter(provider_message_id__in=[bare, f"<{bare}>"])
        .order_by("pk")
        .first()
    )
    if log is None:
        return None
    if event_id:
        try:
            # A savepoint: a duplicate's failed insert must not spoil the outer transaction.
            with transaction.atomic():
                EmailEvent.objects.create(provider=provider, event_id=str(event_id)[:255])
        except IntegrityError:
            return log

    changed: list[str] = []
    if STATUS_RANK[status] > STATUS_RANK.get(log.status, 0):
        log.status = status
        log.status_at = at
        changed += ["status", "status_at"]
        if status in PROBLEM_STATUSES:
            _member_flag(log=log, problem=status, at=at)
    if (opened or status == EmailStatus.OPENED) and (log.opened_at is None or at < log.opened_at):
        # «Première ouverture»: the earliest open reported, whatever order they arrive in.
        log.opened_at = at
        changed.append("opened_at")
    if changed:
        log.save(update_fields=changed)
        email_status_changed_on_commit(log)
    return log


def _member_flag(*, log: EmailLog, problem: str, at: datetime.datetime) -> None:
    if log.recipient_id is None:
        return  # the member was deleted; the log keeps the address alone
    members = User.objects.filter(pk=log.recipient_id, email__iexact=log.to_email)
    if problem == EmailStatus.BOUNCED:
        # A spam report says more than a bounce: keep it.
        members = members.exclude(email_problem=EmailStatus.SPAM)
    members.update(email_problem=problem, email_problem_at=at)


def anymail_tracking_received(
    sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    """anymail's `tracking` signal: one normalised provider event → email_status_record."""
    status = ANYMAIL_STATUSES.get(event.event_type)
    if status is None or not event.message_id:
        return
    at = event.timestamp or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at, datetime.UTC)
    email_status_record(
        provider=esp_name,
        event_id=event.event_id,
        message_id=event.message_id,
        status=status,
        at=at,
        opened=event.event_type in ("opened", "clicked"),
    )


def webhook_basic_auth() -> str:
    """The `user:password` providers must send: ANYMAIL_WEBHOOK_SECRET when set (its
    first entry), otherwise the one derived from SECRET_KEY."""
    configured = get_anymail_setting("webhook_secret", default=None)
    if configured:
        return configured if isinstance(configured, str) else configured[0]
    digest = salted_hmac("tandem.anymail-webhook", "basic-auth", algorithm="sha256")
    return f"tandem:{digest.hexdigest()[:40]}"


class _FailClosedWebhook(AnymailBaseWebhookView):
    """Put in front of each anymail webhook view (see the module docstring): its own
    methods run first, then the provider's view's."""

    def __init__(self, **kwargs: Any) -> None:
        if "webhook_secret" not in kwargs and not get_anymail_setting(
            "webhook_secret", default=None
        ):
            kwargs["webhook_secret"] = webhook_basic_auth()
        super().__init__(**kwargs)

    def run_validators(self, request: HttpRequest) -> None:
        # A provider's check reads the body before parsing does (Mailgun's signature
        # block): a body of another shape must fail it as a bad request, not a crash.
        try:
            super().run_validators(request)
        except _UNREADABLE as exc:
            raise AnymailWebhookValidationFailure(
                f"Malformed {self.esp_name} webhook payload ({type(exc).__name__})"
            ) from exc

    def parse_events(self, request: HttpRequest) -> list[AnymailTrackingEvent]:
        try:
            events = list(super().parse_events(request))
        except _UNREADABLE as exc:
            raise AnymailWebhookValidationFailure(
                f"Malformed {self.esp_name} webhook payload ({type(exc).__name__})"
            ) from exc
        # Every event is checked before any is applied: a post is taken whole or not at all.
        for event in events:
            if not _well_formed(event):
                raise AnymailWebhookValidationFailure(f"Malformed {self.esp_name} webhook event")
        return events

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except AnymailWebhookValidationFailure as exc:
            return _refused(
                HttpResponseBadRequest(), self.esp_name, exc.args[0] if exc.args else ""
            )


# What a body of the wrong shape raises inside a provider's parser or check; nesting deep
# enough to exhaust the JSON decoder's recursion is the same kind of bad request.
_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)


def _refused(response: HttpResponse, esp_name: str, reason: str) -> HttpResponse:
    """One log line, no traceback: anyone can post here, and a refusal is routine."""
    logger.warning("%s webhook refused (%s): %s", esp_name, response.status_code, reason)
    # Django would log the 4xx again as "Bad Request: <path>"; this line already says it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _well_formed(event: AnymailTrackingEvent) -> bool:
    return (
        isinstance(event.event_type, str)
        and isinstance(event.message_id, str | None)
        and isinstance(event.event_id, str | int | None)
        and isinstance(event.timestamp, datetime.datetime | None)
    )


def _not_configured(esp_name: str) -> Callable[..., HttpResponse]:
    """The view of a provider this deployment did not set up (anymail cannot build it:
    Mailgun without a signing key, say): not found, for anyone who posts there."""

    @csrf_exempt
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _refused(HttpResponseNotFound(), esp_name, "that provider is not configured")

    return view


def _configured_or_not_found(
    view_class: Any, initkwargs: dict[str, Any]
) -> Callable[..., HttpResponse]:
    """The strict view, or — while its provider's settings are missing — a 404. Settings
    are read per request (as anymail does), so configuring a provider needs no reload."""
    view = view_class.as_view(**initkwargs)

    @csrf_exempt
    @wraps(view)
    def configured(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            return _not_configured(view_class.esp_name)(request, *args, **kwargs)

    return configured


def anymail_urls() -> tuple[list[URLPattern], str]:
    """anymail's webhook URLs (same paths and names, namespace "anymail"), each view
    failing closed: for `path("anymail/", include(anymail_urls()))`."""
    from anymail import urls as anymail_url_module

    patterns = []
    for pattern in anymail_url_module.urlpatterns:
        view_class = pattern.callback.view_class
        strict: Any = type(
            view_class.__name__, (_FailClosedWebhook, view_class), {"__module__": __name__}
        )
        patterns.append(
            URLPattern(
                pattern.pattern,
                _configured_or_not_found(strict, pattern.callback.view_initkwargs),
                pattern.default_args,
                pattern.name,
            )
        )
    return patterns, anymail_url_module.app_name
