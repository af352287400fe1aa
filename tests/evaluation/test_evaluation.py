"""The end-of-term evaluation: the representatives' opinions first, then the committee's
self-assessment, during the evaluation phase only; and the evidence pack, which the ledger's
verifier checks, and rejects once a file in it is changed."""
import io
import zipfile
from datetime import date, timedelta

import pytest

from app.core.clock import today
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.evaluation import services
from app.extensions import db
from app.ledger import verify
from app.plans.models import Phase, PhaseKind
from app.progress import oversight
from app.progress import services as progress
from tests.conftest import login
from tests.progress.test_oversight import Loop

OPINION = {"completion": "substantial", "text": "Se publicó el micrositio; falta el canal de reportes."}
ASSESSMENT = {"completion": "substantial", "opened_government": "marginal",
              "evidence": "Reportes publicados y confirmados por la sociedad civil."}


class Evaluating(Loop):
    def __init__(self):
        super().__init__()
        self.phase = Phase(plan_id=self.plan.id, kind=PhaseKind.evaluation, position=99,
                           starts_on=today() - timedelta(days=10), ends_on=today() + timedelta(days=10))
        db.session.add(self.phase)
        db.session.commit()


@pytest.fixture(scope="module")
def loop(module_worlds):
    return module_worlds.share(Evaluating)


def test_the_representatives_speak_first_then_the_committee_assesses(loop):
    with pytest.raises(InvalidTransition, match="primero"):
        services.record_assessment(loop.facilitator, loop.commitment, ASSESSMENT)
    opinion = services.give_opinion(loop.suplente, loop.commitment, OPINION)
    assert (opinion.seat, opinion.seat_holder) == ("cs_suplente", "Rodrigo Quiñones")
    with pytest.raises(InvalidTransition):  # one opinion each
        services.give_opinion(loop.suplente, loop.commitment, OPINION)

    assessment = services.record_assessment(loop.facilitator, loop.commitment, ASSESSMENT)

    assert (assessment.completion.value, assessment.opened_government.value) == ("substantial", "marginal")
    with pytest.raises(InvalidTransition):
        services.record_assessment(loop.admin, loop.commitment, ASSESSMENT)
    with pytest.raises(InvalidTransition):  # too late for an opinion
        services.give_opinion(loop.titular, loop.commitment, OPINION)


def test_only_during_the_evaluation_phase(loop):
    loop.phase.starts_on = today() + timedelta(days=1)
    with pytest.raises(InvalidTransition):
        services.give_opinion(loop.titular, loop.commitment, OPINION)
    with pytest.raises(InvalidTransition):
        services.record_assessment(loop.facilitator, loop.commitment, ASSESSMENT)


@pytest.mark.parametrize("who", ["citizen", "organisation", "other_facilitator", "official"])
def test_by_role(loop, who):
    actor = getattr(loop, who)
    with pytest.raises(PermissionDenied):
        services.give_opinion(actor, loop.commitment, OPINION)
    with pytest.raises(PermissionDenied):
        services.record_assessment(actor, loop.commitment, ASSESSMENT)


@pytest.mark.parametrize("data, field", [({"completion": "half"}, "completion"), ({"text": " "}, "text")])
def test_bad_opinions_are_refused_on_their_field(loop, data, field):
    with pytest.raises(ValidationError) as refused:
        services.give_opinion(loop.titular, loop.commitment, {**OPINION, **data})
    assert refused.value.field == field


def test_the_evaluation_page_by_role(loop, client):
    page = f"/evaluation/commitment/{loop.commitment.id}"
    assert "Publicar mi opinión" not in client.get(page).get_data(as_text=True)
    login(client, loop.titular.email)
    refused = client.submit(f"{page}/opinion", {"text": "Mi opinión 97531."})
    assert refused.status_code == 400 and "Mi opinión 97531." in refused.get_data(as_text=True)
    assert client.submit(f"{page}/opinion", OPINION).status_code == 302
    client.get("/account/logout")
    login(client, loop.facilitator.email)
    assert client.submit(f"{page}/assessment", ASSESSMENT).status_code == 302
    assert 'data-assessment="substantial"' in client.get(page).get_data(as_text=True)


def _pack(loop, client) -> bytes:
    note = progress.report_progress(loop.facilitator, loop.commitment.milestones[0], "complete", "Hecho.",
                                    date(2026, 3, 1))
    oversight.review_report(loop.titular, note, "confirmed", "Lo vimos.")
    services.give_opinion(loop.titular, loop.commitment, OPINION)
    db.session.commit()
    response = client.get(f"/evaluation/{loop.plan.id}/pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return response.get_data()


def test_the_evidence_pack_verifies(loop, client, tmp_path):
    path = tmp_path / "pack.zip"
    path.write_bytes(_pack(loop, client))
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert {"manifest.json", "plan.json", "commitments.json", "reports.json", "verdicts.json",
            "sessions.json", "evaluation.json", "standards.json", "standards.csv", "ledger.json"} <= names
    out = io.StringIO()
    assert verify.check_pack(str(path), [], out=out), out.getvalue()
    assert verify.main(["--pack", str(path)]) == 0


def test_a_pack_with_a_changed_file_fails(loop, client, tmp_path):
    original = zipfile.ZipFile(io.BytesIO(_pack(loop, client)))
    path = tmp_path / "changed.zip"
    with zipfile.ZipFile(path, "w") as changed:
        for name in original.namelist():
            data = original.read(name)
            changed.writestr(name, data.replace(b"Lo vimos.", b"No lo vimos") if name == "verdicts.json" else data)
    assert verify.main(["--pack", str(path)]) == 1
    assert verify.main(["--pack", str(tmp_path / "none.zip")]) == 2
