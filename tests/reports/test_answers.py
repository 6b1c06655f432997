"""The program evaluation and surveys in the reports: «Rapport d'évaluation du
programme» and «Rapport sur les sondages» downloaded from «Générer des rapports», the
members report's «Évaluation du programme» and «Sondages» columns, and their response
rates on «Statistiques»."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import evaluation, selectors, surveys
from feedback.models import EvaluationRequest
from notifications.models import Audience
from programs.audit import AuditAction
from programs.models import AuditEntry
from reports.statistics import Period, program_statistics
from tests.conftest import make_member
from tests.feedback_data import make_survey
from tests.reports.helpers import read_csv


def download(client, key: str, **query: str):
    response = client.get(reverse("web:report_download", args=[key]), query)
    assert response.status_code == 200, response.content[:500]
    return read_csv(response)


@pytest.fixture
def answered(
    admin, mentor, mentee, relationship, evaluation_questions, django_capture_on_commit_callbacks
):
    """Anna (mentor) and Charlotte (mentee) each answered the evaluation of their
    relationship, and Anna the mentors' survey."""
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
    survey, (rate, multiple, _text) = make_survey(admin, audience=Audience.MENTORS)
    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_send(actor=admin, survey=survey)
    surveys.survey_answer(
        actor=mentor,
        recipient=selectors.survey_recipient_own(user=mentor, survey_id=survey.pk),
        answers={str(rate.pk): "4", str(multiple.pk): [multiple.options[0]["id"]]},
    )
    return survey


def test_the_reports_page_lists_all_six_prepared_reports(admin_client):
    page = admin_client.get(reverse("web:reports")).content.decode()
    for key in (
        "members",
        "relationships",
        "meetings_relationships",
        "meetings_members",
        "evaluation",
        "surveys",
    ):
        assert reverse("web:report_download", args=[key]) in page, key
    assert page.index("Program evaluation report") < page.index("Surveys report")


def test_evaluation_report_download(admin_client, answered, admin):
    rows = download(admin_client, "evaluation")
    assert rows[0] == [
        "Mentor",
        "Mentee",
        "Respondent",
        "Role",
        "Answered at",
        "How useful was it?",
        "What did you learn?",
        "Would you mentor again?",
    ]
    assert [row[2:4] for row in rows[1:]] == [
        ["Anna Carter", "Mentor"],
        ["Charlotte Test", "Mentee"],
    ]
    # The mentee's text starts with "=": Excel must read it as text.
    assert rows[2][6] == "'=1+1 patience"
    # Answered at, as every report writes times: the administrator's zone, to the minute.
    when = EvaluationRequest.objects.get(respondent__email="anna@mentor.test").answered_at
    zone = ZoneInfo(admin.time_zone)
    assert when is not None
    assert rows[1][4] == when.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    entry = AuditEntry.objects.get(action=AuditAction.REPORT_EXPORT)
    assert entry.count == 2


def test_survey_report_download_is_one_row_per_answer(admin_client, answered):
    rows = download(admin_client, "surveys")
    assert rows[0] == ["Survey", "Respondent", "Role", "Answered at", "Question", "Answer"]
    assert [(row[0], row[1], row[4], row[5]) for row in rows[1:]] == [
        ("Mid-year survey", "Anna Carter", "Rate the program", "4"),
        ("Mid-year survey", "Anna Carter", "What helped?", "Meetings"),
    ]


def test_members_report_carries_each_members_answers(admin_client, answered):
    rows = download(admin_client, "members")
    header = rows[0]
    evaluation_at = header.index("Program evaluation")
    surveys_at = header.index("Surveys")
    by_email = {row[header.index("Email address")]: row for row in rows[1:]}
    anna = by_email["anna@mentor.test"]
    assert anna[evaluation_at].splitlines() == [
        "How useful was it?: 5",
        "Would you mentor again?: Yes",
    ]
    assert anna[surveys_at].splitlines() == [
        "Mid-year survey — Rate the program: 4",
        "Mid-year survey — What helped?: Meetings",
    ]
    charlotte = by_email["charlotte@mentor.test"]
    assert charlotte[evaluation_at].splitlines() == [
        "How useful was it?: 3",
        "What did you learn?: =1+1 patience",
    ]
    assert charlotte[surveys_at] == ""


def test_the_custom_report_can_pick_the_answers(admin_client, answered):
    response = admin_client.post(
        reverse("web:report_custom"), {"columns": ["email", "program_evaluation"]}
    )
    assert response.status_code in (200, 302)
    rows = download(admin_client, "custom")
    assert rows[0] == ["Email address", "Program evaluation"]


def test_answers_columns_keep_the_query_count_flat(admin_client, answered, org):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(admin_client, "members")
        return len(captured.captured_queries)

    before = queries()
    for n in range(15):
        make_member(org, f"extra{n}@mentee.test", f"Extra{n}", "M", "mentee")
    assert queries() == before


def test_statistics_show_the_response_rates(org, answered):
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    result = program_statistics(organisation=org, period=Period.LAST_12, now=now)
    charts = {chart.key: chart for chart in result.charts}
    evaluations = {s.label: s.values[-1] for s in charts["evaluation_responses"].series}
    assert evaluations == {
        "Evaluations requested": 2,
        "Evaluations answered": 2,
        "Response rate (%)": 100.0,
    }
    responses = {s.label: s.values[-1] for s in charts["survey_responses"].series}
    # The mentors' survey reached Anna only; she answered.
    assert responses["People invited"] == 1 and responses["Surveys answered"] == 1
    assert responses["Response rate (%)"] == 100.0
    assert all(v == 0 for v in charts["survey_responses"].series[0].values[:-1])
