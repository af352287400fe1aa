"""Pages of dialogue tables: thin views over dialogues.services."""
from urllib.parse import urlsplit

from flask import Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.clock import utc_to_local
from app.core.db import utcnow
from app.core.i18n import local_when
from app.core.permissions import can, check, require
from app.core.urls import int_arg
from app.core.views import load_or_404, redirect_with, run_form
from app.dialogues import bp, forms, ics, queries, services
from app.dialogues.models import RegistrationStatus, TableState
from app.dialogues.permissions import sees_online_link
from app.extensions import db
from app.plans.models import Committee

MAX_PAGE = 100_000


@bp.context_processor
def _time_helpers():
    return {"when": local_when}


def _table(table_id: int):
    return load_or_404(queries.get_table(table_id), _("There is no dialogue table with that number."))


def _user():
    return current_user if current_user.is_authenticated else None


def _table_page(table) -> str:
    return url_for("dialogues.show", table_id=table.id)


# ---------------------------------------------------------------- public pages


@bp.get("/")
def index():
    committee_id = int_arg(request.args.get("committee"))
    committee = db.session.get(Committee, committee_id) if committee_id else None
    page = int_arg(request.args.get("page"), 1, maximum=MAX_PAGE)
    q = " ".join((request.args.get("q") or "").replace("\x00", "").split())[:200]
    if q:  # a search: one list, the most relevant first
        found, more = queries.searched_tables(q, committee.id if committee else None, page=page)
        return render_template("dialogues/index.html", found=found, upcoming=[], past=[], more=more,
                               upcoming_page=1, more_upcoming=False,
                               page=page, committee=committee, q=q)
    now = utcnow()
    upcoming_page = int_arg(request.args.get("upcoming"), 1, maximum=MAX_PAGE)
    upcoming, more_upcoming = queries.upcoming_tables(now, committee.id if committee else None,
                                                      page=upcoming_page)
    past, more = queries.past_tables(now, committee.id if committee else None, page=page)
    return render_template(
        "dialogues/index.html",
        upcoming=upcoming,
        upcoming_page=upcoming_page,
        more_upcoming=more_upcoming,
        past=past,
        more=more,
        page=page,
        committee=committee,
        q="",
    )


@bp.get("/<int:table_id>")
def show(table_id: int):
    table = _table(table_id)
    user = _user()
    registration = queries.registration_of(table.id, user.id if user else None)
    facilitator = can(user, "dialogues.facilitate", table)
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
        registering=check(user, "dialogues.register", table),
    )


@bp.get("/<int:table_id>/calendar.ics")
def calendar(table_id: int):
    table = _table(table_id)
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
    table = _table(table_id)
    registration = services.register(current_user, table)
    if registration.status == RegistrationStatus.confirmed:
        return redirect_with(_("You are registered. Your seat is confirmed."), _table_page(table), status=303)
    return redirect_with(
        _("The table is full: you are on the waiting list. We will tell you if a seat frees up."),
        _table_page(table), "info", 303)


@bp.post("/<int:table_id>/unregister")
@login_required
def unregister(table_id: int):
    table = _table(table_id)
    services.cancel_registration(current_user, table)
    return redirect_with(_("Your registration is cancelled."), _table_page(table), status=303)


# ---------------------------------------------------------------- scheduling


def _theme_choices(plan_ids: set[int]):
    return [("", _("No theme"))] + [
        (theme.id, theme.name) for theme in queries.themes_for_plans(plan_ids)
    ]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "dialogues.create")
    committees = queries.committees_for(current_user)
    asked = request.form.get("committee_id") if request.method == "POST" else None
    asked = int_arg(asked or request.args.get("committee"))
    committee = None
    if asked is not None:
        committee = load_or_404(db.session.get(Committee, asked))
        require(current_user, "dialogues.create", committee)

    form = forms.TableForm()
    form.committee_id.choices = [(c.id, c.name) for c in committees]
    form.theme_id.choices = _theme_choices({c.plan_id for c in committees})
    if request.method == "GET" and committee is not None:
        form.committee_id.data = committee.id
    return run_form(
        form,
        action=lambda: services.create_table(current_user, committee, form.table_data()),
        success=lambda table: redirect_with(_("The dialogue table is scheduled."), _table_page(table),
                                            status=303),
        render=lambda: render_template("dialogues/form.html", form=form, table=None),
    )


@bp.route("/<int:table_id>/edit", methods=["GET", "POST"])
@login_required
def edit(table_id: int):
    table = _table(table_id)
    require(current_user, "dialogues.edit", table)
    if request.method == "GET":
        data = {name: getattr(table, name) for name in services.TABLE_FIELDS}
        for name in ("starts_at", "ends_at", "registration_deadline"):
            data[name] = utc_to_local(data[name])
        form = forms.TableForm(data=data)
    else:
        form = forms.TableForm()
    del form.committee_id
    form.theme_id.choices = _theme_choices({table.committee.plan_id})

    def updated(changed):
        if changed:
            return redirect_with(_("The table is updated; registered people have been told."),
                                 _table_page(table), status=303)
        return redirect_with(_("Nothing changed."), _table_page(table), "info", 303)

    return run_form(
        form,
        action=lambda: services.update_table(current_user, table, form.table_data()),
        success=updated,
        render=lambda: render_template("dialogues/form.html", form=form, table=table),
    )


@bp.route("/<int:table_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(table_id: int):
    table = _table(table_id)
    require(current_user, "dialogues.cancel", table)
    form = forms.CancelTableForm()
    return run_form(
        form,
        action=lambda: services.cancel_table(current_user, table, form.reason.data),
        success=lambda _cancelled: redirect_with(
            _("The table is cancelled; registered people have been told."), _table_page(table),
            status=303),
        render=lambda: render_template("dialogues/cancel.html", form=form, table=table),
    )


# ---------------------------------------------------------------- agenda, attendance, minutes


@bp.route("/<int:table_id>/agenda", methods=["GET", "POST"])
@login_required
def agenda(table_id: int):
    table = _table(table_id)
    require(current_user, "dialogues.agenda", table)
    form = forms.AgendaForm()
    return run_form(
        form,
        action=lambda: services.add_to_agenda(current_user, table, form.references.data,
                                              note=form.note.data),
        success=lambda items: redirect_with(
            ngettext("%(num)d proposal added to the agenda.",
                     "%(num)d proposals added to the agenda.", len(items)),
            url_for("dialogues.agenda", table_id=table.id), status=303),
        render=lambda: render_template(
            "dialogues/agenda.html",
            form=form,
            table=table,
            agenda=queries.agenda(table.id),
            candidates=queries.agenda_candidates(table) if table.state == TableState.scheduled else [],
        ),
    )


@bp.route("/<int:table_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(table_id: int):
    table = _table(table_id)
    require(current_user, "dialogues.attendance", table)
    form = forms.AttendanceForm()
    attended = [i for i in (int_arg(v) for v in request.form.getlist("attended")) if i]
    return run_form(
        form,
        action=lambda: services.record_attendance(current_user, table, attended),
        success=lambda count: redirect_with(
            _("Attendance saved: %(count)d attended.", count=count),
            url_for("dialogues.attendance", table_id=table.id), status=303),
        render=lambda: render_template(
            "dialogues/attendance.html",
            form=form,
            table=table,
            registrations=queries.active_registrations(table.id),
            recording_open=table.state == TableState.scheduled and utcnow() >= table.starts_at,
        ),
    )


@bp.route("/<int:table_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(table_id: int):
    table = _table(table_id)
    require(current_user, "dialogues.minutes", table)
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
    publish = services.correct_minutes if correction else services.publish_minutes
    return run_form(
        form,
        action=lambda: publish(current_user, table, forms.minutes_data(form, items)),
        success=lambda _version: redirect_with(_("The minutes are published."), _table_page(table),
                                               status=303),
        render=lambda: render_template(
            "dialogues/minutes_form.html",
            form=form,
            table=table,
            items=items,
            correction=correction,
            started=utcnow() >= table.starts_at,
        ),
    )
