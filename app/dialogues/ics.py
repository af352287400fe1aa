"""A dialogue table as an iCalendar file (RFC 5545), written by hand: it is one small event."""
from datetime import UTC, datetime, timedelta

# Calendars need an end; a table without one is shown as lasting this long.
DEFAULT_DURATION = timedelta(hours=2)
MAX_OCTETS = 75


def escape_text(value: str | None) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF + space, never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current = " "
            size = 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def table_calendar(
    table,
    *,
    page_url: str,
    uid_domain: str,
    now: datetime,
    include_online_url: bool,
) -> str:
    """The table as a VCALENDAR with one VEVENT; the online link only when the reader may see it."""
    from app.dialogues.models import TableState

    ends_at = table.ends_at or table.starts_at + DEFAULT_DURATION
    description_parts = [table.objective or ""]
    if include_online_url and table.online_url:
        description_parts.append(table.online_url)
    description_parts.append(page_url)
    location = table.place or (table.online_url if include_online_url else None)
    status = "CANCELLED" if table.state == TableState.cancelled else "CONFIRMED"

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cocrea//Mesas de dialogo//ES",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:dialogue-table-{table.id}@{uid_domain}",
        f"DTSTAMP:{utc_stamp(now)}",
        f"SEQUENCE:{table.revision or 0}",
        f"DTSTART:{utc_stamp(table.starts_at)}",
        f"DTEND:{utc_stamp(ends_at)}",
        f"SUMMARY:{escape_text(table.title)}",
        f"DESCRIPTION:{escape_text(chr(10).join(p for p in description_parts if p))}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines += [
        f"URL:{page_url}",
        f"STATUS:{status}",
        f"LAST-MODIFIED:{utc_stamp(table.updated_at or now)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
