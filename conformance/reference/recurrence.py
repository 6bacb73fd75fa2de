"""patternedRecurrence -> occurrences, expanded with python-dateutil's rrule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from conformance.reference.graph_errors import bad_request

_FREQUENCIES: dict[str, Any] = {
    "daily": rrule.DAILY,
    "weekly": rrule.WEEKLY,
    "absoluteMonthly": rrule.MONTHLY,
    "relativeMonthly": rrule.MONTHLY,
    "absoluteYearly": rrule.YEARLY,
    "relativeYearly": rrule.YEARLY,
}
_WEEKDAYS = {
    "monday": rrule.MO,
    "tuesday": rrule.TU,
    "wednesday": rrule.WE,
    "thursday": rrule.TH,
    "friday": rrule.FR,
    "saturday": rrule.SA,
    "sunday": rrule.SU,
}
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_WINDOWS_ZONES = {
    "pacific standard time": "America/Los_Angeles",
    "eastern standard time": "America/New_York",
    "central standard time": "America/Chicago",
    "mountain standard time": "America/Denver",
    "gmt standard time": "Europe/London",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "tokyo standard time": "Asia/Tokyo",
    "coordinated universal time": "UTC",
}
MAX_OCCURRENCES = 2000


def zone(name: str | None) -> ZoneInfo:
    """The zone for an IANA or common Windows time-zone name; 400 for an unknown one."""
    if name is not None and not isinstance(name, str):
        raise bad_request("Property 'timeZone' must be a string.", "TimeZoneNotSupportedException")
    key = (name or "UTC").strip()
    key = _WINDOWS_ZONES.get(key.lower(), key)
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise bad_request(f"Time zone '{name}' is not supported.", "TimeZoneNotSupportedException") from error


def parse_local(value: Any, field: str) -> datetime:
    """A naive local datetime from a Graph dateTime string; 400 naming the field otherwise."""
    if not isinstance(value, str):
        raise bad_request(f"Property '{field}' must be an ISO 8601 date and time string.")
    text = value.strip().rstrip("Z")
    if "." in text:
        head, _, fraction = text.partition(".")
        text = f"{head}.{fraction[:6]}"
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError as error:
        raise bad_request(
            f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTimeOffset'."
        ) from error


def to_utc(local: datetime, zone_name: str | None) -> datetime:
    """A naive local time in `zone_name` as an aware UTC datetime."""
    return local.replace(tzinfo=zone(zone_name)).astimezone(UTC)


def validate(recurrence: Any) -> None:
    """400 unless `recurrence` is a patternedRecurrence the server can expand."""
    if not isinstance(recurrence, dict):
        raise bad_request("Property 'recurrence' must be a patternedRecurrence object.")
    pattern, recurrence_range = recurrence.get("pattern"), recurrence.get("range")
    if not isinstance(pattern, dict) or not isinstance(pattern.get("type"), str) or (
        pattern["type"] not in _FREQUENCIES
    ):
        raise bad_request(f"recurrence.pattern.type must be one of {', '.join(_FREQUENCIES)}.")
    if not isinstance(recurrence_range, dict) or recurrence_range.get("type") not in (
        "endDate",
        "noEnd",
        "numbered",
    ):
        raise bad_request("recurrence.range.type must be one of endDate, noEnd, numbered.")
    _rule(recurrence, datetime(2000, 1, 1, 9, 0))


def occurrences(
    recurrence: dict[str, Any],
    first_start: datetime,
    duration: timedelta,
    window_start: datetime,
    window_end: datetime,
    zone_name: str | None,
) -> list[datetime]:
    """Local start times of the occurrences overlapping [window_start, window_end) (aware UTC bounds)."""
    found: list[datetime] = []
    for local_start in _rule(recurrence, first_start):
        utc_start = to_utc(local_start, zone_name)
        if utc_start >= window_end or len(found) >= MAX_OCCURRENCES:
            break
        if utc_start + duration > window_start:
            found.append(local_start)
    return found


def _rule(recurrence: dict[str, Any], first_start: datetime) -> rrule.rrule:
    pattern, recurrence_range = recurrence["pattern"], recurrence["range"]
    kind = pattern["type"]
    interval = pattern.get("interval") or 1
    if not isinstance(interval, int) or not 1 <= interval <= 999:
        raise bad_request("recurrence.pattern.interval must be an integer from 1 to 999.")
    start_date = _date(recurrence_range.get("startDate"), "recurrence.range.startDate") or first_start.date()
    options: dict[str, Any] = {
        "interval": interval,
        "dtstart": datetime.combine(start_date, first_start.time()),
    }
    days = pattern.get("daysOfWeek") or []
    if not isinstance(days, list):
        raise bad_request("recurrence.pattern.daysOfWeek must be a list of day names.")
    weekdays = [_weekday(name) for name in days]
    if kind == "weekly":
        options["byweekday"] = weekdays or [first_start.weekday()]
        options["wkst"] = _weekday(pattern.get("firstDayOfWeek") or "sunday")
    elif kind in ("absoluteMonthly", "absoluteYearly"):
        options["bymonthday"] = _positive(pattern.get("dayOfMonth"), "dayOfMonth", 31)
    elif kind in ("relativeMonthly", "relativeYearly"):
        if not weekdays:
            raise bad_request("recurrence.pattern.daysOfWeek is required for relative patterns.")
        index = _INDEX.get(str(pattern.get("index") or "first"))
        if index is None:
            raise bad_request("recurrence.pattern.index must be first, second, third, fourth or last.")
        options["byweekday"] = [weekday(index) for weekday in weekdays]
    if kind in ("absoluteYearly", "relativeYearly"):
        options["bymonth"] = _positive(pattern.get("month"), "month", 12)
    range_type = recurrence_range["type"]
    if range_type == "endDate":
        end_date = _date(recurrence_range.get("endDate"), "recurrence.range.endDate")
        if end_date is None:
            raise bad_request("recurrence.range.endDate is required for an endDate range.")
        options["until"] = datetime.combine(end_date, time(23, 59, 59))
    elif range_type == "numbered":
        options["count"] = _positive(recurrence_range.get("numberOfOccurrences"), "numberOfOccurrences")
    return rrule.rrule(_FREQUENCIES[kind], **options)


def _weekday(name: Any) -> rrule.weekday:
    found = _WEEKDAYS.get(str(name).lower())
    if found is None:
        raise bad_request(f"'{name}' is not a day of the week.")
    return found


def _positive(value: Any, field: str, most: int = 2**31 - 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
        raise bad_request(f"recurrence {field} must be an integer from 1 to {most}.")
    return value


def _date(value: Any, field: str) -> date | None:
    if value in (None, "", "0001-01-01"):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise bad_request(f"{field} must be a date (YYYY-MM-DD).") from error
