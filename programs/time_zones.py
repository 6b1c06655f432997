"""The time zones a member picks from: one city per zone people actually live in, grouped
by region, each labelled with its current UTC offset («(UTC−05:00) Toronto, Montréal»).
Values are canonical IANA names; the tz database's legacy aliases (Factory, W-SU, PRC,
US/…, Etc/…) are not offered. A member whose stored zone is not in the list (imported, or
chosen before the list existed) keeps it: `time_zone_choices(current=…)` offers it too,
so saving their profile never changes their clock behind their back."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Region → zones, west to east within a region as much as matters (the list is sorted by
# offset when shown). Every name is a zone of the tz database's zone.tab (tests check it).
REGIONS: tuple[tuple[Promise, tuple[str, ...]], ...] = (
    (
        _("North America"),
        (
            "America/St_Johns", "America/Halifax", "America/Moncton", "America/Toronto",
            "America/Iqaluit", "America/Winnipeg", "America/Regina", "America/Edmonton",
            "America/Whitehorse", "America/Vancouver", "America/Miquelon", "America/New_York",
            "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
            "America/Anchorage", "Pacific/Honolulu", "America/Mexico_City", "America/Cancun",
            "America/Tijuana",
        ),
    ),
    (
        _("Central America and the Caribbean"),
        (
            "America/Guatemala", "America/Costa_Rica", "America/Panama", "America/Havana",
            "America/Jamaica", "America/Port-au-Prince", "America/Santo_Domingo",
            "America/Puerto_Rico", "America/Martinique", "America/Guadeloupe",
        ),
    ),
    (
        _("South America"),
        (
            "America/Bogota", "America/Lima", "America/Guayaquil", "America/Caracas",
            "America/La_Paz", "America/Santiago", "America/Asuncion",
            "America/Argentina/Buenos_Aires", "America/Montevideo", "America/Sao_Paulo",
            "America/Cayenne",
        ),
    ),
    (
        _("Europe"),
        (
            "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris",
            "Europe/Brussels", "Europe/Madrid", "Europe/Amsterdam", "Europe/Berlin",
            "Europe/Zurich", "Europe/Rome", "Europe/Vienna", "Europe/Stockholm",
            "Europe/Warsaw", "Europe/Prague", "Europe/Athens", "Europe/Bucharest",
            "Europe/Helsinki", "Europe/Kyiv", "Europe/Istanbul", "Europe/Moscow",
        ),
    ),
    (
        _("Africa"),
        (
            "Africa/Casablanca", "Africa/Dakar", "Africa/Abidjan", "Africa/Algiers",
            "Africa/Tunis", "Africa/Lagos", "Africa/Douala", "Africa/Kinshasa",
            "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Africa/Addis_Ababa",
        ),
    ),
    (
        _("Asia"),
        (
            "Asia/Jerusalem", "Asia/Beirut", "Asia/Baghdad", "Asia/Riyadh", "Asia/Tehran",
            "Asia/Dubai", "Asia/Karachi", "Asia/Tashkent", "Asia/Kolkata", "Asia/Kathmandu",
            "Asia/Almaty", "Asia/Dhaka", "Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Jakarta",
            "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Manila", "Asia/Taipei",
            "Asia/Seoul", "Asia/Tokyo",
        ),
    ),
    (
        _("Oceania"),
        (
            "Australia/Perth", "Australia/Darwin", "Australia/Adelaide", "Australia/Brisbane",
            "Australia/Sydney", "Australia/Melbourne", "Australia/Hobart", "Pacific/Guam",
            "Pacific/Port_Moresby", "Pacific/Noumea", "Pacific/Fiji", "Pacific/Auckland",
            "Pacific/Tahiti",
        ),
    ),
    (
        _("Atlantic and Indian Oceans"),
        (
            "Atlantic/Azores", "Atlantic/Cape_Verde", "Atlantic/Reykjavik", "Indian/Reunion",
            "Indian/Mauritius", "Indian/Maldives",
        ),
    ),
    (_("Universal time"), ("UTC",)),
)  # fmt: skip

MINUS = "\u2212"  # «UTC−05:00»: a minus sign, not a hyphen

CURATED = frozenset(name for _region, names in REGIONS for name in names)

# Readable names where the zone's last part is not one (or differs in French).
CITIES: dict[str, str | Promise] = {
    "America/St_Johns": pgettext_lazy("city", "St. John's"),
    "America/Toronto": pgettext_lazy("city", "Toronto, Montreal, Ottawa"),
    "America/Miquelon": pgettext_lazy("city", "Saint Pierre and Miquelon"),
    "America/Mexico_City": pgettext_lazy("city", "Mexico City"),
    "America/Cancun": pgettext_lazy("city", "Cancun"),
    "America/Havana": pgettext_lazy("city", "Havana"),
    "America/Jamaica": pgettext_lazy("city", "Jamaica"),
    "America/Santo_Domingo": pgettext_lazy("city", "Santo Domingo"),
    "America/Puerto_Rico": pgettext_lazy("city", "Puerto Rico"),
    "America/Bogota": pgettext_lazy("city", "Bogota"),
    "America/Asuncion": pgettext_lazy("city", "Asuncion"),
    "America/Sao_Paulo": pgettext_lazy("city", "Sao Paulo"),
    "Europe/London": pgettext_lazy("city", "London"),
    "Europe/Lisbon": pgettext_lazy("city", "Lisbon"),
    "Europe/Brussels": pgettext_lazy("city", "Brussels"),
    "Europe/Vienna": pgettext_lazy("city", "Vienna"),
    "Europe/Warsaw": pgettext_lazy("city", "Warsaw"),
    "Europe/Athens": pgettext_lazy("city", "Athens"),
    "Europe/Bucharest": pgettext_lazy("city", "Bucharest"),
    "Europe/Moscow": pgettext_lazy("city", "Moscow"),
    "Africa/Algiers": pgettext_lazy("city", "Algiers"),
    "Africa/Cairo": pgettext_lazy("city", "Cairo"),
    "Africa/Addis_Ababa": pgettext_lazy("city", "Addis Ababa"),
    "Asia/Jerusalem": pgettext_lazy("city", "Jerusalem"),
    "Asia/Beirut": pgettext_lazy("city", "Beirut"),
    "Asia/Baghdad": pgettext_lazy("city", "Baghdad"),
    "Asia/Riyadh": pgettext_lazy("city", "Riyadh"),
    "Asia/Tehran": pgettext_lazy("city", "Tehran"),
    "Asia/Dubai": pgettext_lazy("city", "Dubai"),
    "Asia/Tashkent": pgettext_lazy("city", "Tashkent"),
    "Asia/Kathmandu": pgettext_lazy("city", "Kathmandu"),
    "Asia/Ho_Chi_Minh": pgettext_lazy("city", "Ho Chi Minh City"),
    "Asia/Singapore": pgettext_lazy("city", "Singapore"),
    "Asia/Manila": pgettext_lazy("city", "Manila"),
    "Asia/Seoul": pgettext_lazy("city", "Seoul"),
    "Pacific/Fiji": pgettext_lazy("city", "Fiji"),
    "Pacific/Noumea": pgettext_lazy("city", "Noumea"),
    "Atlantic/Azores": pgettext_lazy("city", "Azores"),
    "Atlantic/Cape_Verde": pgettext_lazy("city", "Cape Verde"),
    "Indian/Reunion": pgettext_lazy("city", "Reunion"),
    "Indian/Mauritius": pgettext_lazy("city", "Mauritius"),
    "UTC": pgettext_lazy("time zone", "UTC (coordinated universal time)"),
}


def city(name: str) -> str:
    """«Toronto, Montréal, Ottawa» for America/Toronto; a legacy name as it is."""
    if name in CITIES:
        return str(CITIES[name])
    if name not in CURATED:
        return name
    return name.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(name: str, *, at: datetime.datetime | None = None) -> str:
    """«UTC−05:00»: the zone's offset now (or `at`), which moves with daylight saving."""
    moment = (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(name))
    offset = moment.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    sign = MINUS if minutes < 0 else "+"
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(name: str, *, at: datetime.datetime | None = None) -> str:
    try:
        return f"({utc_offset(name, at=at)}) {city(name)}"
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name


def _sorted(names: Sequence[str], at: datetime.datetime) -> list[tuple[str, str]]:
    def key(name: str) -> tuple[float, str]:
        moment = at.astimezone(zoneinfo.ZoneInfo(name))
        offset = moment.utcoffset() or datetime.timedelta(0)
        return (offset.total_seconds(), city(name))

    return [(name, zone_label(name, at=at)) for name in sorted(names, key=key)]


def time_zone_choices(
    *, current: str = "", at: datetime.datetime | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Optgroups for a <select>, in the active language, offsets as of `at` (now). The
    member's `current` zone comes first, in a group of its own, when the list lacks it."""
    at = at or timezone.now()
    groups = [(str(region), _sorted(names, at)) for region, names in REGIONS]
    if current and current not in CURATED:
        groups.insert(
            0, (str(_("Your current time zone")), [(current, zone_label(current, at=at))])
        )
    return groups
