"""Who receives a newsletter: the segments, each a query of user ids.

Every segment keeps only people who can be written to and want to be: an account with a confirmed
email, not deleted, not blocked from logging in (the administration's "blocked"), and not opted
out of newsletters. Then:

- everyone: all of them;
- organisations: accounts of organisations the guarantor body verified;
- committee: the participants of one committee — people who wrote a proposal in its scope, wrote
  a comment (not deleted) on a proposal in its scope or on one of its commitments (consultation
  comments included), or registered (confirmed or waiting, not cancelled) for one of its dialogue
  tables; and organisations that applied to it in a call (whatever the decision);
- followers: the followers of one item (app/follows).
"""
import sqlalchemy as sa

from app.accounts.models import Organisation, Role, User, Verification
from app.calls.models import CallApplication
from app.comments.models import Comment
from app.dialogues.models import DialogueTable, RegistrationStatus, TableRegistration
from app.extensions import db
from app.follows.queries import follower_ids
from app.newsletters.models import NewsletterOptOut, Segment
from app.proposals.models import Proposal


def reachable():
    """The condition every recipient meets (see the module's note)."""
    return sa.and_(
        User.deleted_at.is_(None),
        User.email.is_not(None),
        User.email_confirmed_at.is_not(None),
        User.access_blocked_at.is_(None),
        ~sa.exists().where(NewsletterOptOut.user_id == User.id),
    )


def committee_participants(committee_id: int):
    """A SELECT of the ids of the committee's participants (see the module's note)."""
    return sa.union(
        sa.select(Proposal.author_id).where(Proposal.committee_id == committee_id),
        # A comment carries the committee of what it comments on (a proposal or a commitment).
        sa.select(Comment.author_id).where(Comment.committee_id == committee_id,
                                           Comment.deleted_at.is_(None)),
        sa.select(TableRegistration.user_id)
        .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
        .where(DialogueTable.committee_id == committee_id,
               TableRegistration.status != RegistrationStatus.cancelled),
        sa.select(CallApplication.organisation_id).where(CallApplication.committee_id == committee_id),
    )


def _who(segment: Segment, committee_id: int | None, follow_type: str | None,
         follow_id: int | None):
    """The extra condition of the segment on User."""
    if segment == Segment.everyone:
        return sa.true()
    if segment == Segment.organisations:
        return sa.and_(User.role == Role.organisation, sa.exists().where(
            Organisation.user_id == User.id, Organisation.verification == Verification.verified))
    if segment == Segment.committee:
        if committee_id is None:
            return sa.false()
        return User.id.in_(committee_participants(committee_id))
    if segment == Segment.followers:
        if not follow_type or follow_id is None:
            return sa.false()
        return User.id.in_(follower_ids(follow_type, follow_id) or [-1])
    return sa.false()


def recipients_of(newsletter) -> list[tuple[int, str, str, str | None]]:
    """(id, email, name, locale) of each recipient, in id order."""
    return [tuple(row) for row in db.session.execute(
        sa.select(User.id, User.email, User.name, User.locale)
        .where(reachable(), _who(newsletter.segment, newsletter.committee_id,
                                 newsletter.follow_type, newsletter.follow_id))
        .order_by(User.id))]


def recipient_count(newsletter) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id))
        .where(reachable(), _who(newsletter.segment, newsletter.committee_id,
                                 newsletter.follow_type, newsletter.follow_id))) or 0
