"""The profile's time-zone picker: regions, offsets, and legacy zones."""

from __future__ import annotations

from programs.models import User


def test_the_picker_groups_zones_by_region_in_french(client, mentee):
    client.force_login(mentee)  # Charlotte reads French
    page = client.get("/profile/").content.decode()
    assert '<optgroup label="Amérique du Nord">' in page
    assert "Toronto, Montréal, Ottawa" in page
    assert "W-SU" not in page and "Factory" not in page and "Etc/" not in page


def test_a_legacy_zone_is_kept_and_can_be_saved_again(client, mentor):
    User.objects.filter(pk=mentor.pk).update(time_zone="US/Eastern")
    client.force_login(mentor)
    page = client.get("/profile/").content.decode()
    assert '<option value="US/Eastern" selected>' in page
    response = client.post("/profile/", {"language": "en", "time_zone": "US/Eastern"})
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.time_zone == "US/Eastern"


def test_a_legacy_zone_nobody_had_is_refused(client, mentor):
    client.force_login(mentor)
    response = client.post("/profile/", {"language": "en", "time_zone": "Factory"})
    assert response.status_code == 200
    mentor.refresh_from_db()
    assert mentor.time_zone == "America/Toronto"
