"""The time-zone list: canonical zones by region with their offset, no legacy aliases;
a member whose stored zone is a legacy one keeps it."""

from __future__ import annotations

import datetime
import importlib.resources
import zoneinfo

from django.utils import translation

from programs.time_zones import CURATED, time_zone_choices, zone_label

WINTER = datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 15, 12, tzinfo=datetime.UTC)


def zone_tab() -> set[str]:
    text = (importlib.resources.files("tzdata.zoneinfo") / "zone.tab").read_text()
    return {line.split("\t")[2] for line in text.splitlines() if line and line[0] != "#"}


def test_every_zone_offered_is_a_real_place_not_an_alias():
    assert CURATED - {"UTC"} <= zone_tab()
    assert zoneinfo.available_timezones() >= CURATED
    for legacy in ("Factory", "W-SU", "PRC", "US/Eastern", "Etc/GMT+5", "Canada/Eastern"):
        assert legacy not in CURATED


def test_regions_are_optgroups_in_the_page_language_with_current_offsets():
    with translation.override("fr"):
        groups = dict(time_zone_choices(at=WINTER))
        assert {"Amérique du Nord", "Europe", "Afrique", "Asie", "Océanie"} <= set(groups)
        north_america = dict(groups["Amérique du Nord"])
        assert north_america["America/Toronto"] == "(UTC\u221205:00) Toronto, Montréal, Ottawa"
        assert dict(groups["Europe"])["Europe/London"] == "(UTC+00:00) Londres"
    with translation.override("en"):
        groups = dict(time_zone_choices(at=SUMMER))
        assert dict(groups["North America"])["America/Toronto"] == (
            "(UTC\u221204:00) Toronto, Montreal, Ottawa"
        )
        assert dict(groups["Asia"])["Asia/Kolkata"] == "(UTC+05:30) Kolkata"


def test_a_legacy_zone_stays_selectable_for_the_member_who_has_it():
    groups = time_zone_choices(current="US/Eastern", at=WINTER)
    assert groups[0][1] == [("US/Eastern", "(UTC\u221205:00) US/Eastern")]
    # Nobody else is offered it.
    assert all(
        value != "US/Eastern" for _g, zones in time_zone_choices()[0:] for value, _l in zones
    )
    assert zone_label("Nowhere/Atlantis") == "Nowhere/Atlantis"
