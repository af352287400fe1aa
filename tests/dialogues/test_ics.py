"""The calendar file (RFC 5545): CRLF lines folded at 75 octets, escaped text, UTC times."""
from datetime import UTC, datetime, timedelta

import pytest

from app.dialogues import ics
from app.dialogues.models import DialogueTable, TableState
from app.extensions import db
from tests.conftest import login
from tests.dialogues.factories import ONLINE_URL, make_registration, make_table, make_user


def unfold(body: str) -> list[str]:
    """Logical lines: physical lines joined where the next one starts with a space."""
    assert body.endswith("\r\n")
    physical = body[:-2].split("\r\n")
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def properties(body: str) -> dict[str, str]:
    found = {}
    for line in unfold(body):
        name, _, value = line.partition(":")
        found.setdefault(name, value)
    return found


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def fixed_table(**changes) -> DialogueTable:
    values = dict(
        id=42,
        title="Mesa; agua, drenaje y colonias \\ Gómez Palacio",
        objective="Primera línea, con coma; y punto y coma.\nSegunda línea " + "ñ" * 80,
        starts_at=datetime(2030, 5, 11, 0, 0, tzinfo=UTC),
        ends_at=None,
        place="Casa de la Cultura, sala 2; planta baja",
        online_url=ONLINE_URL,
        state=TableState.scheduled,
        revision=3,
        updated_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    values.update(changes)
    return DialogueTable(**values)


def render(table, include_online_url=False) -> str:
    return ics.table_calendar(
        table,
        page_url="https://cocrea.example.org/tables/42",
        uid_domain="cocrea.example.org",
        now=datetime(2030, 1, 1, 12, 0, tzinfo=UTC),
        include_online_url=include_online_url,
    )


def test_every_line_ends_in_crlf_and_fits_in_75_octets():
    body = render(fixed_table())
    assert "\n" not in body.replace("\r\n", "")
    for line in body.split("\r\n")[:-1]:
        assert len(line.encode("utf-8")) <= 75, line
    # The long objective had to be folded, and folding never split a UTF-8 character.
    assert any(line.startswith(" ") for line in body.split("\r\n"))
    body.encode("utf-8").decode("utf-8")


def test_text_is_escaped_and_comes_back_intact():
    table = fixed_table()
    props = properties(render(table))
    assert props["SUMMARY"] == "Mesa\\; agua\\, drenaje y colonias \\\\ Gómez Palacio"
    assert unescape(props["SUMMARY"]) == table.title
    assert unescape(props["LOCATION"]) == table.place
    description = unescape(props["DESCRIPTION"])
    assert description.startswith(table.objective)
    assert description.endswith("https://cocrea.example.org/tables/42")


def test_times_are_utc_with_z_and_the_end_defaults_to_two_hours():
    props = properties(render(fixed_table()))
    assert props["DTSTART"] == "20300511T000000Z"
    assert props["DTEND"] == "20300511T020000Z"
    assert props["DTSTAMP"] == "20300101T120000Z"
    assert props["SEQUENCE"] == "3"
    ended = properties(render(fixed_table(ends_at=datetime(2030, 5, 11, 3, 30, tzinfo=UTC))))
    assert ended["DTEND"] == "20300511T033000Z"


def test_structure_uid_and_status():
    lines = unfold(render(fixed_table()))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "BEGIN:VEVENT" in lines and "END:VEVENT" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    props = properties(render(fixed_table()))
    assert props["UID"] == "dialogue-table-42@cocrea.example.org"
    assert props["STATUS"] == "CONFIRMED"
    assert properties(render(fixed_table(state=TableState.cancelled)))["STATUS"] == "CANCELLED"


def test_online_link_only_when_allowed():
    assert ONLINE_URL not in "".join(unfold(render(fixed_table())))
    assert ONLINE_URL in unescape(properties(render(fixed_table(), True))["DESCRIPTION"])
    online_only = properties(render(fixed_table(place=None), True))
    assert online_only["LOCATION"] == ONLINE_URL


@pytest.mark.parametrize("line", ["x" * 200, "ñ" * 100, "a" + "🌵" * 40])
def test_fold_keeps_the_text(line):
    folded = ics.fold(line)
    assert "".join(part[1:] if i else part for i, part in enumerate(folded.split("\r\n"))) == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


# ---------------------------------------------------------------- the download


def test_download_is_a_calendar_with_a_stable_uid(client, world):
    table = make_table(world.committee)
    other = make_table(world.committee)
    first = client.get(f"/tables/{table.id}/calendar.ics")
    assert first.status_code == 200
    assert first.mimetype == "text/calendar"
    assert "attachment" in first.headers["Content-Disposition"]
    second = client.get(f"/tables/{table.id}/calendar.ics")
    uid = properties(first.get_data(as_text=True))["UID"]
    assert uid == properties(second.get_data(as_text=True))["UID"]
    assert uid != properties(client.get(f"/tables/{other.id}/calendar.ics").get_data(as_text=True))["UID"]
    start = properties(first.get_data(as_text=True))["DTSTART"]
    assert start == table.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def test_download_has_the_link_only_for_confirmed_attendees(client, other_client, world):
    table = make_table(world.committee)
    attendee = make_user()
    make_registration(table, attendee)
    login(client, attendee.email)
    assert ONLINE_URL in "".join(unfold(client.get(f"/tables/{table.id}/calendar.ics")
                                        .get_data(as_text=True))).replace("\\", "")
    body = other_client.get(f"/tables/{table.id}/calendar.ics").get_data(as_text=True)
    assert "meet.example.org" not in body


def test_download_of_a_missing_table_is_404(client, world):
    assert client.get("/tables/999999/calendar.ics").status_code == 404


def test_download_after_edit_raises_the_sequence(client, world):
    table = make_table(world.committee, starts_in=timedelta(days=3))
    table.revision = 2
    db.session.commit()
    props = properties(client.get(f"/tables/{table.id}/calendar.ics").get_data(as_text=True))
    assert props["SEQUENCE"] == "2"
