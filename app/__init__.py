"""Cocrea: co-creation of Open Government Local Action Plans."""
import importlib

from flask import Flask, request

from app.config import load_config
from app.core.reconnect import Cocrea
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(overrides: dict | None = None) -> Flask:
    app = Cocrea(  # Flask, plus a retry of reads whose database connection dropped
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.update(load_config(app.instance_path, overrides))
    from app.core.logging import configure_logging

    configure_logging(app)
    if app.config.get("TRUSTED_PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from app.core import i18n

    db.init_app(app)
    from app.core.uow import register_unit_of_work

    register_unit_of_work(app)  # the one commit of each request
    from app.search.indexing import listen_for_changes

    listen_for_changes()  # the search index follows every change, in the same transaction
    from app.fulltext.models import include_object

    # include_object: autogenerate leaves alone the text-search structures the databases derive.
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True,
                     include_object=include_object)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories="translations",
    )
    i18n.install_template_gettext(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URI"]
    limiter.init_app(app)
    from app.core.ratelimits import report_rate_limit_storage

    report_rate_limit_storage(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from app.core.urls import IdConverter

    # Before the blueprints add their routes: every <int:...> in a URL is bounded (no 500s).
    app.url_map.converters["int"] = IdConverter
    _import_models()
    _import_hooks()
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_template_helpers(app)

    from app.core.errors import register_error_handlers
    from app.core.requests import register_request_guards
    from app.core.security import register_security_headers

    register_request_guards(app)
    register_error_handlers(app)
    register_security_headers(app)

    from app.core.cache import register_page_cache

    register_page_cache(app)
    from app.core import fragments

    fragments.init_app(app)
    from app.core import layout

    layout.init_app(app)  # the header and footer, kept per language and class of viewer
    from app.opendata.tracking import listen_for_changes

    listen_for_changes()  # open-data files marked stale by the writes that change them
    if app.config.get("BENCH_FLOOR"):
        from app.core.benchfloor import bp as floor_bp

        app.register_blueprint(floor_bp)

    from app.cli import register_cli

    register_cli(app)
    return app


def _import_models() -> None:
    """Every model module, so that metadata (and migrations) see all tables."""
    from app.accounts import models as _accounts  # noqa: F401
    from app.announcements import models as _announcements  # noqa: F401
    from app.calls import models as _calls  # noqa: F401
    from app.comments import models as _comments  # noqa: F401
    from app.commitments import models as _commitments  # noqa: F401
    from app.consultations import models as _consultations  # noqa: F401
    from app.core import audit as _audit  # noqa: F401
    from app.core import mail as _mail  # noqa: F401
    from app.dialogues import models as _dialogues  # noqa: F401
    from app.documents import models as _documents  # noqa: F401
    from app.elections import models as _elections  # noqa: F401
    from app.evaluation import models as _evaluation  # noqa: F401
    from app.follows import models as _follows  # noqa: F401
    from app.fulltext import models as _fulltext  # noqa: F401
    from app.ledger import models as _ledger  # noqa: F401
    from app.meetings import models as _meetings  # noqa: F401
    from app.moderation import models as _moderation  # noqa: F401
    from app.newsletters import models as _newsletters  # noqa: F401
    from app.notifications import models as _notifications  # noqa: F401
    from app.opendata import models as _opendata  # noqa: F401
    from app.places import models as _places  # noqa: F401
    from app.plans import models as _plans  # noqa: F401
    from app.progress import models as _progress  # noqa: F401
    from app.proposals import models as _proposals  # noqa: F401
    from app.reminders import models as _reminders  # noqa: F401


# Areas in the order their sections appear in a person's data export.
HOOKED_AREAS = ("places", "proposals", "comments", "dialogues", "moderation", "notifications", "calls",
                "elections", "plans", "commitments", "consultations", "progress", "follows",
                "reminders", "newsletters", "search")


def _import_hooks() -> None:
    """What each area plugs into the others: account lifecycle, comment hosts (each hooks.py)."""
    for name in HOOKED_AREAS:
        importlib.import_module(f"app.{name}.hooks")


def _register_blueprints(app: Flask) -> None:
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp

    # Packages whose __init__ does not import its views (to avoid import cycles).
    from app.calls import bp as calls_bp
    from app.comments import bp as comments_bp
    from app.commitments import bp as commitments_bp
    from app.consultations import bp as consultations_bp
    from app.dashboard import bp as dashboard_bp
    from app.dialogues import bp as dialogues_bp
    from app.elections import bp as elections_bp
    from app.health import bp as health_bp
    from app.moderation import bp as moderation_bp
    from app.notifications import bp as notifications_bp
    from app.opendata import bp as opendata_bp
    from app.plans import bp as plans_bp
    from app.progress import bp as progress_bp
    from app.proposals import bp as proposals_bp

    for name in ("commitments", "consultations", "dashboard", "progress", "calls", "elections", "opendata", "api",
                 "home"):  # home adds the overview pages to the plans blueprint
        importlib.import_module(f"app.{name}.views")

    for bp in (
        plans_bp, accounts_bp, admin_bp, commitments_bp, health_bp, proposals_bp,
        comments_bp, dialogues_bp, moderation_bp, notifications_bp,
        consultations_bp, progress_bp, dashboard_bp, calls_bp, elections_bp, opendata_bp, api_bp,
    ):
        app.register_blueprint(bp)
    from app.places import bp as places_bp
    from app.places import views as _places_views  # noqa: F401  (its routes)

    app.register_blueprint(places_bp)
    for name in ("transparency", "profiles", "maps"):  # each views module re-exports its package's bp
        app.register_blueprint(importlib.import_module(f"app.{name}.views").bp)
    # privacy; Atom; records; news; the API explained for people; following; unsubscribe links;
    # search
    for name in ("legal", "feeds", "documents", "announcements", "developers", "follows", "reminders",
                 "newsletters", "search", "meetings", "ledger", "standards", "evaluation"):
        app.register_blueprint(importlib.import_module(f"app.{name}").bp)
    for name in ("admin_views", "admin_committees"):  # the routes of /admin/plans
        importlib.import_module(f"app.plans.{name}")
    app.register_blueprint(importlib.import_module("app.plans.admin").bp)


def _register_request_hooks(app: Flask) -> None:
    from app.accounts.sessions import load_user, register_session_guards

    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import flash, redirect, url_for
        from flask_babel import gettext as _

        flash(_("Please log in to continue."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    register_session_guards(app)  # ended, expired and idle sessions; compulsory two-factor enrolment

    @app.after_request
    def _send_mail_in_development(response):
        if app.config["MAIL_SEND_AFTER_REQUEST"]:

            def _send():
                from app.core.mail import send_pending

                with app.app_context():
                    send_pending()

            response.call_on_close(_send)
        return response


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from app.core import i18n
    from app.core.permissions import can
    from app.core.text import render_markdown

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["markdown"] = render_markdown
    from app.core.text import plain_summary

    app.jinja_env.filters["plain_summary"] = plain_summary  # link previews, newsletters
    from app.core.rendered import register_template_helpers as register_rendered_text

    register_rendered_text(app)  # |rendered, |summary: stored HTML and plain text
    from app.notifications.kinds import message as notification_message

    app.jinja_env.globals["notification_message"] = notification_message
    from app.accounts.session_store import describe_device

    app.jinja_env.globals["describe_device"] = describe_device
    app.jinja_env.filters["local_datetime"] = i18n.local_datetime
    app.jinja_env.filters["local_date"] = i18n.local_date
    app.jinja_env.filters["end_sentence"] = i18n.end_sentence
    app.jinja_env.globals["zone_name"] = i18n.zone_name

    @app.context_processor
    def _globals():
        return {
            "can": lambda name, target=None: can(current_user, name, target),
            "html_lang": i18n.html_lang(),
            "language_names": i18n.LANGUAGE_NAMES,
            "site_name": app.config["SITE_NAME"],
        }
