"""Error pages in production (DEBUG off): branded, bilingual, never Django's bare text."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_another_programs_member_is_a_branded_404(admin_client, outsider_mentor):
    response = admin_client.get(f"/manage/members/{outsider_mentor.pk}/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "<h1>Page not found</h1>" in text
    assert "not part of your program" in text
    assert 'class="sidebar"' in text  # the usual navigation, to carry on
    assert "Olive" not in text


def test_a_french_member_reads_it_in_french(client, mentee):
    client.force_login(mentee)  # Charlotte's account is in French
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in response.content.decode()


def test_anonymous_visitors_get_it_too(client):
    response = client.get("/no/such/page/", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Something went wrong"), ("fr", "Une erreur est survenue")]
)
def test_the_server_error_page_stands_alone(language, title):
    request = RequestFactory().get("/manage/")
    with translation.override(language):
        response = defaults.server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert f"<h1>{title}</h1>" in text and f'lang="{language}"' in text
    assert "/static/" not in text  # no file that could itself be missing


def test_forbidden_and_bad_request_pages(rf):
    from django.core.exceptions import PermissionDenied

    with translation.override("fr"):
        forbidden = defaults.permission_denied(rf.get("/"), PermissionDenied())
        bad = defaults.bad_request(rf.get("/"), ValueError())
    assert forbidden.status_code == 403 and "Accès refusé" in forbidden.content.decode()
    assert bad.status_code == 400 and "Requête invalide" in bad.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "This form has expired"), ("fr", "Ce formulaire a expiré")],
)
def test_a_refused_form_gets_the_branded_csrf_page_in_the_visitors_language(
    mentor, language, heading
):
    from django.test import Client

    mentor.language = language
    mentor.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    response = client.post("/profile/", {"language": "en", "time_zone": "UTC"})
    assert response.status_code == 403
    text = response.content.decode()
    assert f"<h1>{heading}</h1>" in text
    assert 'class="sidebar"' in text
    assert "CSRF verification failed" not in text and "Forbidden" not in text
