"""«L'accord mentorat»: the pair answers the organisation's questions together and each
signs. Answers are versioned one by one (a stale edit is refused with the current text);
changing any answer after a signature clears both signatures, and the page says so."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import AuditAction, audit_record
from programs.errors import DomainError
from programs.models import Relationship, User
from programs.permissions import require_org_admin
from realtime.groups import org_admins_group, user_group
from realtime.publish import publish_on_commit
from workspace.agreement import Sections, question_keys, template_sections
from workspace.models import Agreement, AgreementAnswer, AgreementTemplate
from workspace.pair import StaleEdit, require_pair

ANSWER_MAX = 5000

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SIGNED = "signed"


def agreement_state(agreement: Agreement | None, *, answered: bool | None = None) -> str:
    if agreement is None:
        return NOT_STARTED
    if agreement.signed_on:
        return SIGNED
    if answered is None:
        answered = agreement.answers.exclude(text="").exists()
    return agreement_state_of(signed=False, answered=answered)


def agreement_state_of(*, signed: bool, answered: bool) -> str:
    """An agreement's state from whether it is signed and has an answer."""
    if signed:
        return SIGNED
    return IN_PROGRESS if answered else NOT_STARTED


def _announce(relationship: Relationship, agreement: Agreement, key: str, version: int) -> None:
    state = agreement_state(agreement)
    data = {"relationship_id": relationship.pk, "key": key, "version": version, "state": state}
    for user_id in (relationship.mentor_id, relationship.mentee_id):
        publish_on_commit(user_group(user_id), "agreement.changed", data)
    signed_on = agreement.signed_on
    publish_on_commit(
        org_admins_group(relationship.organisation_id),
        "agreement.state",
        {
            "relationship_id": relationship.pk,
            "state": state,
            "signed_on": signed_on.isoformat() if signed_on else None,
        },
    )


def _agreement_locked(relationship: Relationship) -> Agreement:
    """The relationship's agreement, created from the template on first use; locked."""
    Relationship.objects.select_for_update().filter(pk=relationship.pk).first()
    agreement = Agreement.objects.select_for_update().filter(relationship=relationship).first()
    if agreement is None:
        agreement = Agreement.objects.create(
            relationship=relationship,
            sections=template_sections(organisation_id=relationship.organisation_id),
        )
    return agreement


@transaction.atomic
def agreement_answer(
    *, actor: User, relationship: Relationship, key: str, text: str, version: int
) -> tuple[AgreementAnswer, bool]:
    """Save one answer based on `version` (0: there was none yet). Returns the answer and
    whether signatures were cleared by this change."""
    require_pair(actor, relationship)
    text = (text or "").strip()
    if len(text) > ANSWER_MAX:
        raise DomainError(
            _("The answer is too long (%(max)d characters at most).") % {"max": ANSWER_MAX}
        )
    agreement = _agreement_locked(relationship)
    if key not in question_keys(agreement.sections):
        raise DomainError(_("This question is not in the agreement."), code="not_found")
    answer = (
        AgreementAnswer.objects.select_for_update().filter(agreement=agreement, key=key).first()
    )
    current_version = answer.version if answer else 0
    if current_version != version:
        assert answer is not None  # a version above 0 was written by someone
        by = answer.updated_by.full_name if answer.updated_by else ""
        raise StaleEdit(
            _("This answer was changed by %(name)s meanwhile: “%(text)s”")
            % {"name": by, "text": answer.text},
            current={"text": answer.text},
            by=by,
        )
    if answer is None:
        answer = AgreementAnswer(agreement=agreement, key=key, version=0)
    if (answer.pk and answer.text == text) or (not answer.pk and not text):
        return answer, False  # nothing changed: signatures stay
    answer.text = text
    answer.version += 1
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    answer.save()
    cleared = bool(agreement.mentor_signed_at or agreement.mentee_signed_at)
    agreement.mentor_signed_at = agreement.mentee_signed_at = None
    agreement.updated_at = timezone.now()
    agreement.save(update_fields=["mentor_signed_at", "mentee_signed_at", "updated_at"])
    _announce(relationship, agreement, key, answer.version)
    return answer, cleared


@transaction.atomic
def agreement_sign(*, actor: User, relationship: Relationship) -> Agreement:
    """«Signer»: the actor's signature, once every question has an answer."""
    require_pair(actor, relationship)
    agreement = _agreement_locked(relationship)
    answered = set(agreement.answers.exclude(text="").values_list("key", flat=True))
    if not set(question_keys(agreement.sections)) <= answered:
        raise DomainError(_("Answer every question before signing."))
    field = "mentor_signed_at" if actor.pk == relationship.mentor_id else "mentee_signed_at"
    if getattr(agreement, field) is not None:
        raise DomainError(_("You have already signed this agreement."))
    setattr(agreement, field, timezone.now())
    agreement.updated_at = timezone.now()
    agreement.save(update_fields=[field, "updated_at"])
    _announce(relationship, agreement, "", 0)
    return agreement


@transaction.atomic
def agreement_template_set(*, actor: User, organisation_id: int, sections: Sections) -> None:
    """The organisation's agreement template (sections parsed by workspace.agreement).
    Agreements already started keep the questions they started with."""
    require_org_admin(actor, organisation_id=organisation_id)
    row, created = AgreementTemplate.objects.select_for_update().get_or_create(
        organisation_id=organisation_id, defaults={"sections": sections}
    )
    if not created:
        if row.sections == sections:
            return
        row.sections = sections
        row.version += 1
    row.updated_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        organisation_id=organisation_id,
        action=AuditAction.AGREEMENT_TEMPLATE_EDIT,
        count=len(question_keys(sections)),
        details={"version": row.version},
    )
