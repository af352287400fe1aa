"""Pages of dialogue tables: thin views over dialogues.services."""
from urllib.parse import urlsplit

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from app.core.permissions import can, require
from app.core.urls import int_arg
from app.dialogues import bp, forms, ics, queries, services
from app.dialogues.models import RegistrationStatus, TableState
from app.dialogues.permissions import sees_online_link
from app.extensions import db
from app.plans.models import Committee

MAX_PAGE = 100_000


@bp.context_processor
def _time_helpers():
    return {"when": services.local_when}


def _load(table_id: int):
    table = queries.get_table(table_id)
    if table is None:
        raise NotFound(_("There is no dialogue table with that number."))
    return table


def _user():
    return current_user if current_user.is_authenticated else None


def _to_table(table, status: int = 303):
    return redirect(url_for("dialogues.show", table_id=table.id), status)


def _show_error(form, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it names (or as a message)."""
    db.session.rollback()
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        flash(exc.message, "error")


def _refused(table, exc: InvalidTransition):
    db.session.rollback()
    flash(exc.message, "error")
    return _to_table(table)


def _status(form) -> int:
    return 400 if form.errors else 200


def _int_arg(value) -> int | None:
    # Positive and within the database's range: "abc" or 10**30 is no committee, not a 500.
    return int_arg(value)


# ---------------------------------------------------------------- public pages


@bp.get("/")
def index():
    committee_id = _int_arg(request.args.get("committee"))
    committee = db.session.get(Committee, committee_id) if committee_id else None
    page = int_arg(request.args.get("page"), 1, maximum=MAX_PAGE)
    now = utcnow()
    upcoming = queries.upcoming_tables(now, committee.id if committee else None)
    past, more = queries.past_tables(now, committee.id if committee else None, page=page)
    return render_template(
        "dialogues/index.html",
        upcoming=upcoming,
        past=past,
        more=more,
        page=page,
        committee=committee,
    )


@bp.get("/<int:table_id>")
def show(table_id: int):
    table = _load(table_id)
    user = _user()
    registration = queries.registration_of(table.id, user.id if user else None)
    facilitator = can(user, "dialogues.edit", table)
    now = utcnow()
    return render_template(
        "dialogues/show.html",
        table=table,
        registration=registration,
        waiting_position=queries.waiting_position(registration),
        waiting_count=queries.waiting_count(table.id),
        registrations=queries.active_registrations(table.id) if facilitator else [],
        agenda=queries.agenda(table.id),
        versions=queries.minutes_versions(table.id),
        show_link=sees_online_link(user, table, registration),
        registration_open=table.state == TableState.scheduled and now < table.registration_deadline,
        started=now >= table.starts_at,
        facilitator=facilitator,
    )


@bp.get("/<int:table_id>/calendar.ics")
def calendar(table_id: int):
    table = _load(table_id)
    user = _user()
    registration = queries.registration_of(table.id, user.id if user else None)
    base = current_app.config["BASE_URL"].rstrip("/")
    body = ics.table_calendar(
        table,
        page_url=base + url_for("dialogues.show", table_id=table.id),
        uid_domain=urlsplit(base).hostname or "cocrea.local",
        now=utcnow(),
        include_online_url=sees_online_link(user, table, registration),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="mesa-{table.id}.ics"'
    # What the file holds depends on who asks (the online link): never shared by a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- attending


@bp.post("/<int:table_id>/register")
@login_required
def register(table_id: int):
    table = _load(table_id)
    require(current_user, "dialogues.register", table)
    try:
        registration = services.register(current_user, table)
    except (ValidationError, InvalidTransition) as exc:
        return _refused(table, exc)
    if registration.status == RegistrationStatus.confirmed:
        flash(_("You are registered. Your seat is confirmed."), "success")
    else:
        flash(_("The table is full: you are on the waiting list. We will tell you if a seat frees up."),
              "info")
    return _to_table(table)


@bp.post("/<int:table_id>/unregister")
@login_required
def unregister(table_id: int):
    table = _load(table_id)
    try:
        services.cancel_registration(current_user, table)
    except (ValidationError, InvalidTransition) as exc:
        return _refused(table, exc)
    flash(_("Your registration is cancelled."), "success")
    return _to_table(table)


# ---------------------------------------------------------------- scheduling


def _theme_choices(plan_ids: set[int]):
    return [("", _("No theme"))] + [
        (theme.id, theme.name) for theme in queries.themes_for_plans(plan_ids)
    ]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    committees = queries.committees_for(current_user)
    if not committees:
        raise PermissionDenied()
    asked = request.form.get("committee_id") if request.method == "POST" else None
    asked = _int_arg(asked or request.args.get("committee"))
    committee = None
    if asked is not None:
        committee = db.session.get(Committee, asked)
        if committee is None:
            raise NotFound()
        require(current_user, "dialogues.create", committee)

    form = forms.TableForm()
    form.committee_id.choices = [(c.id, c.name) for c in committees]
    form.theme_id.choices = _theme_choices({c.plan_id for c in committees})
    if request.method == "GET" and committee is not None:
        form.committee_id.data = committee.id
    if form.validate_on_submit():
        try:
            table = services.create_table(current_user, committee, form.table_data())
        except ValidationError as exc:
            _show_error(form, exc)
        else:
            flash(_("The dialogue table is scheduled."), "success")
            return _to_table(table)
    return render_template("dialogues/form.html", form=form, table=None), _status(form)


@bp.route("/<int:table_id>/edit", methods=["GET", "POST"])
@login_required
def edit(table_id: int):
    table = _load(table_id)
    require(current_user, "dialogues.edit", table)
    if table.state != TableState.scheduled:
        flash(_("Only a scheduled table can be edited."), "error")
        return _to_table(table)
    if request.method == "GET":
        data = {name: getattr(table, name) for name in services.TABLE_FIELDS}
        for name in ("starts_at", "ends_at", "registration_deadline"):
            data[name] = services.utc_to_local(data[name])
        form = forms.TableForm(data=data)
    else:
        form = forms.TableForm()
    del form.committee_id
    form.theme_id.choices = _theme_choices({table.committee.plan_id})
    if form.validate_on_submit():
        try:
            changed = services.update_table(current_user, table, form.table_data())
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(table, exc)
        else:
            if changed:
                flash(_("The table is updated; registered people have been told."), "success")
            else:
                flash(_("Nothing changed."), "info")
            return _to_table(table)
    return render_template("dialogues/form.html", form=form, table=table), _status(form)


@bp.route("/<int:table_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(table_id: int):
    table = _load(table_id)
    require(current_user, "dialogues.cancel", table)
    form = forms.CancelTableForm()
    if form.validate_on_submit():
        try:
            services.cancel_table(current_user, table, form.reason.data)
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(table, exc)
        else:
            flash(_("The table is cancelled; registered people have been told."), "success")
            return _to_table(table)
    return render_template("dialogues/cancel.html", form=form, table=table), _status(form)


# ---------------------------------------------------------------- agenda, attendance, minutes


@bp.route("/<int:table_id>/agenda", methods=["GET", "POST"])
@login_required
def agenda(table_id: int):
    table = _load(table_id)
    require(current_user, "dialogues.agenda", table)
    form = forms.AgendaForm()
    if form.validate_on_submit():
        try:
            items = services.add_to_agenda(current_user, table, form.references.data,
                                           note=form.note.data)
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(table, exc)
        else:
            flash(ngettext("%(num)d proposal added to the agenda.",
                           "%(num)d proposals added to the agenda.", len(items)), "success")
            return redirect(url_for("dialogues.agenda", table_id=table.id), 303)
    return render_template(
        "dialogues/agenda.html",
        form=form,
        table=table,
        agenda=queries.agenda(table.id),
        candidates=queries.agenda_candidates(table) if table.state == TableState.scheduled else [],
    ), _status(form)


@bp.route("/<int:table_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(table_id: int):
    table = _load(table_id)
    require(current_user, "dialogues.attendance", table)
    form = forms.AttendanceForm()
    if form.validate_on_submit():
        ids = [_int_arg(v) for v in request.form.getlist("attended")]
        try:
            count = services.record_attendance(current_user, table, [i for i in ids if i])
        except InvalidTransition as exc:
            return _refused(table, exc)
        flash(_("Attendance saved: %(count)d attended.", count=count), "success")
        return redirect(url_for("dialogues.attendance", table_id=table.id), 303)
    return render_template(
        "dialogues/attendance.html",
        form=form,
        table=table,
        registrations=queries.active_registrations(table.id),
        recording_open=table.state == TableState.scheduled and utcnow() >= table.starts_at,
    ), _status(form)


@bp.route("/<int:table_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(table_id: int):
    table = _load(table_id)
    require(current_user, "dialogues.minutes", table)
    if table.state == TableState.cancelled:
        flash(_("This dialogue table was cancelled."), "error")
        return _to_table(table)
    correction = table.state == TableState.minutes_published
    items = queries.agenda(table.id)
    latest = queries.latest_minutes(table.id) if correction else None
    if request.method == "GET" and latest is not None:
        prefill = {"summary": latest.summary, "agreements": latest.agreements}
        for item in items:
            prefill[f"outcome_{item.proposal_id}"] = latest.outcomes.get(str(item.proposal_id), "")
        form = forms.minutes_form(items, correction=True, data=prefill)
    else:
        form = forms.minutes_form(items, correction=correction)
    if form.validate_on_submit():
        data = forms.minutes_data(form, items)
        try:
            if correction:
                services.correct_minutes(current_user, table, data)
            else:
                services.publish_minutes(current_user, table, data)
        except ValidationError as exc:
            _show_error(form, exc)
        except InvalidTransition as exc:
            return _refused(table, exc)
        else:
            flash(_("The minutes are published."), "success")
            return _to_table(table)
    return render_template(
        "dialogues/minutes_form.html",
        form=form,
        table=table,
        items=items,
        correction=correction,
        started=utcnow() >= table.starts_at,
    ), _status(form)
