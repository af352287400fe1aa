"""`flask ledger backfill`: records published before the ledger existed are appended to it, with
the content hash the live act would have written, in the order they were published; run again,
it appends nothing; the chain still verifies."""
import io
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.documents import services as documents
from app.evaluation import services as evaluation
from app.extensions import db
from app.ledger import queries, records, services, verify
from app.ledger.models import LedgerEntry
from tests.documents.conftest import pdf_file
from tests.evaluation.test_evaluation import ASSESSMENT, OPINION, Evaluating
from tests.factories import make_plan
from tests.ledger.test_ledger import published_story

pytestmark = pytest.mark.usefixtures("uploads")


@pytest.fixture(scope="module")
def loop(module_worlds):
    return module_worlds.share(Evaluating)


def everything_published(loop) -> None:
    """Every kind a source rebuilds: a report with a dispute and its answer, a session with an
    agreement done and its minutes (published_story), a document in two versions, an opinion and
    the committee's self-assessment."""
    published_story(loop)
    document = documents.publish_document(loop.admin, loop.plan, {
        "kind": "minutes", "committee_id": None, "title": "Acta de instalación",
        "description": "Primera sesión.", "document_date": date(2026, 3, 1)}, pdf_file())
    documents.add_version(loop.admin, document, {"reason": "Faltaba la firma."},
                          pdf_file("acta-firmada.pdf", b"%PDF-1.4\n%%EOF\n"))
    evaluation.give_opinion(loop.suplente, loop.commitment, OPINION)
    evaluation.record_assessment(loop.facilitator, loop.commitment, ASSESSMENT)


def chained() -> Counter:
    """What the ledger holds, without its order: kind, item and content hash of each entry."""
    return Counter(db.session.execute(sa.select(LedgerEntry.kind, LedgerEntry.item, LedgerEntry.content_hash)))


def forget(where=None) -> None:
    """As if these records had been published before the ledger existed."""
    db.session.execute(sa.delete(LedgerEntry).where(sa.true() if where is None else where))


def verifies(plan) -> bool:
    return verify.check(queries.document(plan), [], out=io.StringIO())


def test_records_published_before_the_ledger_are_appended_with_the_live_hashes(loop):
    everything_published(loop)
    live = chained()
    assert {kind for kind, _, _ in live} == set(services.KINDS) - set(records.NOT_REBUILT)
    forget()

    appended = records.backfill()

    assert appended == {loop.plan.id: Counter(kind for kind, _, _ in live.elements())}
    assert chained() == live  # the same content hashes the services wrote when they published
    assert verifies(loop.plan)
    entries = queries.entries(loop.plan.id)
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    # Published order: the report before its verdict, the verdict before its answer, a document's
    # versions in their order.
    kinds = [e.kind for e in entries]
    assert kinds.index("progress_report") < kinds.index("verdict") < kinds.index("dispute_answer")
    assert [e.version for e in entries if e.kind == "document_version"] == [1, 2]
    audit = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "ledger.backfilled")).one()
    assert audit.data["records"] == sum(live.values())


def test_run_again_it_appends_nothing(loop):
    everything_published(loop)
    forget()
    records.backfill()
    head = queries.document(loop.plan)["head"]

    assert records.backfill() == {}
    assert records.missing() == []
    assert queries.document(loop.plan)["head"] == head


def test_only_what_is_missing_is_appended_after_the_chain_kept(loop):
    everything_published(loop)
    live = chained()
    kept = db.session.scalar(sa.select(sa.func.max(LedgerEntry.position)).where(
        LedgerEntry.kind == "dispute_answer"))
    forget(LedgerEntry.position > kept)  # the ledger arrived after the answer to the dispute
    noted = queries.document(loop.plan)["head"]

    appended = records.backfill(loop.plan.id)

    assert set(appended[loop.plan.id]) == {"session_agreement", "agreement_done", "session_minutes",
                                           "document_version", "evaluation_opinion", "evaluation_assessment"}
    assert chained() == live
    assert verify.check(queries.document(loop.plan), [(noted["hash"], noted["position"])], out=io.StringIO())


def test_one_plan_at_a_time(loop):
    everything_published(loop)
    other = make_plan()
    services.append(other.id, "document_details", "document:99", {"title": "Otro plan"})
    forget(LedgerEntry.plan_id == loop.plan.id)

    assert records.backfill(other.id) == {}
    assert records.backfill(loop.plan.id)[loop.plan.id]
    assert verifies(loop.plan) and verifies(other)


def test_the_command(loop, app):
    everything_published(loop)
    forget()
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["ledger", "backfill"])
    assert first.exit_code == 0, first.output
    assert f"Plan {loop.plan.id}: {sum(chained().values())} records appended" in first.output
    second = runner.invoke(args=["ledger", "backfill", "--plan", str(loop.plan.id)])
    assert second.exit_code == 0 and "Every published record is in its plan's ledger." in second.output
    assert verifies(loop.plan)
