"""«L'accord mentorat»: the template (default, administrator's edits, audited), answers
versioned one by one, signatures cleared by a later edit, states, live events."""

from __future__ import annotations

import pytest

from programs.audit import AuditAction, AuditEntry
from programs.errors import DomainError
from realtime.groups import org_admins_group, user_group
from realtime.testing import capture_events
from workspace import selectors, services
from workspace.agreement import DEFAULT_SECTIONS, as_text, parse_text, question_keys
from workspace.models import Agreement, AgreementAnswer, AgreementTemplate
from workspace.pair import StaleEdit

KEYS = question_keys(DEFAULT_SECTIONS)


def _answer_all(relationship, actor):
    for key in KEYS:
        services.agreement_answer(
            actor=actor, relationship=relationship, key=key, text=f"About {key}", version=0
        )


def _state(relationship):
    return selectors.agreement_states(relationship_ids=[relationship.pk]).get(
        relationship.pk, ("not_started", None)
    )[0]


def test_a_new_organisation_gets_the_default_template_in_both_languages(relationship):
    view = selectors.agreement_view(relationship=relationship, language="fr")
    assert view.state == "not_started"
    assert view.sections[0]["title"] == "Objectifs de la relation"
    english = selectors.agreement_view(relationship=relationship, language="en")
    assert english.sections[0]["questions"][0]["text"] == "What do we want to achieve together?"


def test_answers_states_and_signatures(relationship, mentor, mentee):
    assert _state(relationship) == "not_started"
    answer, cleared = services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="Grow", version=0
    )
    assert (answer.version, cleared) == (1, False)
    assert _state(relationship) == "in_progress"
    with pytest.raises(DomainError, match="every question"):
        services.agreement_sign(actor=mentor, relationship=relationship)
    for key in KEYS[1:]:
        services.agreement_answer(
            actor=mentee, relationship=relationship, key=key, text="Yes", version=0
        )
    services.agreement_sign(actor=mentor, relationship=relationship)
    assert _state(relationship) == "in_progress"
    with pytest.raises(DomainError, match="already signed"):
        services.agreement_sign(actor=mentor, relationship=relationship)
    agreement = services.agreement_sign(actor=mentee, relationship=relationship)
    state, signed_on = selectors.agreement_states(relationship_ids=[relationship.pk])[
        relationship.pk
    ]
    assert state == "signed" and signed_on == agreement.mentee_signed_at

    # An edit after signing clears both signatures.
    _answer, cleared = services.agreement_answer(
        actor=mentee, relationship=relationship, key="goals", text="Grow more", version=1
    )
    assert cleared
    agreement.refresh_from_db()
    assert agreement.mentor_signed_at is None and agreement.mentee_signed_at is None
    assert _state(relationship) == "in_progress"


def test_saving_the_same_text_keeps_the_signatures(relationship, mentor, mentee):
    _answer_all(relationship, mentor)
    services.agreement_sign(actor=mentor, relationship=relationship)
    _answer, cleared = services.agreement_answer(
        actor=mentee, relationship=relationship, key="goals", text="About goals", version=1
    )
    assert not cleared
    assert Agreement.objects.get().mentor_signed_at is not None


def test_a_stale_answer_is_refused_with_the_current_text(relationship, mentor, mentee):
    services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="A", version=0
    )
    with pytest.raises(StaleEdit) as caught:
        services.agreement_answer(
            actor=mentee, relationship=relationship, key="goals", text="B", version=0
        )
    assert caught.value.current == {"text": "A"}
    assert mentor.full_name in str(caught.value.message)
    assert AgreementAnswer.objects.get().text == "A"


@pytest.mark.parametrize(
    ("key", "text"), [("nope", "x"), ("goals", "x" * 5001)], ids=["unknown", "too-long"]
)
def test_bad_answers_change_nothing(relationship, mentor, key, text):
    with pytest.raises(DomainError):
        services.agreement_answer(
            actor=mentor, relationship=relationship, key=key, text=text, version=0
        )
    assert AgreementAnswer.objects.count() == 0


def test_only_the_pair_answers_and_signs(relationship, admin, third, outsider):
    for actor in (admin, third, outsider):
        with pytest.raises(DomainError) as caught:
            services.agreement_answer(
                actor=actor, relationship=relationship, key="goals", text="x", version=0
            )
        assert caught.value.code == "not_found"
        with pytest.raises(DomainError):
            services.agreement_sign(actor=actor, relationship=relationship)
    assert AgreementAnswer.objects.count() == 0


def test_events_reach_the_pair_and_admins_get_the_state_only(
    relationship, mentor, mentee, third, outsider, django_capture_on_commit_callbacks
):
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        services.agreement_answer(
            actor=mentor, relationship=relationship, key="goals", text="Private words", version=0
        )
    assert {s.group for s in sent} == {
        user_group(mentor.pk),
        user_group(mentee.pk),
        org_admins_group(relationship.organisation_id),
    }
    assert not any("Private" in str(s.data) for s in sent)
    assert (
        org_admins_group(relationship.organisation_id),
        "agreement.state",
        {"relationship_id": relationship.pk, "state": "in_progress", "signed_on": None},
    ) in sent


def test_the_template_text_round_trips_and_bad_text_is_refused():
    assert parse_text(as_text(DEFAULT_SECTIONS)) == DEFAULT_SECTIONS
    parsed = parse_text("# Money | Argent\n- Who pays? | Qui paie ?\n- [goals] Goals | Objectifs\n")
    assert parsed[0]["questions"][0] == {
        "key": "q1",
        "text_en": "Who pays?",
        "text_fr": "Qui paie ?",
    }
    assert parsed[0]["questions"][1]["key"] == "goals"
    for bad in ("", "- orphan", "# Empty section", "hello", "# A\n- [x] a\n- [x] b", "# A\n- | fr"):
        with pytest.raises(DomainError):
            parse_text(bad)


def test_the_template_is_the_admins_and_is_audited(relationship, admin, mentor, outsider):
    # An agreement already started keeps its questions.
    services.agreement_answer(
        actor=mentor, relationship=relationship, key="goals", text="A", version=0
    )
    sections = parse_text("# Money | Argent\n- [money] Who pays? | Qui paie ?")
    for actor in (mentor, outsider):
        with pytest.raises(DomainError):
            services.agreement_template_set(
                actor=actor, organisation_id=admin.organisation_id, sections=sections
            )
    assert AgreementTemplate.objects.count() == 0
    services.agreement_template_set(
        actor=admin, organisation_id=admin.organisation_id, sections=sections
    )
    entry = AuditEntry.objects.get(action=AuditAction.AGREEMENT_TEMPLATE_EDIT)
    assert entry.count == 1
    view = selectors.agreement_view(relationship=relationship, language="en")
    assert view.sections[0]["title"] == "Goals of the relationship"
