"""Copy slips found on the demo pages, each fixed where the sentence is built: a name or a time
that ends in a period closes the sentence with that one period ("A.C.", "p.m."); a label is not
repeated; a committee's name does not follow a bare preposition ("de Comité …")."""
import re

import sqlalchemy as sa

from app.accounts.models import User
from app.commitments.models import Commitment, CommitmentState
from app.demo.loader import DEMO_PASSWORD
from app.dialogues.models import DialogueTable, MinutesVersion
from app.extensions import db
from app.plans.models import Committee
from tests.conftest import login_through_form

DOUBLED_PERIOD = re.compile(r"[^.]\.\.(?!\.)")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", response.get_data(as_text=True))).replace("\u202f", " ")


def test_an_organisation_ending_in_ac_is_welcomed_with_one_period(demo, client):
    organisation = db.session.scalar(sa.select(User).where(User.email == "organizacion@example.org"))
    assert organisation.name.endswith("A.C.")
    response = login_through_form(client, organisation.email, DEMO_PASSWORD)
    page = _text(client.get(response.headers["Location"]))
    assert f"Te damos la bienvenida, {organisation.name}" in page
    assert not DOUBLED_PERIOD.search(page), DOUBLED_PERIOD.search(page)


def test_minutes_published_at_a_pm_time_end_with_one_period(demo, client):
    table = db.session.scalars(sa.select(DialogueTable).join(
        MinutesVersion, MinutesVersion.table_id == DialogueTable.id)).first()
    page = _text(client.get(f"/tables/{table.id}"))
    assert re.search(r"Versión \d+, publicada el \d+ de \w+ de \d{4}, \d+:\d\d [ap]\.m\. Asistentes", page)
    assert not DOUBLED_PERIOD.search(page), DOUBLED_PERIOD.search(page)


def test_the_consultation_page_names_the_commitment_not_its_state_again(demo, client):
    commitment = db.session.scalars(
        sa.select(Commitment).where(Commitment.state == CommitmentState.consultation)).first()
    page = _text(client.get(f"/consultations/commitment/{commitment.id}"))
    assert "Consulta pública · En consulta pública" not in page
    assert f"Consulta pública · Compromiso {commitment.code} " in page


def test_a_committee_name_does_not_follow_a_bare_preposition(demo, client):
    committee = db.session.scalars(sa.select(Committee).where(Committee.name.startswith("Comité"))).first()
    page = _text(client.get(f"/tables/?committee={committee.id}"))
    assert f"Se muestran solo las mesas de este comité: {committee.name}." in page
    assert f"de {committee.name}" not in page


def test_the_public_log_names_every_act_of_the_demo_in_spanish(demo, client):
    from app.core.audit import AuditEntry
    from app.moderation.queries import ACTION_LABELS, TARGET_TYPE_LABELS

    recorded = db.session.execute(sa.select(AuditEntry.action, AuditEntry.target_type)
                                  .where(AuditEntry.public.is_(True)).distinct()).all()
    assert {action for action, _type in recorded} <= set(ACTION_LABELS)
    assert {kind for _action, kind in recorded if kind} <= set(TARGET_TYPE_LABELS)
    page = _text(client.get("/moderation/log"))
    for english in ("Election:", "Commitment:", "Election #", "Announcement #", "voting opened"):
        assert english not in page
    assert "Publicó un aviso" in page


def test_election_windows_end_their_sentences_with_one_period():
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace

    from app.elections.models import ElectionState
    from app.elections.windows import nomination_problem, voting_problem

    six_pm = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)  # 6:00 p.m. in the plan's zone
    election = SimpleNamespace(state=ElectionState.nominating, nominations_open_at=six_pm,
                               nominations_close_at=six_pm + timedelta(days=7),
                               voting_opens_at=six_pm, voting_closes_at=six_pm)
    opens = nomination_problem(election, six_pm - timedelta(hours=1)).replace("\u202f", " ")
    assert opens == "Las postulaciones abren el 5 de diciembre de 2026, 6:00 p.m."
    election.state = ElectionState.voting
    closed = voting_problem(election, six_pm).replace("\u202f", " ")
    assert closed.startswith("La votación cerró el 5 de diciembre de 2026, 6:00 p.m.: ya no")
