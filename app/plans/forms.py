"""Forms of the guarantor body's plan pages. They only gather input: the services validate it
(app/plans/services), and run_form shows their refusals next to these fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from app.accounts.forms import email_field
from app.plans.models import PHASE_LABELS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _line(label, description=None, **render_kw):
    return StringField(label, filters=[_strip], description=description, render_kw=render_kw or None)


def _date(label, description=None):
    # Typed as text in the browser's date picker (YYYY-MM-DD); the service reads and checks it.
    return StringField(label, filters=[_strip], description=description, render_kw={"type": "date"})


class PlanForm(FlaskForm):
    name = _line(_l("Name of the plan"))
    jurisdiction = _line(_l("Jurisdiction"), _l("The state or municipality the plan covers."))
    period = _line(_l("Period"), _l("For example 2027–2029."))
    reference_prefix = _line(
        _l("Prefix of the references"),
        _l("2 to 10 capital letters or digits; proposals are numbered PREFIX-YEAR-0001."),
        autocapitalize="characters",
    )
    slug = _line(_l("Address (optional)"),
                 _l("Lower-case letters, digits and hyphens, e.g. plan-2027. Made from the name when "
                    "left empty; it cannot change once the plan is published."))
    description = TextAreaField(_l("Description"), filters=[_strip], render_kw={"rows": 6})
    guarantor_name = _line(_l("Guarantor body"), _l("Shown in the footer, the privacy notice and the open data."))
    guarantor_email = _line(_l("Guarantor body's email"), type="email")
    guarantor_address = _line(_l("Guarantor body's address"))
    data_licence = _line(_l("Licence of the open data"), _l("For example CC BY 4.0."))


class PhaseForm(FlaskForm):
    kind = SelectField(_l("Kind of phase"), choices=[(kind.value, label) for kind, label in PHASE_LABELS.items()])
    name = _line(_l("Name (optional)"), _l("Without it, the phase is named after its kind."))
    starts_on = _date(_l("Starts on"))
    ends_on = _date(_l("Ends on"))
    description = TextAreaField(_l("Description"), filters=[_strip], render_kw={"rows": 3})
    accepts_proposals = BooleanField(_l("Receives proposals (problems) during this phase"))


class CommitteeForm(FlaskForm):
    name = _line(_l("Name of the committee"))
    scope = _line(_l("Scope"), _l("What it covers, e.g. a municipality or a region."))
    slug = _line(_l("Address (optional)"), _l("Made from the name when left empty."))
    short_code = _line(_l("Short code (optional)"),
                       _l("Up to eight letters or digits, shown before its commitments' numbers "
                          "(MD-1). Made from the name's initials when left empty."))
    description = TextAreaField(_l("Description"), filters=[_strip], render_kw={"rows": 4})
    quorum = _line(_l("Quorum of its sessions (optional)"),
                   _l("How many of its government members and its titular seat must attend. "
                      "Empty: more than half."))


class MemberForm(FlaskForm):
    name = _line(_l("Full name"))
    position_title = _line(_l("Position"))
    institution = _line(_l("Institution"))
    term_start = _date(_l("Term starts on"))
    term_end = _date(_l("Term ends on (optional)"))


class MemberCorrectionForm(MemberForm):
    term_end = _date(_l("Term ended on (past members only)"))
    reason = _line(_l("Reason for the correction"), _l("Public, in the committee's history."))


class EndTermForm(FlaskForm):
    term_end = _date(_l("Term ended on"))
    reason = _line(_l("Reason"), _l("Public, in the committee's history."))


class ThemeForm(FlaskForm):
    name = _line(_l("Name of the theme"))
    slug = _line(_l("Address (optional)"), _l("Made from the name when left empty."))
    description = TextAreaField(_l("Description"), filters=[_strip], render_kw={"rows": 3})


class FacilitatorForm(FlaskForm):
    """Sent to the administration's facilitators page (app/admin), which grants the scope; it
    comes back here (`next`)."""

    email = email_field(_l("Email of the facilitator's account"))
    committee_id = HiddenField()
    next = HiddenField()
