"""Forms of the proposals area: they validate input and never write to the database."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.maps.forms import LocationFields
from app.places.queries import committee_for_place, municipality_names, place_named
from app.proposals.listing import DEFAULT_SORT, RELEVANCE, ProposalFilters, filter_choices
from app.proposals.models import FACILITATOR_TRANSITIONS, PROPOSAL_STATE_LABELS, ProposalState
from app.proposals.services import (
    ANSWER_MAX,
    ANSWER_MIN,
    BODY_MAX,
    PLACE_MAX,
    REASON_MAX,
    REASON_MIN,
    TITLE_MAX,
    TITLE_MIN,
    Draft,
)

REQUIRED = _l("This field is required.")
LENGTH = _l("Use between %(min)d and %(max)d characters.")


def _line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _ProposalTextMixin:
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=REQUIRED), Length(min=TITLE_MIN, max=TITLE_MAX, message=LENGTH)],
        filters=[_line],
        description=_l("Name the public problem in one sentence (10 to 150 characters)."),
        render_kw={"maxlength": TITLE_MAX},
    )
    body = TextAreaField(
        _l("Description"),
        validators=[DataRequired(message=REQUIRED), Length(max=BODY_MAX, message=LENGTH)],
        filters=[_strip],
        description=_l(
            "What happens, whom it affects, since when, and what you know about it. "
            "You can use Markdown: **bold**, *italics*, lists and links."
        ),
        render_kw={"rows": 10},
    )
    theme_id = SelectField(_l("Theme"), choices=[], validate_choice=True)
    place = StringField(
        _l("Place (optional)"),
        validators=[Optional(), Length(max=PLACE_MAX, message=LENGTH)],
        filters=[_line],
        description=_l("The colonia, locality or area where the problem happens."),
        render_kw={"maxlength": PLACE_MAX},
    )


class ProposalForm(_ProposalTextMixin, LocationFields, FlaskForm):
    committee_id = SelectField(
        _l("Committee"),
        choices=[],
        validators=[DataRequired(message=_l("Choose a committee."))],
        description=_l("The committee whose scope covers the problem."),
    )
    # Checked by the service against the plan's catalogue (a clear message, not "Not a valid choice").
    municipality = SelectField(
        _l("Municipality (optional)"), choices=[], validate_choice=False,
        description=_l("The municipality where the problem happens."),
    )
    # The one-time token that makes publishing idempotent (services.create_proposal).
    token = HiddenField()
    # The committee the server suggested for the municipality: while the person keeps it, a
    # change of municipality moves it along (without JavaScript, at the preview).
    suggested_committee_id = HiddenField()
    committee_hint = None  # why a committee is preselected, when one is
    committee_note = None  # why the chosen committee differs from the municipality's


class EditProposalForm(_ProposalTextMixin, LocationFields, FlaskForm):
    pass


# Files chosen per sending of the form (more can be added at the preview, up to the maximum).
UPLOAD_SLOTS = 3


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you withdraw it?"),
        validators=[DataRequired(message=REQUIRED), Length(min=REASON_MIN, max=REASON_MAX, message=LENGTH)],
        filters=[_strip],
        description=_l("Your reason is shown on the proposal's page."),
        render_kw={"rows": 4},
    )


class _PanelForm(FlaskForm):
    """Forms that share the proposal page: prefixed so their ids differ. The page's POSTs are
    still protected: CSRFProtect checks every POST, and the template adds the token."""

    class Meta:
        csrf = False


class StateForm(_PanelForm):
    state = SelectField(_l("New state"), choices=[], validate_choice=True)
    answer = TextAreaField(
        _l("Reasoned answer"),
        validators=[DataRequired(message=REQUIRED), Length(min=ANSWER_MIN, max=ANSWER_MAX, message=LENGTH)],
        filters=[_strip],
        description=_l("Public: it is shown on the proposal and sent to its author and supporters."),
        render_kw={"rows": 5},
    )


class MergeForm(_PanelForm):
    into = StringField(
        _l("Merge into (reference)"),
        validators=[DataRequired(message=REQUIRED), Length(max=32, message=LENGTH)],
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        description=_l("The reference of the proposal that remains, such as ABC-2026-0042."),
    )
    answer = TextAreaField(
        _l("Reasoned answer"),
        validators=[DataRequired(message=REQUIRED), Length(min=ANSWER_MIN, max=ANSWER_MAX, message=LENGTH)],
        filters=[_strip],
        description=_l("Public: why these proposals are one. Sent to the author and supporters."),
        render_kw={"rows": 4},
    )


class FilterForm(FlaskForm):
    """The list's GET form; values that do not fit are simply ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[_line], render_kw={"maxlength": 200, "type": "search"})
    committee = SelectField(_l("Committee"), choices=[], validate_choice=True)
    theme = SelectField(_l("Theme"), choices=[], validate_choice=True)
    state = SelectField(_l("State"), choices=[], validate_choice=True)
    municipality = SelectField(_l("Municipality"), choices=[], validate_choice=True)
    sort = SelectField(
        _l("Sort by"),
        choices=[
            ("relevance", _l("Most relevant to the search")),
            ("newest", _l("Newest")),
            ("supported", _l("Most supported")),
            ("commented", _l("Most commented")),
        ],
        validate_choice=True,
        default=DEFAULT_SORT,
    )


# ---------------------------------------------------------------- choices

def theme_choices(plan):
    return [("", _l("Choose a theme"))] + [(str(t.id), t.name) for t in plan.themes]


def committee_choices(plan):
    return [("", _l("Choose a committee"))] + [(str(c.id), c.name) for c in plan.committees]


def prepare_proposal_form(form, plan, author=None):
    form.theme_id.choices = theme_choices(plan)
    if plan.themes:
        form.theme_id.validators = [DataRequired(message=_l("Choose a theme."))]
    else:
        form.theme_id.validators = [Optional()]
    if hasattr(form, "committee_id"):
        form.committee_id.choices = committee_choices(plan)
        form.municipality.choices = [("", _l("Not one municipality"))] + [
            (name, name) for name in municipality_names(plan)]
        if author is not None and not form.is_submitted():
            _guide(form, plan, author)
        suggest_committee(form, plan)
    return form


def suggest_committee(form, plan) -> None:
    """On a sent form: the committee that covers the chosen municipality, said in plain words.

    An empty choice, or the one suggested before and left as it was, becomes the municipality's
    committee; a committee the person chose stays, with a note when it is not the municipality's."""
    if not hasattr(form, "committee_id") or not form.is_submitted():
        return
    place = place_named(plan, form.municipality.data)
    committee = committee_for_place(plan, place.name) if place is not None else None
    if committee is None:
        return
    chosen = form.committee_id.data or ""
    if not chosen or chosen == (form.suggested_committee_id.data or ""):
        form.committee_id.data = chosen = str(committee.id)
    form.suggested_committee_id.data = str(committee.id)
    if chosen == str(committee.id):
        form.committee_hint = _(
            "The municipality %(municipality)s belongs to %(committee)s; that is why we suggest "
            "it. If the problem is in another committee's scope, choose that one.",
            municipality=place.name, committee=committee.name)
    else:
        form.committee_note = _(
            "The municipality %(municipality)s belongs to %(committee)s. You chose another "
            "committee: keep it if the problem is in its scope.",
            municipality=place.name, committee=committee.name)


def draft_from(formdata, files) -> Draft:
    """The files part of a sent proposal form: pending ones listed, their texts, those to drop,
    and the newly chosen files with the text typed beside each."""
    def as_id(value):
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    ids = [i for i in (as_id(v) for v in formdata.getlist("attachment_ids")) if i is not None]
    return Draft(
        pending_ids=ids[:50],
        alts={i: formdata.get(f"alt-{i}", "") for i in ids if f"alt-{i}" in formdata},
        dropped={i for i in ids if formdata.get(f"drop-{i}")},
        new=[(files.get(f"file-{n}"), formdata.get(f"file-{n}-alt", ""))
             for n in range(1, UPLOAD_SLOTS + 1)],
    )


def _guide(form, plan, author) -> None:
    """Start from the author's municipality and the committee that covers it, saying why."""
    own = place_named(plan, author.municipality)
    if own is None:
        return
    form.municipality.data = own.name
    committee = committee_for_place(plan, own.name)
    if committee is not None:
        form.committee_id.data = str(committee.id)
        form.suggested_committee_id.data = str(committee.id)
        form.committee_hint = _(
            "We chose %(committee)s because it covers %(municipality)s, your municipality. "
            "Choose another committee if the problem belongs to another one's scope.",
            committee=committee.name, municipality=own.name)


def prepare_state_form(form, proposal, can_answer_only: bool):
    options = sorted(FACILITATOR_TRANSITIONS.get(proposal.state, set()), key=list(ProposalState).index)
    choices = [(s.value, PROPOSAL_STATE_LABELS[s]) for s in options]
    if can_answer_only:
        choices = [("", _l("No change: answer only"))] + choices
    form.state.choices = choices
    return form


def prepare_filter_form(form, plan, choices=None):
    """The list's filter form with the plan's choices (`choices`: listing.filter_choices(plan),
    when the page has read them already)."""
    anything = _l("Any")
    committees, themes, municipalities = choices if choices is not None else filter_choices(plan)
    form.committee.choices = [("", anything)] + [(str(ident), name) for ident, name in committees]
    form.theme.choices = [("", anything)] + [(str(ident), name) for ident, name in themes]
    form.state.choices = [("", _l("Any but withdrawn"))] + [
        (s.value, label) for s, label in PROPOSAL_STATE_LABELS.items()
    ]
    form.municipality.choices = [("", anything)] + [(m, m) for m in municipalities]
    return form


def filters_from(form) -> tuple[ProposalFilters, str]:
    """The filters and sort that the GET form asks for; an invalid value counts as not given."""
    # A choice that is not offered is shown as "any" rather than as an error: a filter is not a
    # mistake. (WTForms' validate() says the same, but translates an error message per field.)
    for f in form:
        if f.type == "SelectField" and not any(str(value) == f.data for value, _label in f.choices):
            f.data = f.default

    def ok(f):
        return f.data or None

    state = ok(form.state)
    filters = ProposalFilters(
        committee_id=int(ok(form.committee)) if ok(form.committee) else None,
        theme_id=int(ok(form.theme)) if ok(form.theme) else None,
        state=ProposalState(state) if state else None,
        municipality=ok(form.municipality),
        text=(form.q.data or "")[:200] or None,
    )
    # A search is ordered by relevance unless another order is asked for.
    if form.sort.raw_data:
        sort = ok(form.sort) or DEFAULT_SORT
    else:
        sort = RELEVANCE if filters.text else DEFAULT_SORT
        form.sort.data = sort  # the select shows the order the list has
    return filters, sort
