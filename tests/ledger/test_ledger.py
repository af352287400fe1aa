"""The plan's public ledger: records are chained when published, through the services that
publish them; the standard-library verifier accepts the ledger and a head noted earlier, and
rejects an edited, removed or reordered record and a wrong head."""
import copy
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.ledger import chain, queries, services, verify
from app.ledger.models import LedgerEntry
from app.meetings import services as meetings
from app.progress import oversight
from app.progress import services as progress
from tests.factories import make_plan
from tests.progress.test_oversight import Loop


@pytest.fixture(scope="module")
def loop(module_worlds):
    return module_worlds.share(Loop)


def published_story(loop):
    """A report drafted and published, a dispute and its answer, a session with an agreement done
    and its minutes: each in the plan's ledger."""
    note = progress.report_progress(loop.official, loop.commitment.milestones[0], "complete",
                                    "Estándar publicado.", date(2026, 3, 2))
    oversight.publish_report(loop.facilitator, note)
    dispute = oversight.review_report(loop.suplente, note, "disputed", "No vemos el archivo.")
    oversight.answer_dispute(loop.official, dispute, "Está en el portal.")
    session = meetings.record_session(loop.facilitator, loop.committee, {
        "held_on": date(2026, 3, 2), "agenda": "1. Avance.", "present": []})
    agreement = meetings.add_agreement(loop.facilitator, session, {
        "text": "Publicar.", "owner": "Obras", "due_on": date(2026, 3, 9)})
    meetings.complete_agreement(loop.facilitator, agreement, {"done_on": date(2026, 3, 3)})
    meetings.publish_minutes(loop.facilitator, session, "Acta.")
    return queries.document(loop.plan)


def checked(ledger, heads=()) -> tuple[bool, str]:
    out = io.StringIO()
    return verify.check(ledger, list(heads), out=out), out.getvalue()


def test_published_records_are_chained_in_order_and_verify(loop):
    ledger = published_story(loop)

    kinds = [e["kind"] for e in ledger["entries"]]
    assert kinds == ["progress_report", "verdict", "dispute_answer", "session_agreement",
                     "agreement_done", "session_minutes"]
    assert [e["position"] for e in ledger["entries"]] == [1, 2, 3, 4, 5, 6]
    # An answer is the second version of its verdict's item; a done agreement the second of its own.
    assert [(e["item"].split(":")[0], e["version"]) for e in ledger["entries"]][1:3] == [
        ("verdict", 1), ("verdict", 2)]
    assert ledger["entries"][0]["prev_hash"] == chain.genesis(loop.plan.id) == ledger["genesis"]
    good, said = checked(ledger)
    assert good, said
    assert ledger["head"] == {"position": 6, "hash": ledger["entries"][-1]["entry_hash"]}


def test_a_head_noted_earlier_proves_nothing_changed_up_to_it(loop):
    ledger = published_story(loop)
    noted = ledger["entries"][2]["entry_hash"]
    assert checked(ledger, [(noted, 3)])[0]
    assert checked(ledger, [(noted, None)])[0]
    assert not checked(ledger, [(noted, 4)])[0]                      # at another position
    assert not checked(ledger, [("a" * 64, None)])[0]                 # never in this ledger


@pytest.mark.parametrize("tamper", ["edit", "edit_and_rehash", "remove", "reorder", "append_copy",
                                    "genesis", "head"])
def test_the_verifier_rejects_a_changed_ledger(loop, tamper):
    ledger = copy.deepcopy(published_story(loop))
    entries = ledger["entries"]
    if tamper == "edit":
        entries[1]["sha256"] = chain.sha256_hex(b"another reason")
    elif tamper == "edit_and_rehash":
        # Changed and its own hash recomputed: the next entry no longer follows it.
        entries[1]["sha256"] = chain.sha256_hex(b"another reason")
        body = {k: entries[1][k] for k in ("position", "kind", "item", "version", "recorded_at")}
        body.update(plan=loop.plan.id, sha256=entries[1]["sha256"])
        entries[1]["entry_hash"] = chain.entry_hash(entries[1]["prev_hash"], body)
    elif tamper == "remove":
        del entries[2]
    elif tamper == "reorder":
        entries[2], entries[3] = entries[3], entries[2]
    elif tamper == "append_copy":
        entries.append(dict(entries[-1]))
    elif tamper == "genesis":
        ledger["plan"]["id"] = loop.plan.id + 1
    elif tamper == "head":
        ledger["head"]["hash"] = entries[-2]["entry_hash"]
    good, said = checked(ledger)
    assert not good and "FAIL" in said


def test_a_row_changed_in_the_database_no_longer_verifies(loop):
    published_story(loop)
    db.session.execute(sa.update(LedgerEntry).where(LedgerEntry.position == 2)
                       .values(content_hash=chain.sha256_hex(b"quietly changed")))
    assert not checked(queries.document(loop.plan))[0]


def test_positions_are_unique_within_a_plan(loop):
    services.append(loop.plan.id, "document_details", "document:1", {"title": "A"})
    twin = LedgerEntry(plan_id=loop.plan.id, position=1, kind="document_details", item="document:1",
                       version=1, content_hash="0" * 64, recorded_at="2026-03-02T00:00:00Z",
                       prev_hash="0" * 64, entry_hash="1" * 64)
    db.session.add(twin)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_each_plan_has_its_own_chain(loop):
    other = make_plan()
    first = services.append(loop.plan.id, "document_details", "document:1", {"title": "A"})
    second = services.append(other.id, "document_details", "document:2", {"title": "B"})
    assert (first.position, second.position) == (1, 1)
    assert second.prev_hash == chain.genesis(other.id)


def test_the_command_line_exit_codes(loop, tmp_path, capsys):
    ledger = published_story(loop)
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(ledger))
    head = f"{ledger['head']['hash']}@{ledger['head']['position']}"
    assert verify.main([str(path), "--head", head]) == 0
    ledger["entries"][0]["kind"] = "verdict"
    path.write_text(json.dumps(ledger))
    assert verify.main([str(path)]) == 1
    assert verify.main([str(tmp_path / "missing.json")]) == 2
    assert verify.main([str(path), "--head", "not-a-hash"]) == 2


def test_the_ledger_page_and_download_are_public(loop, client):
    ledger = published_story(loop)
    db.session.commit()
    page = client.get(f"/ledger/{loop.plan.id}").get_data(as_text=True)
    assert ledger["head"]["hash"] in page and 'data-ledger-entries="6"' in page
    download = client.get(f"/ledger/{loop.plan.id}.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert checked(download.get_json())[0]
    assert client.get("/ledger/999999.json").status_code == 404
