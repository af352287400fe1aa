"""Every change to elections, one module per responsibility:

- lifecycle.py — the state machine: create and edit (windows, seats), open nominations, open
  voting (roll frozen, seed committed, chain started), close (the close entry under the lock);
- setup.py — nominations, the person's answer, validation and rejection, the roll;
- voting.py — the ballot's options, the choice, cast_ballot (one per organisation, chained);
- results.py — the published box, the count, the result that seats the winners;
- agreements.py — self-selection agreements instead of a vote.

Each act requires its rule by name (the rule says why not), checks the transition, changes,
writes its public record and flushes; the request (or command) commits once (app/core/uow.py).
Other areas and the demo use the names below.
"""
from app.elections import queries  # callers elsewhere read through `services.queries`
from app.elections.services.agreements import (
    check_self_selection,
    publish_agreement,
    record_agreement,
    self_selection_allowed,
)
from app.elections.services.common import iso
from app.elections.services.lifecycle import (
    close_election,
    create_election,
    open_nominations,
    open_voting,
    update_election,
)
from app.elections.services.results import (
    box_document,
    check_publishable,
    compute_tally,
    publish_result,
    record_result,
    verified_count,
)
from app.elections.services.setup import (
    _unique_code,
    accept_nomination,
    decline_nomination,
    nominate_candidate,
    reject_candidate,
    validate_candidate,
)
from app.elections.services.voting import ballot_choice, ballot_options, cast_ballot

__all__ = [
    "queries", "_unique_code", "accept_nomination", "ballot_choice", "ballot_options", "box_document",
    "cast_ballot", "check_publishable", "check_self_selection", "close_election",
    "compute_tally", "create_election", "decline_nomination", "iso", "nominate_candidate",
    "open_nominations", "open_voting", "publish_agreement", "publish_result", "record_agreement",
    "record_result", "reject_candidate", "self_selection_allowed", "update_election",
    "validate_candidate", "verified_count",
]
