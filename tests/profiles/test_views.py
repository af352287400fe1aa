"""Public profiles: what a person's page shows, what it never shows, and bad input."""
from datetime import timedelta

import pytest

from app.accounts.models import Sector
from app.commitments.models import CommitmentState
from app.core.db import utcnow
from app.elections.models import CandidateState, ElectionState
from app.extensions import db
from app.plans.models import CommitteeMember, MemberKind
from app.proposals.models import ProposalState, Support
from tests.dashboard.helpers import counted
from tests.elections.factories import make_candidate
from tests.factories import HOSTILE, make_admin, make_committee, make_plan, make_user
from tests.transparency import factories as f

EMAIL = "maria.secreta@example.org"
TOWN = "Santiago Papasquiaro"


@pytest.fixture
def world():
    w = type("World", (), {})()
    w.plan = make_plan()
    w.committee = make_committee(w.plan)
    w.person = f.citizen(TOWN, email=EMAIL, name="María Pérez")
    w.other = f.citizen()
    return w


def _html(client, user_id, query="?lang=en"):
    response = client.get(f"/people/{user_id}{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_profile_shows_public_contributions(client, world):
    person = world.person
    proposal = f.proposal(world.committee, person)
    on_proposal = f.comment(person, on_proposal=f.proposal(world.committee, world.other),
                            body="Estoy de **acuerdo** con esta propuesta")
    commitment = f.commitment(world.committee, CommitmentState.consultation)
    on_commitment = f.comment(person, on_commitment=commitment, body="Sugiero otro hito")
    db.session.add(Support(proposal_id=proposal.id, user_id=person.id))
    table = f.table(world.committee)
    f.registration(table, person, attended=True)
    f.registration(f.table(world.committee), person, attended=False)
    html = _html(client, person.id)
    assert "María Pérez" in html
    assert "Citizen" in html
    assert f'href="/proposals/{proposal.reference}"' in html
    assert "Estoy de acuerdo con esta propuesta" in html  # an excerpt, Markdown marks removed
    assert f"#comment-{on_proposal.id}" in html
    assert f"/consultations/commitment/{commitment.id}#comment-{on_commitment.id}" in html
    assert 'data-figure="supports"><strong>1</strong>' in html
    assert 'data-figure="tables"><strong>1</strong>' in html
    assert 'data-figure="comments"><strong>2</strong>' in html


def test_profile_never_shows_private_data(client, world):
    f.comment(world.person, on_proposal=f.proposal(world.committee, world.other))
    html = _html(client, world.person.id)
    assert EMAIL not in html and "maria.secreta" not in html
    assert TOWN not in html  # the municipality is not public either
    assert "password" not in html.lower() and "argon2" not in html


def test_hidden_deleted_and_unpublished_contributions_stay_off(client, world):
    person = world.person
    visible = f.proposal(world.committee, world.other)
    f.comment(person, on_proposal=visible, hidden=True, body="Comentario oculto XYZ")
    f.comment(person, on_proposal=visible, deleted=True, body="Comentario borrado XYZ")
    hidden_proposal = f.proposal(world.committee, person, hidden_at=utcnow())
    f.comment(person, on_proposal=hidden_proposal, body="En propuesta oculta XYZ")
    withdrawn = f.proposal(world.committee, person, state=ProposalState.withdrawn)
    draft = f.commitment(world.committee, CommitmentState.draft)
    f.comment(person, on_commitment=draft, body="En borrador XYZ")
    db.session.add(Support(proposal_id=hidden_proposal.id, user_id=person.id))
    db.session.commit()
    html = _html(client, person.id)
    assert "XYZ" not in html
    assert hidden_proposal.reference not in html and withdrawn.reference not in html
    assert 'data-figure="comments"><strong>0</strong>' in html
    assert 'data-figure="proposals"><strong>0</strong>' in html
    assert 'data-figure="supports"><strong>0</strong>' in html


def test_organisation_profile(client, world):
    org = f.organisation(Sector.academia, email="contacto@universidad.example.org")
    org.organisation.website = "https://universidad.example.org/"
    org.organisation.description = "Investigamos la calidad del agua."
    db.session.commit()
    html = _html(client, org.id)
    assert "Organisation" in html and "Academia" in html and "Verified" in html
    assert 'href="https://universidad.example.org/"' in html
    assert "Investigamos la calidad del agua." in html
    assert "contacto@universidad" not in html
    assert "<script>alert" not in html  # legal name and contact person carry hostile text
    assert HOSTILE.split(">")[0] not in html  # the contact person's text is never shown raw


def test_a_website_that_is_not_http_is_not_a_link(client, world):
    org = f.organisation()
    org.organisation.website = "javascript:alert(1)"
    db.session.commit()
    assert 'href="javascript:' not in _html(client, org.id)


def test_candidacies_and_seats(client, world):
    person = world.person
    org = f.organisation()
    published = f.election(world.committee, state=ElectionState.published)
    voting = f.election(world.committee, state=ElectionState.voting)
    make_candidate(published, org, person)
    make_candidate(voting, f.organisation(), person)
    rejected_in = f.election(world.committee, state=ElectionState.published)
    make_candidate(rejected_in, f.organisation(), person, state=CandidateState.rejected)
    db.session.add(CommitteeMember(committee_id=world.committee.id, name=person.name,
                                   kind=MemberKind.cs_titular, user_id=person.id))
    past = make_committee(world.plan, name="Comité pasado")
    db.session.add(CommitteeMember(committee_id=past.id, name=person.name,
                                   kind=MemberKind.cs_suplente, user_id=person.id,
                                   term_end=(utcnow() - timedelta(days=3)).date()))
    db.session.commit()
    html = _html(client, person.id)
    assert f"/elections/{published.id}" in html
    assert f"/elections/{voting.id}" not in html
    assert f"/elections/{rejected_in.id}" not in html
    assert f'href="/plans/{world.plan.slug}/committees/{world.committee.slug}/"' in html
    assert "Civil society representative (titular)" in html
    assert "Comité pasado" not in html


def test_blocked_and_staff_accounts_are_shown(client, world):
    blocked = make_user(blocked_until=utcnow() + timedelta(days=3), blocked_reason="Spam XYZ")
    admin = make_admin(name="Órgano Garante")
    assert client.get(f"/people/{blocked.id}").status_code == 200
    assert "Spam XYZ" not in _html(client, blocked.id)  # the block's reason is not public
    assert "Órgano Garante" in _html(client, admin.id)


def test_deleted_unconfirmed_and_unknown_accounts_are_404(client, world):
    gone = make_user()
    gone.deleted_at = utcnow()
    db.session.commit()
    unconfirmed = make_user(confirmed=False)
    for user_id in (gone.id, unconfirmed.id, 999_999, 2**31, 10**30):
        assert client.get(f"/people/{user_id}").status_code == 404, user_id
    assert client.get("/people/abc").status_code == 404
    assert client.get("/people/-1").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "", str(10**30), "%00"])
def test_garbage_page_is_400(client, world, page):
    assert client.get(f"/people/{world.person.id}?page={page}").status_code == 400


def test_pages_of_contributions(client, world):
    target = f.proposal(world.committee, world.other)
    comments = [f.comment(world.person, on_proposal=target) for _ in range(25)]
    first = _html(client, world.person.id)
    assert first.count("data-comment=") == 20
    assert 'rel="next"' in first
    second = _html(client, world.person.id, "?page=2&lang=en")
    assert second.count("data-comment=") == 5
    shown = {c.id for c in comments if f'data-comment="{c.id}"' in first + second}
    assert shown == {c.id for c in comments}  # every comment on exactly one of the two pages
    assert client.get(f"/people/{world.person.id}?page=3").status_code == 404
    assert client.get(f"/people/{world.person.id}?page=2147483647").status_code == 404


def _statements(client, user_id: int) -> int:
    client.get(f"/people/{user_id}")  # warm caches outside the count
    db.session.expire_all()
    with counted() as statements:
        assert client.get(f"/people/{user_id}").status_code == 200
    return len(statements)


def test_statements_do_not_grow_with_contributions(client, world):
    counts = []
    for n in (2, 30):
        person = f.citizen()
        commitment = f.commitment(world.committee, CommitmentState.consultation)
        org = f.organisation()
        for _ in range(n):
            proposal = f.proposal(world.committee, person)
            f.comment(person, on_proposal=proposal)
            f.comment(person, on_commitment=commitment)
            make_candidate(f.election(world.committee), org, person)
            db.session.add(CommitteeMember(committee_id=world.committee.id, name="x",
                                           kind=MemberKind.cs_titular, user_id=person.id))
        db.session.commit()
        counts.append(_statements(client, person.id))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("lang,marker", [("en", 'lang="en"'), ("es_MX", 'lang="es-MX"')])
def test_profile_renders_in_both_languages(client, world, lang, marker):
    f.comment(world.person, on_proposal=f.proposal(world.committee, world.other))
    assert marker in _html(client, world.person.id, f"?lang={lang}")


def test_author_names_link_to_profiles(client, world):
    proposal = f.proposal(world.committee, world.person)
    f.comment(world.other, on_proposal=proposal)
    html = client.get(f"/proposals/{proposal.reference}").get_data(as_text=True)
    assert f'href="/people/{world.person.id}"' in html
    assert f'href="/people/{world.other.id}"' in html


def test_deleted_authors_are_not_linked(client, world):
    proposal = f.proposal(world.committee, world.person)
    world.person.deleted_at = utcnow()
    db.session.commit()
    html = client.get(f"/proposals/{proposal.reference}").get_data(as_text=True)
    assert f'href="/people/{world.person.id}"' not in html


def test_proposals_of_past_plans_stay_on_the_profile(client, world):
    old = make_committee(make_plan(current=False))
    f.proposal(old, world.person)
    assert 'data-figure="proposals"><strong>1</strong>' in _html(client, world.person.id)
