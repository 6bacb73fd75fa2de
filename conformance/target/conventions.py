"""Graph's conventions that arranging and the cases both read and write: dateTime text, "gone" answers."""

from __future__ import annotations

from datetime import datetime

GONE = (404, 410)  # what Graph answers for an item that was removed (a read, a DELETE)


def iso(moment: datetime) -> str:
    """Graph's dateTime text (no offset; the time zone is given beside it)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
