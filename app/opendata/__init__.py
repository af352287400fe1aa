"""Open data: the public datasets, their downloads (CSV, JSON), dictionary and catalogue, and Atom feeds."""
from flask import Blueprint

bp = Blueprint("opendata", __name__, url_prefix="/open-data")


def all_datasets():
    """Every public dataset, in the order the open-data page lists them."""
    from app.opendata import documents, elections, participation, records

    return (participation.DATASETS + records.DATASETS[:-1] + elections.DATASETS + documents.DATASETS
            + records.DATASETS[-1:])


def dataset_by_slug(slug: str):
    return next((d for d in all_datasets() if d.slug == slug), None)
