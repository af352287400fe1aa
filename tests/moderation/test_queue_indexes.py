"""The moderation queues read the few items waiting (or hidden by a moderator) through partial
indexes by committee, not by walking every proposal and comment of the committee (bench10: 1 s
and 0.8 s a queue page, 0.4 s the committee list, among 2M comments)."""
from sqlalchemy import event

from app.extensions import db
from app.moderation import queries
from tests.factories import make_admin, make_committee, make_plan
from tests.transparency import factories as f


def _plans_of(statements, *needles) -> list[str]:
    connection = db.session.connection()
    connection.exec_driver_sql("ANALYZE")
    if connection.dialect.name == "postgresql":
        # A test's tables are small enough to read whole: ask which index the planner would take.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plans = []
    for statement, parameters in statements:
        if not all(n in statement for n in needles):
            continue
        explain = "EXPLAIN " if connection.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(explain + statement, parameters)
        plans.append("\n".join(str(row[-1]) for row in rows))
    return plans


def test_the_queues_read_through_the_moderation_indexes():
    plan = make_plan()
    committee = make_committee(plan)
    author = f.citizen("Durango")
    proposals = [f.proposal(committee, author) for _n in range(40)]
    for proposal in proposals:
        for _n in range(5):
            f.comment(author, on_proposal=proposal)
    f.comment(author, on_proposal=proposals[0], hidden=True)  # hidden automatically: waiting
    proposals[1].open_reports = 1
    db.session.commit()
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        queries.committee_queue(committee)
        queries.queue_committees(make_admin())
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    for table in ("proposals", "comments"):
        waiting = _plans_of(statements, f"FROM {table}", "open_reports >")
        assert waiting and all(f"ix_{table}_moderation_waiting" in p for p in waiting), waiting
        hidden = _plans_of(statements, f"FROM {table}", "hidden_by_id IS NOT NULL")
        assert hidden and all(f"ix_{table}_moderation_hidden" in p for p in hidden), hidden
