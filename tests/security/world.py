"""One object of every kind, the seven roles the permission rules name, and the table that fills
every URL argument of `app.url_map` from them (shared by the matrix and the hostile-input crawler)."""
import fnmatch
import itertools
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.routing import Rule

from app.calls.models import ApplicationDocument, ApplicationStatus
from app.core import storage
from app.core.clock import today
from app.elections.models import CandidateState, ElectionState
from app.extensions import db
from app.maps.views import LEAFLET_VERSION
from app.newsletters import services as newsletter_services
from app.places.models import Place
from app.plans.models import CommitteeMember, MemberKind
from app.progress.models import CommitmentOfficial, ReportReview, Verdict
from app.proposals import services as proposal_services
from app.proposals.models import AttachmentKind, ProposalAttachment
from tests.calls.factories import make_application, make_call
from tests.comments.factories import make_comment
from tests.commitments.factories import make_draft, make_published
from tests.commitments.factories import make_proposal as make_dialogue_proposal
from tests.consultations.factories import make_comment as make_consultation_comment
from tests.consultations.factories import make_commitment, make_consultation
from tests.dialogues.factories import make_registration, make_table
from tests.documents.factories import make_records
from tests.elections.factories import approve, make_candidate, make_election, voting_election
from tests.factories import (
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_theme,
    make_user,
)
from tests.notifications.factories import make_notification
from tests.progress.factories import add_note
from tests.proposals.factories import proposal_data

ROLES = ("anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator", "admin")
_seq = itertools.count(1)


class World:
    """A plan with two committees; in the first, one proposal, comment, table, draft, consulted
    and published commitment, open call with an application, election with a nomination the
    author has to answer; and everyone the permission rules name."""

    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.theme = make_theme(self.plan)
        self.member = CommitteeMember(committee_id=self.committee.id, name="Ana Pérez",
                                      kind=MemberKind.government)
        db.session.add(self.member)
        self.citizen = make_user()
        self.author = make_user()
        self.organisation = make_organisation()
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()
        self.anonymous = None

        # One proposal nobody has reacted to (its author may still edit it), one with a comment.
        self.proposal = proposal_services.create_proposal(self.author, self.plan, proposal_data(self))
        self.discussed = proposal_services.create_proposal(self.author, self.plan, proposal_data(self))
        self.comment = make_comment(self.discussed, author=self.author)
        # An image of the editable proposal, with its thumbnail (issue 14).
        self.attachment = ProposalAttachment(
            proposal_id=self.proposal.id, owner_id=self.author.id, kind=AttachmentKind.image,
            original_name="foto.png", stored_name=f"{next(_seq) + 3 * 10**6:032x}",
            thumb_stored_name=f"{next(_seq) + 3 * 10**6:032x}", content_type="image/png",
            size_bytes=5, sha256="0" * 64, alt_text="Una foto")
        db.session.add(self.attachment)
        db.session.commit()
        self.attachment_files()
        self.table = make_table(self.committee)

        # Before the drafts: the service numbers its commitments after the highest one.
        self.consulted = make_commitment(self.committee)
        # The commitments factory numbers its proposals from its own counter: explicit numbers
        # keep them clear of the ones the proposals service gave.
        self.draft = make_draft(self, proposals=[make_dialogue_proposal(
            self.committee, self.author, sequence=900, reference="CMP-2026-0900")])
        self.consultation = make_consultation(self.consulted)
        self.consultation_comment = make_consultation_comment(self.consulted, author=self.author)
        self.published = make_published(self, proposals=[make_dialogue_proposal(
            self.committee, self.author, sequence=901, reference="CMP-2026-0901")])
        self.milestone = self.published.milestones[0]
        note = add_note(self.milestone, self.facilitator, links=0, files=1)
        self.evidence = note.evidence[0]
        _store_file(self.evidence.stored_name)
        # The organisation holds the committee's titular seat (it confirms and disputes reports)
        # and disputed the report; a person no role names is the commitment's official.
        db.session.add(CommitteeMember(committee_id=self.committee.id, name="Rosa Ibarra",
                                       kind=MemberKind.cs_titular, user_id=self.organisation.id))
        self.official = CommitmentOfficial(commitment_id=self.published.id, user_id=make_user().id,
                                           institution="Secretaría de Obras")
        self.dispute = ReportReview(note_id=note.id, author_id=self.organisation.id, round=1,
                                    seat="cs_titular", seat_holder="Rosa Ibarra",
                                    verdict=Verdict.disputed, reason="No coincide con lo visto.")
        db.session.add_all([self.official, self.dispute])
        db.session.commit()
        self.note = note

        self.call = make_call(self.plan, [self.committee, self.other_committee])
        self.application = make_application(self.call, self.organisation, self.committee,
                                            ApplicationStatus.approved)
        self.document = ApplicationDocument(
            application_id=self.application.id, original_name="acta.pdf",
            stored_name=f"{next(_seq) + 10**6:032x}", content_type="application/pdf",
            size_bytes=5, sha256="0" * 64)
        db.session.add(self.document)
        db.session.commit()
        _store_file(self.document.stored_name)

        self.election = make_election(self.committee, state=ElectionState.nominating,
                                      nominations_in=-timedelta(days=1))
        # Nominated, waiting for the author to accept or decline.
        self.candidate = make_candidate(self.election, self.organisation, person=self.author,
                                        state=CandidateState.pending)
        self.notification = make_notification(self.author)
        self.record, self.declaration, self.announcement = make_records(self)
        self.newsletter = newsletter_services.create_newsletter(self.admin, self.plan, {
            "subject": "Boletín", "body": "Texto", "segment": "organisations"})
        _store_file(self.record.versions[0].stored_name)
        self._add_state_for_more_forms()

    def _add_state_for_more_forms(self):
        """Objects whose pages show the forms that only a state reveals: a report in the
        committee's queue, a table that took place, a nomination to answer, a vote to cast."""
        from app.moderation import services as moderation

        moderation.report_content(self.citizen, self.comment, "spam", "Publicidad")
        self.past_table = make_table(self.committee, starts_in=-timedelta(days=2))
        make_registration(self.past_table, self.citizen)
        other_org = make_organisation()
        approve(self.call, self.committee, other_org, ApplicationStatus.pending)
        make_candidate(self.election, other_org)
        self.organisations = [self.organisation]
        self.voting = voting_election(self, candidates=1)
        # A session of the committee with an agreement, not done, and no minutes yet.
        from app.meetings import services as meetings

        self.session = meetings.record_session(self.facilitator, self.committee, {
            "held_on": today() - timedelta(days=1), "agenda": "1. Avance.", "present": []})
        self.agreement = meetings.add_agreement(self.facilitator, self.session, {
            "text": "Publicar.", "owner": "Obras", "due_on": today() + timedelta(days=9)})
        db.session.commit()
        # A municipality nobody names (make_plan's catalogue): removing it is allowed.
        self.free_place = db.session.scalar(sa.select(Place).where(
            Place.plan_id == self.committee.plan_id, Place.name == "Lerdo"))

    def attachment_files(self) -> None:
        """The author's crawl removes the attachment: its row comes back with the rollback, its
        files are written again before each crawl."""
        _store_file(self.attachment.stored_name)
        _store_file(self.attachment.thumb_stored_name)

    def user(self, role: str):
        return getattr(self, role)


def _store_file(stored_name: str) -> None:
    path = storage.upload_dir()
    path.mkdir(parents=True, exist_ok=True)
    (path / stored_name).write_bytes(b"%PDF-")


def url_values(world: World) -> list[tuple[str, dict]]:
    """(endpoint pattern, {argument: value}); the first pattern naming an argument wins."""
    scope_id = world.facilitator.moderator_scopes[0].id
    return [
        ("api.show_item", {"slug": "proposals", "key": world.proposal.reference}),
        ("maps.leaflet_file", {"version": LEAFLET_VERSION, "filename": "leaflet.js"}),
        ("api.*", {"slug": "proposals", "plan": world.plan.slug}),
        ("opendata.*", {"slug": "proposals"}),
        ("consultations.*", {"comment_id": world.consultation_comment.id,
                             "commitment_id": world.consulted.id}),
        ("progress.*", {"commitment_id": world.published.id, "note_id": world.note.id,
                        "review_id": world.dispute.id, "official_id": world.official.id}),
        ("commitments.withdraw", {"commitment_id": world.published.id}),
        ("evaluation.*", {"commitment_id": world.published.id, "plan_id": world.plan.id}),
        ("comments.*", {"proposal_id": world.discussed.id}),
        ("admin.decide_organisation", {"user_id": world.organisation.id}),
        ("plans.plan", {"slug": world.plan.slug}),
        ("plans.plan_committee", {"plan_slug": world.plan.slug, "slug": world.committee.slug}),
        ("moderation.*", {"target_type": "proposal", "target_id": world.discussed.id}),
        ("follows.*", {"target_type": "committee", "target_id": world.committee.id}),
        ("documents.*", {"document_id": world.record.id, "number": 1}),
        ("meetings.*", {"committee_id": world.committee.id, "session_id": world.session.id,
                        "agreement_id": world.agreement.id}),
        ("announcements.*", {"announcement_id": world.announcement.id}),
        ("*", {
            "token": "not-a-real-token",
            "user_id": world.author.id,
            "scope_id": scope_id,
            "call_id": world.call.id,
            "application_id": world.application.id,
            "document_id": world.document.id,
            "comment_id": world.comment.id,
            "proposal_id": world.proposal.id,
            "reference": world.proposal.reference,
            "commitment_id": world.draft.id,
            "consultation_id": world.consultation.id,
            "slug": world.committee.slug,
            "table_id": world.table.id,
            "election_id": world.election.id,
            "candidate_id": world.candidate.id,
            "committee_id": world.committee.id,
            "evidence_id": world.evidence.id,
            "attachment_id": world.attachment.id,
            "milestone_id": world.milestone.id,
            "notification_id": world.notification.id,
            "plan_id": world.plan.id,
            "phase_id": world.plan.phases[0].id,
            "theme_id": world.theme.id,
            "member_id": world.member.id,
            "session_id": 999_999,  # nobody's: "end this session" answers that it had ended
            "place_id": world.free_place.id,
            "newsletter_id": world.newsletter.id,
        }),
    ]


def other_states(world: World) -> list[tuple[str, dict]]:
    """Values for a second visit of some pages: a table that took place, an election voting."""
    return [("dialogues.*", {"table_id": world.past_table.id}),
            ("elections.*", {"election_id": world.voting.id})]


def query_strings(world: World) -> dict[str, dict]:
    """Arguments some pages need in the query string to find their object."""
    return {
        "commitments.new": {"committee": world.committee.id},
        "moderation.report": {"target_type": "proposal", "target_id": world.discussed.id},
    }


def minimal_forms(world: World) -> dict[str, dict]:
    """What a POST needs beyond the CSRF token to reach its permission check at all."""
    return {
        "moderation.report": {"target_type": "proposal", "target_id": world.discussed.id},
    }


def build_url(app, rule: Rule, values: list[tuple[str, dict]], query: dict | None = None) -> str:
    args = {}
    for name in rule.arguments:
        for pattern, table in values:
            if fnmatch.fnmatchcase(rule.endpoint, pattern) and name in table:
                args[name] = table[name]
                break
        else:
            raise AssertionError(f"{rule.endpoint}: no value for URL argument {name!r}")
    with app.test_request_context():
        return app.url_for(rule.endpoint, **args, **(query or {}).get(rule.endpoint, {}))


def routes(app):
    """Every (rule, method) the matrix checks: GET and POST, no static files."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if rule.endpoint == "static":
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                yield rule, method
