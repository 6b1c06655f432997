"""The reads the pages and the reports use: the relationships list's «L'évaluation finale»
column (one query for a page) and the two reports (headers in either language, rows in
id batches, a constant number of queries whatever the rows)."""

from __future__ import annotations

from feedback import evaluation, selectors, surveys
from feedback.models import EvaluationRequest
from notifications.models import Audience
from programs import services
from programs.models import Role
from tests.conftest import make_member
from tests.feedback_data import make_survey


def pair(org, admin, n: int):
    mentor = make_member(org, f"m{n}@mentor.test", "Mentor", f"N{n}", Role.MENTOR)
    mentee = make_member(org, f"e{n}@mentor.test", "Mentee", f"N{n}", Role.MENTEE)
    return services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)


def test_evaluation_states_of_a_page_in_one_query(
    org, admin, mentor, mentee, relationship, evaluation_questions, django_assert_num_queries
):
    rating = str(evaluation_questions[0].pk)
    pairs = [pair(org, admin, n) for n in range(4)]
    for r in pairs[:3]:
        evaluation.evaluation_request(actor=admin, relationship=r)
    answer = evaluation.evaluation_answer
    answer(
        actor=pairs[1].mentor,
        request=EvaluationRequest.objects.get(respondent=pairs[1].mentor),
        answers={rating: "3"},
    )
    answer(
        actor=pairs[2].mentee,
        request=EvaluationRequest.objects.get(respondent=pairs[2].mentee),
        answers={rating: "3"},
    )
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    for person in (mentor, mentee):
        answer(
            actor=person,
            request=EvaluationRequest.objects.get(respondent=person),
            answers={rating: "4"},
        )
    ids = [relationship.pk, *[r.pk for r in pairs]]
    with django_assert_num_queries(1):
        states = selectors.evaluation_states(relationship_ids=ids)
    assert [states[i] for i in ids] == [
        "both_answered",
        "requested",
        "mentor_answered",
        "mentee_answered",
        "not_requested",
    ]


def test_evaluation_report_rows_and_headers_in_both_languages(
    org, admin, mentor, mentee, relationship, evaluation_questions, django_assert_num_queries
):
    rating, text, choice = evaluation_questions
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    evaluation.evaluation_answer(
        actor=mentor,
        request=EvaluationRequest.objects.get(respondent=mentor),
        answers={str(rating.pk): "5", str(choice.pk): choice.options[0]["id"]},
    )
    evaluation.evaluation_answer(
        actor=mentee,
        request=EvaluationRequest.objects.get(respondent=mentee),
        answers={str(rating.pk): "3", str(text.pk): "=1+1 patience"},
    )
    header, batches = selectors.evaluation_report(organisation_id=org.pk, language="en")
    assert header == [
        "Mentor",
        "Mentee",
        "Respondent",
        "Role",
        "Answered at",
        "How useful was it?",
        "What did you learn?",
        "Would you mentor again?",
    ]
    rows = [row for batch in batches for row in batch]
    assert [row[:4] for row in rows] == [
        ["Anna Carter", "Charlotte Test", "Anna Carter", "Mentor"],
        ["Anna Carter", "Charlotte Test", "Charlotte Test", "Mentee"],
    ]
    assert rows[0][5:] == ["5", "", "Yes"] and rows[1][5:] == ["3", "=1+1 patience", ""]
    assert rows[0][4].startswith(
        str(EvaluationRequest.objects.get(respondent=mentor).answered_at.date())  # type: ignore[union-attr]
    )
    header_fr, batches_fr = selectors.evaluation_report(organisation_id=org.pk, language="fr")
    assert header_fr[5:] == [
        "Quelle utilité?",
        "Qu'avez-vous appris?",
        "Referiez-vous du mentorat?",
    ]
    assert [row for batch in batches_fr for row in batch][0][7] == "Oui"


def test_evaluation_report_queries_do_not_grow_with_rows(
    org, admin, evaluation_questions, django_assert_num_queries, monkeypatch
):
    rating = str(evaluation_questions[0].pk)
    for n in range(6):
        r = pair(org, admin, n)
        evaluation.evaluation_request(actor=admin, relationship=r)
        evaluation.evaluation_answer(
            actor=r.mentor,
            request=EvaluationRequest.objects.get(respondent=r.mentor),
            answers={rating: "4"},
        )
    for size, queries in ((1000, 3), (2, 5)):  # questions + one per batch + the empty one
        monkeypatch.setattr(selectors, "REPORT_BATCH", size)
        with django_assert_num_queries(queries):
            header, batches = selectors.evaluation_report(organisation_id=org.pk, language="en")
            assert sum(len(batch) for batch in batches) == 6


def test_survey_report_is_one_row_per_answer_and_never_another_organisations(
    admin, mentor, org, outsider, outsider_mentor, django_capture_on_commit_callbacks
):
    survey, (rating, multiple, _text) = make_survey(admin, audience=Audience.MENTORS)
    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_send(actor=admin, survey=survey)
    surveys.survey_answer(
        actor=mentor,
        recipient=selectors.survey_recipient_own(user=mentor, survey_id=survey.pk),
        answers={str(rating.pk): "4", str(multiple.pk): [o["id"] for o in multiple.options[:2]]},
    )
    header, batches = selectors.survey_report(
        organisation_id=org.pk, language="fr", survey_id=survey.pk
    )
    rows = [row for batch in batches for row in batch]
    assert [(row[0], row[1], row[4], row[5]) for row in rows] == [
        ("Sondage de mi-année", "Anna Carter", "Notez le programme", "4"),
        ("Sondage de mi-année", "Anna Carter", "Qu'est-ce qui a aidé?", "Rencontres; Objectifs"),
    ]
    header_en, batches = selectors.survey_report(organisation_id=org.pk, language="en")
    assert header_en == ["Survey", "Respondent", "Role", "Answered at", "Question", "Answer"]
    assert len([row for batch in batches for row in batch]) == 2
    _h, theirs = selectors.survey_report(
        organisation_id=outsider.organisation_id, language="en", survey_id=survey.pk
    )
    assert list(theirs) == []


def test_report_headers_in_french(org):
    """Needs the lead's French catalogue (msgids listed in /work/briefs/fr_feedback.json)."""
    header, _rows = selectors.survey_report(organisation_id=org.pk, language="fr")
    assert header == ["Sondage", "Répondant", "Rôle", "Répondu le", "Question", "Réponse"]
    header, _rows = selectors.evaluation_report(organisation_id=org.pk, language="fr")
    assert header == ["Mentor", "Mentoré", "Répondant", "Rôle", "Répondu le"]
