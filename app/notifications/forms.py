"""The notification preferences form: one radio group per kind; it never writes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired, Optional

from app.notifications.kinds import KIND_LABELS, REMINDER_LABELS
from app.notifications.models import Channel

CHANNEL_CHOICES = [
    (Channel.immediate.value, _l("Email me at once")),
    (Channel.digest.value, _l("One email a day with everything new (daily digest)")),
    (Channel.none.value, _l("No email: only here, on the site")),
]
REMINDER_CHOICES = [
    (Channel.immediate.value, _l("Email me the reminder")),
    (Channel.none.value, _l("No reminders of this kind")),
]


class PreferencesForm(FlaskForm):
    """Fields are named after the kinds (see preferences_form)."""

    def kind_fields(self):
        return [self[kind] for kind in KIND_LABELS]

    def reminder_fields(self):
        return [self[kind] for kind in REMINDER_LABELS]

    def choices(self) -> dict[str, Channel]:
        chosen = {kind: Channel(self[kind].data) for kind in KIND_LABELS}
        # A reminder left out of the post keeps its setting.
        chosen.update({kind: Channel(self[kind].data) for kind in REMINDER_LABELS if self[kind].raw_data})
        return chosen


def preferences_form(current: dict[str, Channel] | None = None, **kwargs) -> PreferencesForm:
    """A form with one required choice per kind, filled with `current` when nothing was posted."""

    class Form(PreferencesForm):
        pass

    for kind, label in KIND_LABELS.items():
        setattr(
            Form,
            kind,
            RadioField(
                label,
                choices=CHANNEL_CHOICES,
                validators=[InputRequired(message=_l("Choose how to be told about this."))],
            ),
        )
    for kind, label in REMINDER_LABELS.items():
        setattr(
            Form,
            kind,
            RadioField(
                label,
                choices=REMINDER_CHOICES,
                validators=[Optional()],
            ),
        )
    data = {kind: channel.value for kind, channel in (current or {}).items()}
    return Form(data=data, **kwargs)
