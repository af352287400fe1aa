"""Services of proposals: proposing, editing, withdrawing, answering, merging, supporting."""
import re
import threading

import pytest
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.core.text import fold
from app.core.uow import unit_of_work
from app.extensions import db
from app.notifications.models import Notification
from app.proposals import queries, services
from app.proposals.models import (
    FACILITATOR_TRANSITIONS,
    Proposal,
    ProposalAnswer,
    ProposalState,
    ProposalVersion,
    Support,
)
from tests.factories import HOSTILE, make_plan, make_theme, make_user
from tests.proposals.factories import (
    World,
    add_comments,
    make_committee,
    make_proposal,
    proposal_data,
    set_state,
)

S = ProposalState


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


def notifications(kind=None):
    stmt = sa.select(Notification)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


# ---------------------------------------------------------------- creating

def test_create_keeps_hostile_text_as_data_and_stores_version_one(world):
    p = make_proposal(world, body=f"  {HOSTILE}\r\nsegunda línea  ", title=f"  {HOSTILE}   dos ")
    db.session.expire_all()
    p = db.session.get(Proposal, p.id)
    assert p.title == f"{HOSTILE} dos"  # whitespace collapsed, nothing else changed
    assert p.body == f"{HOSTILE}\nsegunda línea"
    assert p.state == S.submitted and p.support_count == 0
    versions = db.session.scalars(sa.select(ProposalVersion).where(ProposalVersion.proposal_id == p.id)).all()
    assert [(v.number, v.title, v.body) for v in versions] == [(1, p.title, p.body)]
    assert p.search_text == fold(f"{p.reference} {p.title} {p.body} {p.place}")


def test_control_characters_are_removed_so_postgresql_accepts_them(world):
    p = make_proposal(world, title="Título con\x00 nulo y\x07 campana", body="cuerpo\x00 nulo")
    assert p.title == "Título con nulo y campana" and p.body == "cuerpo nulo"


def test_reference_is_prefix_year_and_sequence_within_plan(world):
    first, second = make_proposal(world), make_proposal(world)
    year = today().year
    assert first.reference == f"DGO-{year}-0001" and first.sequence == 1
    assert second.reference == f"DGO-{year}-0002" and second.sequence == 2
    other_plan = make_plan()
    other_plan.reference_prefix = "GP"
    db.session.commit()
    committee = make_committee(other_plan)
    p = services.create_proposal(world.author, other_plan, proposal_data(
        world, committee=committee, theme=make_theme(other_plan)))
    assert re.fullmatch(rf"GP-{year}-0001", p.reference)


def test_municipality_comes_from_a_municipal_committee_or_the_author(world):
    # Without a municipality in the data: the one municipality the committee covers in the
    # plan's catalogue (World: Gómez Palacio), else the author's own.
    municipal = make_proposal(world, committee=world.committee)
    state_wide = make_proposal(world, committee=world.other_committee)
    assert municipal.municipality == "Gómez Palacio"
    assert state_wide.municipality == world.author.municipality == "Durango"


@pytest.mark.parametrize("changes, field", [
    ({"title": "corto"}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"title": "   " + "a" * 5 + "    "}, "title"),
    ({"body": "   \n  "}, "body"),
    ({"body": "x" * 20_001}, "body"),
    ({"place": "x" * 201}, "place"),
    ({"committee_id": None}, "committee_id"),
    ({"committee_id": "abc"}, "committee_id"),
    ({"committee_id": 999_999}, "committee_id"),
    ({"theme_id": None}, "theme_id"),
    ({"theme_id": "1 OR 1=1"}, "theme_id"),
])
def test_create_refuses_bad_input_naming_the_field(world, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.create_proposal(world.author, world.plan, proposal_data(world, **changes))
    assert exc.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_committee_and_theme_must_belong_to_the_plan(world):
    other_plan = make_plan()
    foreign_committee, foreign_theme = make_committee(other_plan), make_theme(other_plan)
    with pytest.raises(ValidationError) as exc:
        services.create_proposal(world.author, world.plan, proposal_data(world, committee=foreign_committee))
    assert exc.value.field == "committee_id"
    with pytest.raises(ValidationError) as exc:
        services.create_proposal(world.author, world.plan, proposal_data(world, theme=foreign_theme))
    assert exc.value.field == "theme_id"


def test_unconfirmed_and_blocked_accounts_cannot_propose(world):
    from datetime import timedelta

    unconfirmed = make_user(confirmed=False)
    blocked = make_user(blocked_until=utcnow() + timedelta(days=1))
    for actor in (unconfirmed, blocked, None):
        with pytest.raises(PermissionDenied):
            services.create_proposal(actor, world.plan, proposal_data(world))


@pytest.mark.real_commits  # threads: each on its own connection
def test_parallel_creations_get_distinct_references(app, world, backend):
    """Threads race for the next sequence; the unique constraint and the retry sort them out."""
    n = 8
    authors = [make_user() for _ in range(n)]
    author_ids, plan_id = [a.id for a in authors], world.plan.id
    data = [proposal_data(world) for _ in range(n)]
    barrier = threading.Barrier(n)
    errors, references = [], []

    def create(i):
        with app.app_context():
            from app.accounts.models import User
            from app.plans.models import ActionPlan

            author = db.session.get(User, author_ids[i])
            plan = db.session.get(ActionPlan, plan_id)
            db.session.commit()  # back to the pool: 20 threads outnumber its connections
            barrier.wait(timeout=60)
            try:
                with unit_of_work():  # each thread is a request of its own: one commit
                    references.append(services.create_proposal(author, plan, data[i]).reference)
            except Exception as exc:  # collected, so the assertion shows it
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    year = today().year
    assert sorted(references) == [f"DGO-{year}-{i:04d}" for i in range(1, n + 1)]
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == n


# ---------------------------------------------------------------- editing

def test_each_edit_is_a_new_version_and_old_ones_are_kept(world):
    p = make_proposal(world)
    first_title = p.title
    services.edit_proposal(world.author, p, {"title": "Un título nuevo y claro", "body": "Nuevo cuerpo",
                                             "theme_id": world.theme.id, "place": ""})
    services.edit_proposal(world.author, p, {"title": "Tercer título, el bueno", "body": "Otro cuerpo",
                                             "theme_id": world.theme.id})
    db.session.expire_all()
    versions = queries.versions_for(p)
    assert [(v.number, v.title) for v in versions] == [
        (3, "Tercer título, el bueno"), (2, "Un título nuevo y claro"), (1, first_title)]
    assert p.title == "Tercer título, el bueno" and p.place is None
    assert "tercer titulo" in p.search_text and fold(first_title) not in p.search_text


def test_edit_window_closes_with_the_first_support(world):
    p = make_proposal(world)
    services.support_proposal(world.citizen, p)
    with pytest.raises(InvalidTransition) as exc:  # the state of the proposal: 409
        services.edit_proposal(world.author, p, proposal_data(world))
    assert exc.value.message == _("This proposal can no longer be edited: it has received a support "
                                  "or a comment.")
    assert len(queries.versions_for(p)) == 1


def test_edit_window_closes_with_the_first_comment(world):
    p = make_proposal(world)
    add_comments(p, world.citizen, 1)
    db.session.refresh(p)
    with pytest.raises(InvalidTransition) as exc:
        services.edit_proposal(world.author, p, proposal_data(world))
    assert exc.value.message == _("This proposal can no longer be edited: it has received a support "
                                  "or a comment.")


def test_edit_refused_when_a_support_arrived_after_the_page_was_loaded(world):
    """The in-memory proposal still says 0 supports; the conditional UPDATE knows better."""
    p = make_proposal(world)
    db.session.execute(sa.update(Proposal).where(Proposal.id == p.id).values(support_count=1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    set_committed_value(p, "support_count", 0)  # stale copy, as in a form opened before
    with pytest.raises(InvalidTransition):
        services.edit_proposal(world.author, p, proposal_data(world))
    assert len(queries.versions_for(p)) == 1


@pytest.mark.parametrize("who", ["citizen", "facilitator", "admin"])
def test_nobody_but_the_author_edits(world, who):
    p = make_proposal(world)
    with pytest.raises(PermissionDenied) as exc:
        services.edit_proposal(getattr(world, who), p, proposal_data(world))
    assert exc.value.message == _("Only the author can edit a proposal, and only before it receives a "
                                  "support or a comment.")


def test_edit_only_while_submitted(world):
    p = set_state(make_proposal(world), S.under_review)
    with pytest.raises(InvalidTransition):
        services.edit_proposal(world.author, p, proposal_data(world))


# ---------------------------------------------------------------- withdrawing

def test_withdraw_keeps_the_page_with_the_reason_and_tells_supporters(world):
    p = make_proposal(world)
    services.support_proposal(world.citizen, p)
    services.withdraw_proposal(world.author, p, "Ya lo resolvió el ayuntamiento.")
    db.session.expire_all()
    assert p.state == S.withdrawn and p.withdrawal_reason == "Ya lo resolvió el ayuntamiento."
    assert p.withdrawn_at is not None
    [n] = notifications("proposal_answered")
    assert n.user_id == world.citizen.id and n.params["state"] == "withdrawn"


def test_withdraw_needs_a_reason_and_an_open_state(world):
    p = make_proposal(world)
    with pytest.raises(ValidationError) as exc:
        services.withdraw_proposal(world.author, p, "   corto ")
    assert exc.value.field == "reason"
    services.withdraw_proposal(world.author, p, "Motivo suficiente para retirarla.")
    with pytest.raises(InvalidTransition):  # withdrawn already: the state, not the person
        services.withdraw_proposal(world.author, p, "Motivo suficiente para retirarla.")
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(world.citizen, make_proposal(world), "No es mía, pero lo intento.")


# ---------------------------------------------------------------- changing state

ALL_PAIRS = [(a, b) for a in S for b in S if a != b]


@pytest.mark.parametrize("from_state, to_state", ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_transition_is_allowed_or_refused_by_the_table(world, from_state, to_state):
    p = set_state(make_proposal(world), from_state)
    answer = "Respuesta razonada del comité sobre la problemática."
    if to_state in FACILITATOR_TRANSITIONS[from_state]:
        services.change_state(world.facilitator, p, to_state, answer)
        db.session.expire_all()
        assert p.state == to_state
        [row] = db.session.scalars(sa.select(ProposalAnswer)).all()
        assert (row.from_state, row.to_state, row.body) == (from_state, to_state, answer)
    else:
        # Refused by the transition table, or by the rule when the state is final: both 409.
        with pytest.raises(InvalidTransition):
            services.change_state(world.facilitator, p, to_state, answer)
        db.session.rollback()
        assert db.session.get(Proposal, p.id).state == from_state
        assert db.session.scalar(sa.select(sa.func.count(ProposalAnswer.id))) == 0


@pytest.mark.parametrize("answer", [None, "", "   ", "corto", "\x00" * 20])
def test_a_state_change_requires_a_reasoned_answer(world, answer):
    p = make_proposal(world)
    with pytest.raises(ValidationError) as exc:
        services.change_state(world.facilitator, p, S.under_review, answer)
    assert exc.value.field == "answer"
    db.session.rollback()
    assert db.session.get(Proposal, p.id).state == S.submitted


def test_state_change_notifies_author_and_supporters_and_is_audited_publicly(world):
    p = make_proposal(world)
    services.support_proposal(world.citizen, p)
    services.support_proposal(world.organisation, p)
    services.support_proposal(world.facilitator, p)  # the actor supports too: not told of own act
    services.change_state(world.facilitator, p, S.under_review, "Lo revisaremos en la próxima sesión.")
    told = {n.user_id: n for n in notifications("proposal_answered")}
    assert set(told) == {world.author.id, world.citizen.id, world.organisation.id}
    n = told[world.author.id]
    assert n.params == {"reference": p.reference, "title": p.title, "state": "under_review"}
    assert n.url == f"/proposals/{p.reference}"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "proposal.state_changed"))
    assert entry.public and entry.committee_id == world.committee.id
    assert entry.actor_id == world.facilitator.id and entry.reason == "Lo revisaremos en la próxima sesión."


def test_change_state_only_flushes_so_a_calling_service_shares_its_unit_of_work(world):
    p = make_proposal(world)
    services.change_state(world.facilitator, p, S.in_dialogue, "Va a la mesa de diálogo del jueves.")
    db.session.rollback()
    assert db.session.get(Proposal, p.id).state == S.submitted
    assert db.session.scalar(sa.select(sa.func.count(ProposalAnswer.id))) == 0
    services.change_state(world.facilitator, p, S.in_dialogue, "Va a la mesa de diálogo del jueves.")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == S.in_dialogue


def test_two_facilitators_answering_the_same_state_only_one_wins(world):
    p = make_proposal(world)
    # Another facilitator moved it after this one's page was loaded.
    db.session.execute(sa.update(Proposal).where(Proposal.id == p.id).values(state=S.under_review)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    set_committed_value(p, "state", S.submitted)  # stale copy, not a pending change
    with pytest.raises(InvalidTransition):
        services.change_state(world.admin, p, S.not_accepted, "No corresponde a este comité.")
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == S.under_review


@pytest.mark.parametrize("who", ["author", "citizen", "organisation", "other_facilitator"])
def test_only_facilitators_of_the_committee_and_admins_change_state(world, who):
    p = make_proposal(world)
    with pytest.raises(PermissionDenied):
        services.change_state(getattr(world, who), p, S.under_review, "Respuesta razonada suficiente.")


def test_admin_changes_state_of_any_committee(world):
    p = make_proposal(world, committee=world.other_committee)
    services.change_state(world.admin, p, S.not_accepted, "No es un problema público del plan.")
    assert p.state == S.not_accepted


def test_an_answer_without_change_keeps_the_state_and_notifies(world):
    p = make_proposal(world)
    services.answer_proposal(world.facilitator, p, "Gracias; pedimos datos a la dependencia.")
    assert p.state == S.submitted
    [row] = db.session.scalars(sa.select(ProposalAnswer)).all()
    assert row.from_state == row.to_state == S.submitted
    assert [n.user_id for n in notifications("proposal_answered")] == [world.author.id]


# ---------------------------------------------------------------- merging

def test_merge_links_both_ways_notifies_and_moves_no_support(world):
    p, into = make_proposal(world), make_proposal(world, author=world.organisation)
    services.support_proposal(world.citizen, p)
    services.support_proposal(world.admin, into)
    services.merge_proposal(world.facilitator, p, into, "Ambas describen la misma falta de agua.")
    db.session.expire_all()
    assert p.state == S.merged and p.merged_into_id == into.id
    assert [m.id for m in queries.merged_from(into)] == [p.id]
    assert (p.support_count, into.support_count) == (1, 1)
    assert db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.proposal_id == p.id)) == 1
    told = {n.user_id: n for n in notifications("proposal_merged")}
    assert set(told) == {world.author.id, world.citizen.id}
    assert told[world.citizen.id].params["into_reference"] == into.reference
    answer = db.session.scalar(sa.select(ProposalAnswer).where(ProposalAnswer.proposal_id == p.id))
    assert answer.to_state == S.merged
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "proposal.merged"))
    assert entry.public and entry.committee_id == world.committee.id


def test_merge_refuses_itself_closed_targets_other_plans_and_no_answer(world):
    p = make_proposal(world)
    withdrawn = make_proposal(world)
    services.withdraw_proposal(world.author, withdrawn, "Ya no aplica a la colonia.")
    other_plan = make_plan()
    foreign = services.create_proposal(
        world.author, other_plan,
        proposal_data(world, committee=make_committee(other_plan), theme=make_theme(other_plan)))
    answer = "Respuesta razonada suficiente."
    for target in (None, p, withdrawn, foreign):
        with pytest.raises(ValidationError) as exc:
            services.merge_proposal(world.facilitator, p, target, answer)
        assert exc.value.field == "into"
    with pytest.raises(ValidationError) as exc:
        services.merge_proposal(world.facilitator, p, make_proposal(world), "corta")
    assert exc.value.field == "answer"
    assert db.session.get(Proposal, p.id).state == S.submitted


def test_facilitator_of_another_committee_cannot_merge(world):
    p, into = make_proposal(world), make_proposal(world)
    with pytest.raises(PermissionDenied):
        services.merge_proposal(world.other_facilitator, p, into, "Respuesta razonada suficiente.")


def test_a_facilitator_cannot_merge_into_a_proposal_of_a_committee_they_do_not_facilitate(world):
    p = make_proposal(world)
    elsewhere = make_proposal(world, committee=world.other_committee)
    with pytest.raises(ValidationError) as exc:
        services.merge_proposal(world.facilitator, p, elsewhere, "Respuesta razonada suficiente.")
    assert exc.value.field == "into"
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == S.submitted
    assert queries.merged_from(elsewhere) == []
    # The guarantor body (admin) may merge across committees.
    services.merge_proposal(world.admin, p, elsewhere, "Respuesta razonada suficiente.")
    assert db.session.get(Proposal, p.id).merged_into_id == elsewhere.id


# ---------------------------------------------------------------- supports

def test_support_counts_once_and_a_duplicate_is_not_an_error(world):
    p = make_proposal(world)
    assert services.support_proposal(world.citizen, p) is True
    assert services.support_proposal(world.citizen, p) is False
    db.session.expire_all()
    assert p.support_count == 1
    assert queries.has_supported(world.citizen, p)


def test_removing_a_support_and_removing_a_missing_one(world):
    p = make_proposal(world)
    services.support_proposal(world.citizen, p)
    assert services.withdraw_support(world.citizen, p) is True
    assert services.withdraw_support(world.citizen, p) is False
    db.session.expire_all()
    assert p.support_count == 0
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0


def test_authors_do_not_support_their_own_and_closed_or_hidden_proposals_take_none(world):
    p = make_proposal(world)
    with pytest.raises(PermissionDenied) as exc:
        services.support_proposal(world.author, p)
    assert exc.value.message == _("Authors cannot support their own proposal.")
    closed = _("This proposal no longer accepts supports.")
    for state in (S.accepted, S.not_accepted, S.merged, S.withdrawn):
        set_state(p, state)
        with pytest.raises(InvalidTransition) as exc:  # the state of the proposal: 409
            services.support_proposal(world.citizen, p)
        assert exc.value.message == closed
    set_state(p, S.submitted)
    p.hidden_at = utcnow()
    db.session.commit()
    with pytest.raises(InvalidTransition) as exc:
        services.support_proposal(world.citizen, p)
    assert exc.value.message == closed
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0


def test_support_refused_when_the_proposal_closed_after_the_page_loaded(world):
    p = make_proposal(world)
    db.session.execute(sa.update(Proposal).where(Proposal.id == p.id).values(state=S.accepted)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    set_committed_value(p, "state", S.submitted)  # stale copy, not a pending change
    with pytest.raises(InvalidTransition):
        services.support_proposal(world.citizen, p)
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0


@pytest.mark.real_commits  # threads: each on its own connection
def test_supports_are_exact_under_concurrency(app, world):
    """20 threads, 10 users, each user twice at once: 10 supports, counter 10."""
    p = make_proposal(world)
    users = [make_user() for _ in range(10)]
    user_ids, proposal_id = [u.id for u in users] * 2, p.id
    barrier = threading.Barrier(len(user_ids))
    errors, results = [], []

    def support(user_id):
        with app.app_context():
            from app.accounts.models import User

            user = db.session.get(User, user_id)
            proposal = db.session.get(Proposal, proposal_id)
            db.session.commit()  # back to the pool: 20 threads outnumber its connections
            barrier.wait(timeout=60)
            try:
                with unit_of_work():  # each thread is a request of its own: one commit
                    results.append(services.support_proposal(user, proposal))
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=support, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(results) == [False] * 10 + [True] * 10
    db.session.expire_all()
    rows = db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal_id))
    distinct = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Support.user_id))).where(Support.proposal_id == proposal_id))
    assert db.session.get(Proposal, proposal_id).support_count == rows == distinct == 10


@pytest.mark.real_commits  # threads: each on its own connection
def test_support_and_removal_racing_keep_the_counter_equal_to_the_rows(app, world):
    p = make_proposal(world)
    users = [make_user() for _ in range(6)]
    for u in users[:3]:
        services.support_proposal(u, p)
    db.session.commit()
    proposal_id = p.id
    jobs = [(u.id, "remove") for u in users[:3]] * 2 + [(u.id, "add") for u in users[3:]] * 2
    barrier = threading.Barrier(len(jobs))
    errors = []

    def act(user_id, what):
        with app.app_context():
            from app.accounts.models import User

            user, proposal = db.session.get(User, user_id), db.session.get(Proposal, proposal_id)
            db.session.commit()  # back to the pool: 20 threads outnumber its connections
            barrier.wait(timeout=60)
            try:
                with unit_of_work():  # each thread is a request of its own: one commit
                    (services.support_proposal if what == "add" else services.withdraw_support)(user, proposal)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    db.session.expire_all()
    rows = db.session.scalar(sa.select(sa.func.count(Support.id)).where(Support.proposal_id == proposal_id))
    assert db.session.get(Proposal, proposal_id).support_count == rows == 3
