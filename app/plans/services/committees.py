"""A plan's committees, their government members (with the history of terms) and its themes."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.extensions import db
from app.plans.models import (
    SHORT_CODE,
    ActionPlan,
    Committee,
    CommitteeMember,
    MemberKind,
    Theme,
    initials,
)
from app.plans.services import _input
from app.plans.services._input import Errors


def _with_slug(model, plan: ActionPlan, read, data: dict) -> tuple[dict, str]:
    """The values `read` takes from `data` and a slug free among the plan's rows of `model`."""
    errors = Errors()
    values = read(data, errors)
    slug = _input.free_slug(model, values["name"], data.get("slug"), errors, scope=model.plan_id == plan.id)
    errors.raise_any()
    return values, slug


def _quorum(data: dict, errors: Errors) -> int | None:
    """The committee's rule of quorum: a whole number of members from 1, or empty (more than half)."""
    value = data.get("quorum")
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 1000:
        errors.add("quorum", _("Give the quorum as a whole number of members, or leave it empty."))
        return None
    return number


def _committee_values(data: dict, errors: Errors) -> dict:
    return {
        "name": _input.line(data, "name", 200, errors, required=True),
        "scope": _input.line(data, "scope", 200, errors, required=True),
        "description": _input.text(data, "description", 20000, errors),
        "quorum": _quorum(data, errors),
    }


def _code_taken(plan_id: int, code: str, current: Committee | None) -> bool:
    query = sa.select(Committee.id).where(Committee.plan_id == plan_id, Committee.short_code == code)
    if current is not None:
        query = query.where(Committee.id != current.id)
    return db.session.scalar(query.limit(1)) is not None


def _short_code(plan_id: int, data: dict, name: str, current: Committee | None = None) -> str:
    """The code typed (checked: letters and digits, free in the plan), or one made from the
    name's initials, with a digit added when another committee of the plan has them."""
    given = _input.line(data, "short_code", 20, Errors()).upper()
    if given:
        if not SHORT_CODE.match(given):
            raise ValidationError(_("Use one to eight letters (without accents) or digits, "
                                    "e.g. MD."), field="short_code")
        if _code_taken(plan_id, given, current):
            raise ValidationError(_("Another committee of the plan already uses this code."),
                                  field="short_code")
        return given
    stem = initials(name)
    code, n = stem, 1
    while _code_taken(plan_id, code, current):
        n += 1
        code = f"{stem[:8 - len(str(n))]}{n}"
    return code


def create_committee(actor, plan: ActionPlan, data: dict) -> Committee:
    require(actor, "plans.manage", plan)
    values, slug = _with_slug(Committee, plan, _committee_values, data)
    values["short_code"] = _short_code(plan.id, data, values["name"])
    position = _input.next_position(Committee.position, Committee.plan_id == plan.id)
    committee = Committee(plan_id=plan.id, slug=slug, position=position, **values)
    db.session.add(committee)
    _input.flush_slug()
    record(actor, "committee.created", committee, public=True, committee_id=committee.id,
           plan_id=plan.id)
    db.session.flush()
    db.session.expire(plan, ["committees"])
    return committee


def update_committee(actor, committee: Committee, data: dict) -> None:
    """New name, scope, short code and description; the address (slug) stays, so that links keep
    working. An emptied short code is made again from the name."""
    require(actor, "plans.manage", committee.plan)
    values = _input.validated(_committee_values, data)
    values["short_code"] = _short_code(committee.plan_id, data, values["name"], committee)
    _input.assign(committee, values)
    record(actor, "committee.updated", committee, public=True, committee_id=committee.id)
    db.session.flush()


MEMBER_FIELDS = ("name", "position_title", "institution", "term_start", "term_end")


def _member_values(data: dict, errors: Errors) -> dict:
    """A government member's details as the add and correct forms give them."""
    values = {
        "name": _input.line(data, "name", 200, errors, required=True),
        "position_title": _input.line(data, "position_title", 300, errors, required=True),
        "institution": _input.line(data, "institution", 300, errors),
        "term_start": _input.day(data, "term_start", errors, required=True),
        "term_end": _input.day(data, "term_end", errors),
    }
    if values["term_start"] and values["term_end"] and values["term_end"] < values["term_start"]:
        errors.add("term_end", _("The end of the term cannot be before its start."))
    return values


def _current_namesake(committee_id: int, name: str, other_than: int | None = None) -> bool:
    query = sa.select(CommitteeMember.id).where(
        CommitteeMember.committee_id == committee_id, CommitteeMember.name == name,
        CommitteeMember.term_end.is_(None))
    if other_than is not None:
        query = query.where(CommitteeMember.id != other_than)
    return db.session.scalar(query.limit(1)) is not None


def add_member(actor, committee: Committee, data: dict) -> CommitteeMember:
    """A government member. Civil-society seats are filled by elections and agreements, and
    facilitators by their scopes: not from this form."""
    require(actor, "plans.manage", committee.plan)
    errors = Errors()
    if (data.get("kind") or MemberKind.government.value) != MemberKind.government.value:
        errors.add("kind", _("Only government members are added here; civil-society seats are "
                             "filled by elections and agreements."))
    values = _member_values(data, errors)
    name = values["name"]
    if name and _current_namesake(committee.id, name):
        # A form sent twice adds one member (a read: seats of one name are not unique in history).
        errors.add("name", _("This person is already a current member of the committee."))
    errors.raise_any()
    position = _input.next_position(CommitteeMember.position, CommitteeMember.committee_id == committee.id)
    member = CommitteeMember(committee_id=committee.id, kind=MemberKind.government,
                             position=position, **values)
    db.session.add(member)
    db.session.flush()
    record(actor, "committee_member.added", member, public=True, committee_id=committee.id,
           name=name, institution=values["institution"])
    db.session.flush()
    db.session.expire(committee, ["members"])
    return member


def _government_members_committee(actor, member: CommitteeMember) -> Committee:
    """The member's committee, once `actor` may manage its plan and the member is the
    government's (the only seats changed from the plan's pages)."""
    committee = member.committee
    require(actor, "plans.manage", committee.plan)
    if member.kind != MemberKind.government:
        raise InvalidTransition(_("Civil-society seats and facilitators change through elections, "
                                  "agreements and facilitators' scopes, not here."))
    return committee


def end_member_term(actor, member: CommitteeMember, data: dict) -> None:
    """The member's term ends on `term_end`, for `reason`; the row stays, as the history."""
    committee = _government_members_committee(actor, member)
    errors = Errors()
    term_end = _input.day(data, "term_end", errors, required=True)
    reason = _input.line(data, "reason", 500, errors, required=True)
    if term_end and member.term_start and term_end < member.term_start:
        errors.add("term_end", _("The end of the term cannot be before its start."))
    errors.raise_any()
    # Conditional: a term ended twice (a double click, two tabs) is ended once.
    done = db.session.execute(
        sa.update(CommitteeMember)
        .where(CommitteeMember.id == member.id, CommitteeMember.term_end.is_(None))
        .values(term_end=term_end).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("This member's term has already ended."))
    db.session.refresh(member, ["term_end"])
    record(actor, "committee_member.term_ended", member, public=True, committee_id=committee.id,
           reason=reason, name=member.name, term_end=term_end.isoformat())
    db.session.flush()


def correct_member(actor, member: CommitteeMember, data: dict) -> dict:
    """A government member's details corrected (a misspelt name, a new position title, the right
    dates), for a public `reason`: the row keeps its place in the history, and the public audit
    log keeps what each field said before. A current member's term is ended with
    `end_member_term`, not here; a past member's end date stays required. Returns the changes
    ({field: (before, after)}); sending the same correction again changes nothing."""
    committee = _government_members_committee(actor, member)
    member = _locked(member)  # two admins (or two tabs) at once: the second compares with the first's
    errors = Errors()
    values = _member_values(data, errors)
    reason = _input.line(data, "reason", 500, errors, required=True)
    if member.is_current and values["term_end"] is not None:
        errors.add("term_end", _("End a current member's term with “End the term”, which asks "
                                 "for its reason."))
    if not member.is_current and values["term_end"] is None:
        errors.add("term_end", _("A past member's term keeps its end date."))
    if values["name"] and member.is_current and _current_namesake(committee.id, values["name"], member.id):
        errors.add("name", _("This person is already a current member of the committee."))
    errors.raise_any()
    changes = {field: (getattr(member, field), values[field]) for field in MEMBER_FIELDS
               if getattr(member, field) != values[field]}
    if not changes:
        return {}
    _input.assign(member, {field: after for field, (_before, after) in changes.items()})
    record(actor, "committee_member.corrected", member, public=True, committee_id=committee.id,
           reason=reason, name=member.name,
           changes={field: [_shown(before), _shown(after)] for field, (before, after) in changes.items()})
    db.session.flush()
    return changes


def _locked(member: CommitteeMember) -> CommitteeMember:
    """The member's row, locked until the unit of work ends, and read afresh: a no-op UPDATE takes
    SQLite's write lock (a SELECT takes none there) and PostgreSQL's row lock."""
    db.session.execute(
        sa.update(CommitteeMember).where(CommitteeMember.id == member.id)
        .values(position=CommitteeMember.position).execution_options(synchronize_session=False))
    return db.session.scalar(sa.select(CommitteeMember).where(CommitteeMember.id == member.id)
                             .execution_options(populate_existing=True))


def _shown(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _theme_values(data: dict, errors: Errors) -> dict:
    return {
        "name": _input.line(data, "name", 120, errors, required=True),
        "description": _input.text(data, "description", 5000, errors),
    }


def create_theme(actor, plan: ActionPlan, data: dict) -> Theme:
    require(actor, "plans.manage", plan)
    values, slug = _with_slug(Theme, plan, _theme_values, data)
    theme = Theme(plan_id=plan.id, slug=slug, **values)
    db.session.add(theme)
    _input.flush_slug()
    record(actor, "theme.created", theme, public=True, plan_id=plan.id, name=theme.name)
    db.session.flush()
    db.session.expire(plan, ["themes"])
    return theme


def update_theme(actor, theme: Theme, data: dict) -> None:
    require(actor, "plans.manage", theme.plan)
    _input.assign(theme, _input.validated(_theme_values, data))
    record(actor, "theme.updated", theme, public=True, plan_id=theme.plan_id)
    db.session.flush()
