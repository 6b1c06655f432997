"""The evaluation and survey pages: the administrator's (questions, surveys, results,
the relationships list's «L'évaluation finale» column) and the member's answer pages —
each only for its own organisation and its own person."""

from __future__ import annotations

import pytest
from django.test import Client

from feedback import evaluation, surveys
from feedback.models import EvaluationQuestion, EvaluationRequest, Survey, SurveyRecipient
from notifications.models import Audience
from programs import services
from programs.models import Role
from tests.conftest import make_member
from tests.feedback_data import make_survey


@pytest.fixture
def sent_survey(admin, mentor, mentee, relationship, django_capture_on_commit_callbacks):
    survey, questions = make_survey(admin, audience=Audience.ALL)
    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_send(actor=admin, survey=survey)
    survey.refresh_from_db()
    return survey, questions


def test_admin_defines_an_evaluation_question_and_sees_the_empty_notice(admin_client, org):
    page = admin_client.get("/manage/evaluation/").content.decode()
    assert "nobody is asked to evaluate the program" in page and "data-no-questions" in page
    response = admin_client.post(
        "/manage/evaluation/questions/new/",
        {
            "text_en": "Would you recommend it?",
            "text_fr": "Le recommanderiez-vous?",
            "kind": "single",
            "options": "Yes | Oui\nNo | Non",
            "roles": "mentee",
            "required": "on",
        },
    )
    assert response.status_code == 302
    question = EvaluationQuestion.objects.get(organisation=org)
    assert (question.for_mentors, question.for_mentees, question.required) == (False, True, True)
    assert [o["fr"] for o in question.options] == ["Oui", "Non"]
    page = admin_client.get("/manage/evaluation/").content.decode()
    assert "Would you recommend it?" in page and "data-no-questions" not in page


def test_a_bad_question_shows_the_error_and_saves_nothing(admin_client, org):
    response = admin_client.post(
        "/manage/evaluation/questions/new/",
        {"text_en": "Pick", "kind": "single", "options": "Only one", "roles": "both"},
    )
    assert response.status_code == 200
    assert "A choice question needs at least two options." in response.content.decode()
    assert EvaluationQuestion.objects.count() == 0


def test_request_from_the_dashboard_then_the_member_answers_once(
    admin_client, admin, mentor, mentee, relationship, evaluation_questions
):
    page = admin_client.get(f"/manage/relationships/{relationship.pk}/").content.decode()
    assert "Request the evaluation" in page and "Not requested" in page
    admin_client.post(f"/manage/relationships/{relationship.pk}/evaluation/")
    own = EvaluationRequest.objects.get(respondent=mentee)
    client = Client()
    client.force_login(mentee)
    form = client.get(f"/evaluations/{own.pk}/").content.decode()
    rating, text, _choice = evaluation_questions
    assert f'name="q{rating.pk}"' in form and f'name="q{text.pk}"' in form
    refused = client.post(f"/evaluations/{own.pk}/", {f"q{text.pk}": "Listening"})
    # Charlotte reads French.
    assert refused.status_code == 400 and "une réponse" in refused.content.decode()
    assert "Listening" in refused.content.decode()  # what they typed is kept
    client.post(f"/evaluations/{own.pk}/", {f"q{rating.pk}": "4", f"q{text.pk}": "Listening"})
    shown = client.get(f"/evaluations/{own.pk}/").content.decode()
    assert (
        "data-answered" in shown
        and "Listening" in shown
        and '<form method="post" class="stacked" data-answer-form' not in shown
    )
    # Anna's request is not Charlotte's to open.
    theirs = EvaluationRequest.objects.get(respondent=mentor)
    assert client.get(f"/evaluations/{theirs.pk}/").status_code == 404
    assert client.post(f"/evaluations/{theirs.pk}/", {f"q{rating.pk}": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.answered_at is None


def test_relationships_list_shows_the_evaluation_state_in_constant_queries(
    admin_client, org, admin, relationship, evaluation_questions, django_assert_max_num_queries
):
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    with django_assert_max_num_queries(40) as few:
        admin_client.get("/manage/relationships/")
    for n in range(5):
        mentor = make_member(org, f"m{n}@mentor.test", "M", f"{n}", Role.MENTOR)
        mentee = make_member(org, f"e{n}@mentor.test", "E", f"{n}", Role.MENTEE)
        r = services.relationship_match(actor=admin, mentor=mentor, mentee=mentee)
        evaluation.evaluation_request(actor=admin, relationship=r)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get("/manage/relationships/").content.decode()
    assert "Final evaluation" in page
    assert page.count('data-state="requested"') == 6


def test_survey_pages_draft_send_results_close(
    admin_client, admin, mentor, mentee, relationship, django_capture_on_commit_callbacks
):
    response = admin_client.post(
        "/manage/surveys/new/",
        {
            "title_en": "Pulse",
            "title_fr": "Pouls",
            "intro_en": "Two minutes",
            "audience": "mentors",
        },
    )
    survey = Survey.objects.get(title_en="Pulse")
    assert response.url == f"/manage/surveys/{survey.pk}/"
    admin_client.post(
        f"/manage/surveys/{survey.pk}/questions/new/",
        {"text_en": "How is it going?", "kind": "rating", "required": "on"},
    )
    draft = admin_client.get(f"/manage/surveys/{survey.pk}/").content.decode()
    assert "How is it going?" in draft and "This survey will reach 1 person." in draft
    with django_capture_on_commit_callbacks(execute=True):
        sent = admin_client.post(f"/manage/surveys/{survey.pk}/send/")
    assert sent.url == f"/manage/surveys/{survey.pk}/results/"
    listing = admin_client.get("/manage/surveys/").content.decode()
    assert "Pulse" in listing and "0/1" in listing and "Sent" in listing
    question = survey.questions.get()
    client = Client()
    client.force_login(mentor)
    client.post(f"/surveys/{survey.pk}/", {f"q{question.pk}": "5"})
    results = admin_client.get(f"/manage/surveys/{survey.pk}/results/").content.decode()
    assert "Responses: 1 of 1" in results and "average rating: 5" in results
    assert "<canvas" in results and '<th scope="row">5</th><td data-count-cell>1</td>' in results
    admin_client.post(f"/manage/surveys/{survey.pk}/close/")
    client.force_login(mentee)  # never sent it
    assert client.get(f"/surveys/{survey.pk}/").status_code == 404


def test_a_closed_survey_says_so_and_refuses_answers(client, admin, mentee, sent_survey):
    survey, (rating, _m, _t) = sent_survey
    surveys.survey_close(actor=admin, survey=survey)
    client.force_login(mentee)
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Ce sondage est fermé" in page and "data-answer-form" not in page  # she reads French
    client.post(f"/surveys/{survey.pk}/", {f"q{rating.pk}": "3"})
    assert SurveyRecipient.objects.get(user=mentee).answered_at is None


def test_outsider_administrator_gets_404_on_every_page(
    outsider_client, admin, relationship, evaluation_questions, sent_survey
):
    survey, (question, _m, _t) = sent_survey
    draft, (draft_question, _m2, _t2) = make_survey(admin)
    own = EvaluationRequest
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    request = own.objects.get(respondent__role=Role.MENTOR)
    q = evaluation_questions[0]
    gets = [
        f"/manage/evaluation/questions/{q.pk}/",
        f"/manage/surveys/{draft.pk}/",
        f"/manage/surveys/{draft.pk}/questions/new/",
        f"/manage/surveys/{draft.pk}/questions/{draft_question.pk}/",
        f"/manage/surveys/{survey.pk}/results/",
        f"/evaluations/{request.pk}/",
        f"/surveys/{survey.pk}/",
    ]
    posts = [
        f"/manage/evaluation/questions/{q.pk}/delete/",
        f"/manage/evaluation/questions/{q.pk}/move/",
        f"/manage/relationships/{relationship.pk}/evaluation/",
        f"/manage/surveys/{draft.pk}/questions/{draft_question.pk}/delete/",
        f"/manage/surveys/{draft.pk}/questions/{draft_question.pk}/move/",
        f"/manage/surveys/{draft.pk}/send/",
        f"/manage/surveys/{survey.pk}/remind/",
        f"/manage/surveys/{survey.pk}/close/",
    ]
    for path in gets:
        assert outsider_client.get(path).status_code == 404, path
    for path in posts:
        assert outsider_client.post(path, {"direction": "up"}).status_code == 404, path
    # Their own lists show none of ours.
    for path in ("/manage/evaluation/", "/manage/surveys/"):
        text = outsider_client.get(path).content.decode()
        assert "Mid-year survey" not in text and "How useful was it?" not in text
    assert EvaluationQuestion.objects.count() == 3
    assert Survey.objects.get(pk=draft.pk).status == "draft"


def test_members_cannot_open_the_admin_pages(client, mentor):
    client.force_login(mentor)
    for path in ("/manage/evaluation/", "/manage/surveys/", "/manage/surveys/new/"):
        assert client.get(path).status_code == 404


def test_the_member_home_lists_what_waits_for_their_answer(
    client, admin, mentor, relationship, evaluation_questions, sent_survey
):
    survey, (rating, _m, _t) = sent_survey
    evaluation.evaluation_request(actor=admin, relationship=relationship)
    client.force_login(mentor)
    home = client.get("/").content.decode()
    own = EvaluationRequest.objects.get(respondent=mentor)
    assert f'href="/evaluations/{own.pk}/"' in home
    assert "Evaluate your relationship with Charlotte Test" in home
    assert f'href="/surveys/{survey.pk}/"' in home and "Survey: Mid-year survey" in home
    client.post(f"/surveys/{survey.pk}/", {f"q{rating.pk}": "2"})
    assert f'href="/surveys/{survey.pk}/"' not in client.get("/").content.decode()


def test_survey_form_chosen_people_through_the_picker(
    admin_client, mentor, mentee, outsider_mentor
):
    page = admin_client.get("/manage/surveys/new/").content.decode()
    # The type-ahead picker asks the server: no member is listed in the page.
    assert "tom-select" in page and mentor.email not in page
    response = admin_client.post(
        "/manage/surveys/new/",
        {"title_en": "Chosen", "audience": "chosen", "chosen": [mentor.pk, mentee.pk]},
    )
    survey = Survey.objects.get(title_en="Chosen")
    assert response.status_code == 302
    assert set(survey.chosen.values_list("pk", flat=True)) == {mentor.pk, mentee.pk}
    edit = admin_client.get(f"/manage/surveys/{survey.pk}/").content.decode()
    assert "This survey will reach 2 people." in edit
    # Another organisation's person is not a choice: nothing saved.
    refused = admin_client.post(
        "/manage/surveys/new/",
        {"title_en": "Theirs", "audience": "chosen", "chosen": [outsider_mentor.pk]},
    )
    assert refused.status_code in (200, 400)
    assert not Survey.objects.filter(title_en="Theirs").exists()
