"""The ARCO export covers every area where a user has data, only theirs, in bounded statements."""
import itertools
import json
from datetime import date

import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import ModeratorScope
from app.calls.models import ApplicationDocument, ApplicationStatus, CallApplication
from app.comments.models import Comment
from app.commitments.models import Commitment, CommitmentState, CommitmentVersion
from app.consultations.models import ConsultationAnswer, ConsultationOutcome
from app.dialogues.models import MinutesVersion
from app.elections import services as election_services
from app.elections.models import (
    Ballot,
    Candidate,
    CandidateState,
    RollEntry,
    SelfSelectionAgreement,
)
from app.extensions import db
from app.follows.models import Follow
from app.moderation.models import Report, ReportReason, ReportTarget
from app.plans.models import Committee, CommitteeMember, MemberKind
from app.proposals.models import ProposalAnswer, ProposalState, Support
from tests.calls.factories import make_call
from tests.comments.factories import make_comment, make_proposal
from tests.conftest import login
from tests.dialogues.factories import make_registration, make_table
from tests.elections.factories import make_election
from tests.factories import make_committee, make_organisation, make_plan, make_user
from tests.notifications.factories import make_notification
from tests.progress.factories import add_milestone, add_note
from tests.querycount import count_queries

_seq = itertools.count(1000)

SECTIONS = (
    "proposals", "comments", "supports", "proposal_answers", "table_registrations",
    "table_minutes", "reports", "notifications", "call_applications", "election_candidacies",
    "committee_memberships", "commitments_created", "commitment_versions",
    "consultation_answers", "progress_notes", "follows", "moderator_scopes",
)


def add(*rows):
    db.session.add_all(rows)
    db.session.commit()
    return rows[0]


def populate(user, plan, n: int, mark: str) -> None:
    """`n` items of `user` in every area; every text the user wrote carries `mark`."""
    for _ in range(n):
        committee = make_committee(plan)
        add(ModeratorScope(user_id=user.id, committee_id=committee.id))
        proposal = make_proposal(committee, author=user, title=f"{mark} propuesta")
        make_comment(proposal, author=user, body=f"{mark} comentario")
        add(Support(proposal_id=proposal.id, user_id=user.id))
        add(ProposalAnswer(proposal_id=proposal.id, actor_id=user.id, body=f"{mark} respuesta",
                           from_state=ProposalState.submitted, to_state=ProposalState.under_review))
        add(Report(reporter_id=user.id, target_type=ReportTarget.proposal, target_id=proposal.id,
                   reason=ReportReason.spam, details=f"{mark} reporte"))
        table = make_table(committee)
        make_registration(table, user)
        add(MinutesVersion(table_id=table.id, number=1, summary=f"{mark} relatoría",
                           agreements="", author_id=user.id))
        make_notification(user, url=f"/{mark}")

        call = make_call(plan, [committee])
        application = add(CallApplication(call_id=call.id, organisation_id=user.id,
                                          committee_id=committee.id, declarations=[],
                                          status=ApplicationStatus.approved,
                                          decision_reason=f"{mark} decisión"))
        add(ApplicationDocument(application_id=application.id, original_name=f"{mark}.pdf",
                                stored_name=f"{next(_seq):032x}", content_type="application/pdf",
                                size_bytes=123, sha256="a" * 64))
        election = make_election(committee)
        nominator, nominee = make_organisation(), make_user()
        for org, person in ((nominator, user), (user, nominee)):
            add(Candidate(election_id=election.id, organisation_id=org.id, user_id=person.id,
                          public_code=election_services._unique_code(election.id),
                          name=f"{mark} candidatura", state=CandidateState.validated))
        add(RollEntry(election_id=election.id, organisation_id=user.id, name=f"{mark} padrón",
                      position=1, voted=True))
        add(SelfSelectionAgreement(
            election_id=election.id, participants=[{"id": user.id, "name": f"{mark} org"}],
            titular_name=f"{mark} titular", agreed_on=date(2026, 5, 1), record_name="acta.pdf",
            record_stored_name=f"{next(_seq):032x}", record_content_type="application/pdf",
            record_size=10, record_sha256="b" * 64))
        add(CommitteeMember(committee_id=committee.id, name=f"{mark} integrante",
                            kind=MemberKind.cs_titular, user_id=user.id))

        commitment = add(Commitment(plan_id=plan.id, committee_id=committee.id, number=1,
                                    title=f"{mark} compromiso", state=CommitmentState.published,
                                    created_by_id=user.id))
        add(CommitmentVersion(commitment_id=commitment.id, number=1, snapshot={},
                              reason=f"{mark} versión", state=CommitmentState.draft,
                              author_id=user.id))
        remark = add(Comment(commitment_id=commitment.id, committee_id=committee.id,
                             author_id=user.id, section="problem", body=f"{mark} consulta"))
        add(ConsultationAnswer(comment_id=remark.id, outcome=ConsultationOutcome.incorporated,
                               reason=f"{mark} incorporado", answered_by_id=user.id))
        add_note(add_milestone(commitment), user)
        add(Follow(target_type="commitment", target_id=commitment.id, user_id=user.id))


def test_a_user_active_in_every_area_gets_every_section_and_nothing_of_another_user():
    plan = make_plan()
    user, other = make_organisation(), make_organisation()
    populate(user, plan, 1, "MIO")
    populate(other, plan, 1, "AJENO")
    # An agreement in a committee the user applied to, that names only the other organisation.
    committee_id = db.session.scalar(
        sa.select(CallApplication.committee_id).where(CallApplication.organisation_id == user.id))
    add(SelfSelectionAgreement(
        election_id=make_election(db.session.get(Committee, committee_id)).id,
        participants=[{"id": other.id, "name": "AJENO acuerdo"}], titular_name="AJENO titular",
        agreed_on=date(2026, 5, 1), record_name="acta.pdf", record_stored_name="f" * 32,
        record_content_type="application/pdf", record_size=10, record_sha256="b" * 64))

    data = services.export_user_data(user)

    for section in SECTIONS:
        assert len(data[section]) >= 1, section
    assert len(data["election_candidacies"]) == 2
    assert {c["as"] for c in data["election_candidacies"]} == {"candidate", "nominating_organisation"}
    assert [e["name"] for e in data["election_rolls"]["entries"]] == ["MIO padrón"]
    assert data["election_rolls"]["entries"][0]["voted"] is True
    assert "secret" in data["election_rolls"]["note"]
    assert [a["participants"] for a in data["self_selection_agreements"]["entries"]] == [["MIO org"]]
    [application] = data["call_applications"]
    assert application["decision_reason"] == "MIO decisión"
    assert application["documents"] == [{
        "name": "MIO.pdf", "content_type": "application/pdf", "size_bytes": 123,
        "sha256": "a" * 64, "uploaded_at": application["documents"][0]["uploaded_at"]}]
    [note] = data["progress_notes"]
    assert len(note["evidence"]) == 2  # a link and a file's metadata
    assert {c["section"] for c in data["comments"]} == {None, "problem"}  # consultation comments too
    text = json.dumps(data, ensure_ascii=False)
    for word in ("MIO propuesta", "MIO comentario", "MIO respuesta", "MIO relatoría",
                 "MIO integrante", "MIO compromiso", "MIO versión", "MIO consulta",
                 "MIO incorporado", "MIO reporte", "/MIO"):
        assert word in text, word
    assert "AJENO" not in text
    assert other.email not in text
    # The export never carries a ballot's choice nor a file's stored name.
    assert "choice" not in text and "stored_name" not in text


def test_the_export_never_contains_ballot_choices():
    plan = make_plan()
    user = make_organisation()
    populate(user, plan, 1, "MIO")
    election_id = db.session.scalar(sa.select(RollEntry.election_id))
    add(Ballot(election_id=election_id, position=1, receipt_digest="c" * 64, choice="ZZZZZZ",
               prev_hash="d" * 64, entry_hash="e" * 64))

    text = json.dumps(services.export_user_data(user))

    assert "ZZZZZZ" not in text and "c" * 64 not in text


def test_export_statements_do_not_grow_with_the_number_of_items():
    plan = make_plan()
    few, many = make_organisation(), make_organisation()
    populate(few, plan, 1, "POCOS")
    populate(many, plan, 4, "MUCHOS")

    def statements(user):
        db.session.expire_all()
        with count_queries() as seen:
            data = services.export_user_data(user)
        return len(seen), data

    small, small_data = statements(few)
    large, large_data = statements(many)

    assert len(large_data["progress_notes"]) == 4 * len(small_data["progress_notes"])
    assert large == small, (small, large)
    # About one statement per area's kind of row (progress alone: notes, their evidence, the
    # verdicts given and answers written, the appointments as official).
    assert small <= 32


def test_the_export_download_holds_the_new_sections(client):
    user = make_user()
    login(client, user.email)

    data = client.get("/account/my-data.json").get_json()

    for section in SECTIONS:
        assert section in data
    assert data["election_rolls"]["entries"] == []
