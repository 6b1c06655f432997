"""A survey's results, live: the administrator (French) has the results page open; Anna
answers the survey in another browser; the responses count, the per-question table behind
the chart and the chart itself change without a reload."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import Browser, expect

from feedback import surveys
from feedback.questions import QuestionData
from feedback.surveys import SurveyData
from notifications.models import Audience
from tests.conftest import make_member
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in

pytestmark = [pytest.mark.e2e]


class SurveyLiveTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        make_member(self.org, "bruno@mentor.test", "Bruno", "B", "mentor")
        self.survey = surveys.survey_save(
            actor=self.admin,
            data=SurveyData(title_en="Pulse", title_fr="Pouls", audience=Audience.MENTORS),
        )
        self.rating = surveys.survey_question_save(
            actor=self.admin,
            survey=self.survey,
            data=QuestionData(text_en="How is it going?", text_fr="Comment ça va?", kind="rating"),
        )
        surveys.survey_question_save(
            actor=self.admin,
            survey=self.survey,
            data=QuestionData(
                text_en="What helped?",
                text_fr="Qu'est-ce qui a aidé?",
                kind="multiple",
                options=[("Meetings", "Rencontres"), ("Goals", "Objectifs")],
            ),
        )
        # The invitations job runs on commit (django-q2 synchronous in tests).
        with transaction.atomic():
            surveys.survey_send(actor=self.admin, survey=self.survey)

    def test_an_answer_shows_in_the_results_without_a_reload(self):
        self.in_chromium(self._scenario, self.live_server_url, self.survey.pk)

    def _scenario(self, browser: Browser, base: str, survey_id: int) -> None:
        admin = new_page(browser, locale="fr-CA")
        sign_in(admin, base, self.admin.email)
        admin.goto(f"{base}/manage/surveys/{survey_id}/results/")
        expect(admin.locator("html")).to_have_attribute("data-live", "open")
        admin.evaluate("window.notReloaded = true")
        expect(admin.locator("[data-responses]")).to_contain_text("0")
        expect(admin.locator("[data-responses]")).to_contain_text("2")
        # The chart is drawn from the table beside it.
        expect(admin.locator("canvas.summary-chart")).to_have_count(2)
        assert admin.evaluate(
            "Chart.getChart(document.querySelector('canvas')).data.datasets[0].data"
        ) == [0, 0, 0, 0, 0]

        anna = new_page(browser, locale="en-CA")
        sign_in(anna, base, self.anna.email)
        anna.goto(f"{base}/surveys/{survey_id}/")
        anna.get_by_role("group", name="How is it going?").get_by_label("4").check()
        anna.get_by_label("Goals").check()
        anna.get_by_role("button", name="Send my answers").click()
        expect(anna.locator("[data-answered]")).to_be_visible()

        rating = admin.locator(f'[data-summary="{self.rating.pk}"]')
        expect(rating.locator("tbody tr").nth(3).locator("td")).to_have_text(
            "1", timeout=LIVE_TIMEOUT_MS
        )
        expect(admin.locator("[data-responses]")).to_contain_text("1")
        expect(
            admin.locator('[data-summary] th[scope="row"]', has_text="Objectifs")
        ).to_be_visible()
        assert admin.evaluate(
            "Chart.getChart(document.querySelector('canvas')).data.datasets[0].data"
        ) == [0, 0, 0, 1, 0]
        assert admin.evaluate("window.notReloaded") is True
        for page in (admin, anna):
            page.context.close()
