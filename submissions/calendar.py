"""The deadline as an iCalendar file (RFC 5545), for a region's calendar.

Written by hand: one VEVENT is little enough that a library would add more than it saves.
Times are UTC ("Z"), which every calendar shows in its user's own zone; lines end in CRLF
and are folded at 75 octets without splitting a UTF-8 character (RFC 5545, 3.1).
"""

from __future__ import annotations

import datetime as dt

FOLD_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line, folded: each physical line at most 75 octets, continuations begin
    with a space, and a multi-byte character is never cut."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = FOLD_OCTETS if not parts else FOLD_OCTETS - 1  # the leading space counts
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def deadline_event(
    *,
    uid: str,
    summary: str,
    description: str,
    url: str,
    starts: dt.datetime,
    ends: dt.datetime,
    stamp: dt.datetime,
) -> bytes:
    """A VCALENDAR with one VEVENT from ``starts`` to ``ends`` (aware datetimes), as bytes."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//atgrant//Sista dag for inrapportering//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(starts)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape_text(summary)}",
        "TRIGGER:-P3D",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
