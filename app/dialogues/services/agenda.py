"""The agenda of a table: proposals of its committee, each moved to `in_dialogue` with a public,
reasoned answer that names the table."""
import re

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.i18n import end_sentence, local_when
from app.core.permissions import require
from app.core.text import clean_text
from app.core.uow import savepoint
from app.dialogues.models import AgendaItem, DialogueTable
from app.dialogues.services.common import require_scheduled
from app.extensions import db
from app.proposals.models import FACILITATOR_TRANSITIONS, Proposal, ProposalState
from app.proposals.services import change_state

_REFERENCE_SPLIT = re.compile(r"[\s,;]+")


def parse_references(text: str) -> list[str]:
    seen: list[str] = []
    for part in _REFERENCE_SPLIT.split((text or "").upper()):
        if part and part not in seen:
            seen.append(part)
    return seen


def agenda_answer(table: DialogueTable, note: str | None = None) -> str:
    """The public, reasoned answer given to a proposal put on a table's agenda."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        answer = _(
            "It will be discussed at the dialogue table «%(title)s» on %(date)s.",
            title=table.title,
            date=end_sentence(local_when(table.starts_at)),
        )
    note = clean_text(note)
    return f"{answer}\n\n{note}" if note else answer


def _check_candidate(table: DialogueTable, proposal: Proposal, on_agenda: set[int]) -> None:
    if proposal.committee_id != table.committee_id:
        raise ValidationError(
            _("%(ref)s belongs to another committee; only proposals of this table's committee "
              "can be on its agenda.", ref=proposal.reference),
            field="references",
        )
    if proposal.is_hidden:
        raise ValidationError(
            _("%(ref)s is hidden by moderation.", ref=proposal.reference), field="references"
        )
    if proposal.id in on_agenda:
        raise ValidationError(
            _("%(ref)s is already on this table's agenda.", ref=proposal.reference),
            field="references",
        )
    if (proposal.state != ProposalState.in_dialogue
            and ProposalState.in_dialogue not in FACILITATOR_TRANSITIONS[proposal.state]):
        raise ValidationError(
            _("%(ref)s is “%(state)s” and cannot be put in dialogue.",
              ref=proposal.reference, state=proposal.state_label),
            field="references",
        )


def _proposals_named(references: list[str]) -> dict[str, Proposal]:
    proposals = {
        p.reference.upper(): p
        for p in db.session.scalars(
            sa.select(Proposal).where(sa.func.upper(Proposal.reference).in_(references))
        )
    }
    missing = [r for r in references if r not in proposals]
    if missing:
        raise ValidationError(
            _("No proposal has the reference %(refs)s.", refs=", ".join(missing)), field="references"
        )
    return proposals


def add_to_agenda(actor, table: DialogueTable, references, note: str | None = None) -> list[AgendaItem]:
    """Put proposals of the table's committee on its agenda, moving each to in_dialogue."""
    require(actor, "dialogues.agenda", table)
    require_scheduled(table)
    if isinstance(references, str):
        references = parse_references(references)
    references = [r.strip().upper() for r in references if r and r.strip()]
    if not references:
        raise ValidationError(_("Give the reference of at least one proposal."), field="references")
    proposals = _proposals_named(references)
    on_agenda = set(
        db.session.scalars(
            sa.select(AgendaItem.proposal_id).where(AgendaItem.table_id == table.id)
        )
    )
    for ref in references:
        _check_candidate(table, proposals[ref], on_agenda)

    answer = agenda_answer(table, note)
    items = []
    try:
        with savepoint():  # the whole agenda change, or none of it
            position = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.max(AgendaItem.position), 0)).where(
                    AgendaItem.table_id == table.id
                )
            )
            for ref in references:
                proposal = proposals[ref]
                if proposal.state != ProposalState.in_dialogue:
                    change_state(actor, proposal, ProposalState.in_dialogue, answer)
                position += 1
                item = AgendaItem(table_id=table.id, proposal_id=proposal.id, position=position,
                                  added_at=utcnow())
                db.session.add(item)
                items.append(item)
            db.session.flush()
    except IntegrityError:
        raise ValidationError(
            _("Someone else changed this agenda at the same time. Reload the page and try again."),
            field="references",
        ) from None
    record(actor, "dialogues.agenda", table, public=True, committee_id=table.committee_id,
           references=[proposals[r].reference for r in references])
    db.session.flush()
    return items
