"""The request pattern every views module follows: load (or 404), then run the form.

    proposal = load_or_404(queries.proposal_detail(reference))
    form = forms.ProposalForm()
    return run_form(
        form,
        action=lambda: services.edit_proposal(current_user, proposal, form.data),
        success=lambda _result: redirect_with(_("Saved."), url_for("proposals.show", ...)),
        render=lambda: render_template("proposals/edit.html", form=form, proposal=proposal),
    )

- `load_or_404` turns a missing or invisible row into the 404 page (the same for both: an
  invisible row is not confirmed to exist).
- `run_form` validates; on success it calls the service and then `success(result)`. A service's
  `ValidationError` rolls the unit of work back and is shown next to the field it names (or at
  the top of the form), the form re-shown with what the person typed, status 400. An
  `InvalidTransition` (409) or `PermissionDenied` (403) is left to the one error handler
  (app/core/errors.py), which rolls back and shows the reason.
- A form whose input is costly to type again (a comment written while the consultation closed)
  passes `conflict_keeps_input=True`: an `InvalidTransition` then re-shows the form with the
  reason at its top and what the person typed, status 409.
- A one-button action (no fields to re-show) calls its service directly: a refusal goes to the
  same error handler, with the reason and a way back.
"""
from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm

from app.core import uow
from app.core.errors import InvalidTransition, NotFound, ValidationError


def load_or_404(row, message: str | None = None):
    """The row, or the 404 page when it is None (missing, or not visible to this person)."""
    if row is None:
        raise NotFound(message)
    return row


def _field_named(form: FlaskForm, name: str | None):
    """The field a service's error names. A form whose fields are not all its own (the rows of a
    FieldList) places such names itself with a `field_for(name)` method."""
    if not name:
        return None
    field_for = getattr(form, "field_for", None)
    return field_for(name) if field_for is not None else form._fields.get(name)


def attach_error(form: FlaskForm, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it names, or at the top of the form. A refusal
    about several fields carries them all in `details["errors"]` ({field: [messages]})."""
    by_field = exc.details.get("errors") or {exc.field: [exc.message]}
    for name, messages in by_field.items():
        messages = [messages] if isinstance(messages, str) else list(messages)
        field = _field_named(form, name)
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def has_errors(form: FlaskForm) -> bool:
    """Any error on the form, its fields or the rows of its FieldLists (read from the fields:
    a FieldList keeps its rows' errors of the validation, not those a service added later)."""
    if form.form_errors:
        return True
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                subfields = entry.form if hasattr(entry, "form") else [entry]
                if any(sub.errors for sub in subfields):
                    return True
        elif field.errors:
            return True
    return False


def form_status(form: FlaskForm) -> int:
    return 400 if has_errors(form) else 200


def run_form(form: FlaskForm, *, action: Callable[[], Any], success: Callable[[Any], Any],
             render: Callable[[], Any], validate: bool | None = None,
             conflict_keeps_input: bool = False):
    """Validate `form`, run `action` (a service call) and answer `success(result)`; otherwise
    re-render (400 when the form holds errors). `validate` overrides the submitted check (for a
    page with several forms, pass whether this one was sent). With `conflict_keeps_input`, a
    refusal of the state re-renders the form with its reason, 409 (see the module's note)."""
    submitted = form.validate_on_submit() if validate is None else (validate and form.validate())
    if submitted:
        try:
            result = action()
        except ValidationError as exc:
            uow.rollback()
            attach_error(form, exc)
        except InvalidTransition as exc:
            if not conflict_keeps_input:
                raise
            uow.rollback()
            form.form_errors.append(exc.message)
            return render(), 409
        else:
            return success(result)
    return render(), form_status(form)


def redirect_with(message: str, location: str, category: str = "success", status: int = 302):
    """Say what happened, then go where the person can see it."""
    flash(message, category)
    return redirect(location, status)
