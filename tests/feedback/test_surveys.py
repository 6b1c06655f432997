"""«Sondages»: writing a draft, sending to each audience, the invitations job that never
emails twice, answering once, reminders, closing, the live count and the summary."""

from __future__ import annotations

import pytest

from feedback import selectors, surveys
from feedback.models import SurveyRecipient, SurveyStatus
from feedback.questions import QuestionData
from feedback.surveys import SurveyData
from notifications.models import Audience, EmailLog, Notification
from programs import services
from programs.audit import AuditAction
from programs.errors import DomainError
from programs.models import AuditEntry, Role
from realtime.testing import capture_events
from tests.conftest import make_member
from tests.feedback_data import make_survey


@pytest.fixture
def people(org, admin, mentor, mentee, relationship, outsider_mentor):
    """Anna and Charlotte are matched; Bruno (mentor) and Dana (mentee) are not; Bruno
    and Charlotte are in the group «Toronto»; Eve is deactivated."""
    bruno = make_member(org, "bruno@mentor.test", "Bruno", "B", Role.MENTOR)
    dana = make_member(org, "dana@mentor.test", "Dana", "D", Role.MENTEE)
    make_member(org, "eve@mentor.test", "Eve", "E", Role.MENTEE, is_active=False)
    group = services.group_create(actor=admin, name="Toronto")
    services.group_set_members(actor=admin, group=group, member_ids=[bruno.pk, mentee.pk])
    return {"bruno": bruno, "dana": dana, "group": group}


def send(admin, survey, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return surveys.survey_send(actor=admin, survey=survey)


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience.ALL, {"anna", "charlotte", "bruno", "dana"}),
        (Audience.MENTORS_AND_MENTEES, {"anna", "charlotte", "bruno", "dana"}),
        (Audience.MENTORS, {"anna", "bruno"}),
        (Audience.MENTEES, {"charlotte", "dana"}),
        (Audience.UNMATCHED, {"bruno", "dana"}),
        (Audience.GROUP, {"bruno", "charlotte"}),
    ],
)
def test_each_audience_gets_its_people_each_emailed_once(
    admin, people, audience, expected, django_capture_on_commit_callbacks
):
    group_id = people["group"].pk if audience == Audience.GROUP else None
    survey, _questions = make_survey(admin, audience=audience, group_id=group_id)
    assert send(admin, survey, django_capture_on_commit_callbacks) == len(expected)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT and survey.recipient_count == len(expected)
    invited = EmailLog.objects.filter(message_key="survey_invitation")
    assert {e.to_email.split("@")[0] for e in invited} == expected
    assert Notification.objects.filter(url__endswith=f"/surveys/{survey.pk}/").count() == len(
        expected
    )
    # The job again (a retry): nobody is emailed twice.
    assert surveys.survey_invitations_send(survey_id=survey.pk) == 0
    assert invited.count() == len(expected)
    assert AuditEntry.objects.get(action=AuditAction.SURVEY_SEND).count == len(expected)


def test_the_invitation_is_in_each_persons_language(
    admin, people, django_capture_on_commit_callbacks
):
    survey, _questions = make_survey(admin, audience=Audience.MENTEES)
    send(admin, survey, django_capture_on_commit_callbacks)
    by_person = {e.to_email: e for e in EmailLog.objects.filter(message_key="survey_invitation")}
    assert by_person["charlotte@mentor.test"].subject == (
        "Sondage Mentor Canada\xa0: Sondage de mi-année"
    )
    assert by_person["dana@mentor.test"].subject == "Mentor Canada survey: Mid-year survey"


def test_a_sent_survey_cannot_change_and_bad_drafts_are_not_sent(
    admin, people, django_capture_on_commit_callbacks
):
    empty = surveys.survey_save(actor=admin, data=SurveyData(title_en="Empty"))
    with pytest.raises(DomainError, match="at least one question"):
        send(admin, empty, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError, match="English title"):
        surveys.survey_save(actor=admin, data=SurveyData(title_en=" "))
    with pytest.raises(DomainError, match="one of your groups"):
        surveys.survey_save(actor=admin, data=SurveyData(title_en="G", audience=Audience.GROUP))
    survey, questions = make_survey(admin)
    send(admin, survey, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError, match="can no longer be changed"):
        surveys.survey_question_save(
            actor=admin, survey=survey, data=QuestionData(text_en="Late", kind="text")
        )
    with pytest.raises(DomainError, match="can no longer be changed"):
        send(admin, survey, django_capture_on_commit_callbacks)
    assert SurveyRecipient.objects.filter(survey=survey).count() == 4
    assert EmailLog.objects.filter(message_key="survey_invitation").count() == 4


def test_answering_once_live_count_reminders_and_closing(
    admin, mentor, mentee, people, outsider_mentor, django_capture_on_commit_callbacks
):
    survey, (rating, multiple, text) = make_survey(admin, audience=Audience.MENTORS)
    send(admin, survey, django_capture_on_commit_callbacks)
    mine = selectors.survey_recipient_own(user=mentor, survey_id=survey.pk)
    meetings = multiple.options[0]["id"]
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        surveys.survey_answer(
            actor=mentor,
            recipient=mine,
            answers={str(rating.pk): "5", str(multiple.pk): [meetings]},
        )
    assert sent == [
        (
            f"org.{survey.organisation_id}.admins",
            "survey.answered",
            {"survey_id": survey.pk, "responses": 1, "recipients": 2},
        )
    ]
    with pytest.raises(DomainError, match="already answered"):
        surveys.survey_answer(actor=mentor, recipient=mine, answers={str(rating.pk): "1"})

    # Reminders: Bruno only (Anna answered), once a day.
    assert surveys.survey_reminders_send(actor=admin, survey=survey) == 1
    assert surveys.survey_reminders_send(actor=admin, survey=survey) == 0
    reminded = EmailLog.objects.filter(message_key="survey_reminder")
    assert [e.to_email for e in reminded] == ["bruno@mentor.test"]

    survey.refresh_from_db()
    results = selectors.survey_results(survey=survey, language="fr")
    assert (results.responses, results.recipients) == (1, 2)
    assert results.questions[0].counts[4] == ("5", 1) and results.questions[0].average == 5
    assert results.questions[1].counts == [("Rencontres", 1), ("Objectifs", 0), ("Chat", 0)]

    surveys.survey_close(actor=admin, survey=survey)
    bruno = selectors.survey_recipient_own(user=people["bruno"], survey_id=survey.pk)
    with pytest.raises(DomainError, match="closed"):
        surveys.survey_answer(actor=people["bruno"], recipient=bruno, answers={str(rating.pk): "2"})
    bruno.refresh_from_db()
    assert bruno.answered_at is None
    with pytest.raises(DomainError):
        surveys.survey_reminders_send(actor=admin, survey=survey)
    assert {e.action for e in AuditEntry.objects.all()} >= {
        AuditAction.SURVEY_EDIT,
        AuditAction.SURVEY_SEND,
        AuditAction.SURVEY_REMINDER,
        AuditAction.SURVEY_CLOSE,
    }


def test_another_organisations_administrator_cannot_touch_a_survey(admin, outsider, survey):
    draft, _questions = survey
    for action in (
        lambda: surveys.survey_save(actor=outsider, data=SurveyData(title_en="X"), survey=draft),
        lambda: surveys.survey_send(actor=outsider, survey=draft),
        lambda: surveys.survey_close(actor=outsider, survey=draft),
    ):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.code == "not_found"
    draft.refresh_from_db()
    assert draft.title_en == "Mid-year survey" and draft.status == SurveyStatus.DRAFT


def test_chosen_people_get_it_and_nobody_else(
    admin, people, mentor, outsider_mentor, django_capture_on_commit_callbacks
):
    dana = people["dana"]
    survey, _questions = make_survey(
        admin, audience=Audience.CHOSEN, chosen_ids=(mentor.pk, dana.pk)
    )
    assert set(survey.chosen.values_list("pk", flat=True)) == {mentor.pk, dana.pk}
    assert send(admin, survey, django_capture_on_commit_callbacks) == 2
    invited = EmailLog.objects.filter(message_key="survey_invitation")
    assert {e.to_email.split("@")[0] for e in invited} == {"anna", "dana"}


@pytest.mark.parametrize("chosen", ["nobody", "outsider", "deactivated"])
def test_chosen_people_must_be_active_members_of_the_program(
    admin, people, org, outsider_mentor, chosen
):
    ids = {
        "nobody": (),
        "outsider": (people["dana"].pk, outsider_mentor.pk),
        "deactivated": (
            make_member(org, "gone@x.test", "Gone", "G", Role.MENTEE, is_active=False).pk,
        ),
    }[chosen]
    with pytest.raises(DomainError, match="Choose the people"):
        surveys.survey_save(
            actor=admin,
            data=SurveyData(title_en="Pick", audience=Audience.CHOSEN, chosen_ids=ids),
        )
    assert not SurveyRecipient.objects.exists()
    from feedback.models import Survey

    assert not Survey.objects.filter(title_en="Pick").exists()
