"""WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi run` in development."""
from app import create_app
from app.core.heap import freeze_long_lived

app = create_app()
# The serving process's long-lived objects out of the collector's full passes (app/core/heap.py).
freeze_long_lived(app, app.config["GC_FREEZE_AFTER_REQUESTS"])
