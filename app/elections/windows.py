"""The nomination and voting windows in words: why nominating or voting is not possible now.

The rules (permissions.py) refuse with these reasons, the pages show them, and casting a ballot
asks again under the election's lock (a close may have won it).
"""
from datetime import datetime

from flask_babel import gettext as _

from app.core.clock import now
from app.core.i18n import end_sentence, local_when
from app.elections.models import Election, ElectionState


def when(value: datetime | None) -> str:
    return local_when(value) if value else ""


def when_at_end(value: datetime | None) -> str:
    """The moment for a sentence that ends after it ("…6:00 p.m." takes no second period)."""
    return end_sentence(when(value))


def nomination_problem(election: Election, moment: datetime | None = None) -> str | None:
    """Why a nomination cannot be made now, or None."""
    moment = moment or now()
    if election.state != ElectionState.nominating:
        return _("Nominations are not open for this election.")
    if moment < election.nominations_open_at:
        return _("Nominations open on %(when)s.", when=when_at_end(election.nominations_open_at))
    if moment >= election.nominations_close_at:
        return _("Nominations closed on %(when)s.", when=when_at_end(election.nominations_close_at))
    return None


def voting_problem(election: Election, moment: datetime | None = None) -> str | None:
    """Why a ballot cannot be cast now, or None."""
    moment = moment or now()
    if election.state in (ElectionState.draft, ElectionState.nominating):
        return _("Voting has not opened yet.")
    if election.state != ElectionState.voting:
        return _("Voting is closed: no more ballots are accepted.")
    if moment < election.voting_opens_at:
        return _("Voting opens on %(when)s.", when=when_at_end(election.voting_opens_at))
    if moment >= election.voting_closes_at:
        return _("Voting closed on %(when)s: no more ballots are accepted.",
                 when=when(election.voting_closes_at))
    return None
