"""Descriptions of the datasets for machines: a DCAT catalogue (JSON-LD) and Table Schemas."""
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.opendata.schema import Dataset, json_value
from app.plans.queries import guarantor, open_data_licence

TABLE_SCHEMA_TYPES = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean",
                      "date": "date", "datetime": "datetime", "json": "any"}


def licence() -> dict:
    return open_data_licence()


def _language() -> str:
    return str(get_locale() or "es_MX").replace("_", "-")


def json_header(dataset: Dataset, generated_at) -> dict:
    return {
        "dataset": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "generated_at": json_value(generated_at),
        "licence": licence(),
        "publisher": guarantor().name,
        "schema": url_for("opendata.table_schema", slug=dataset.slug, _external=True),
    }


def table_schema(dataset: Dataset) -> dict:
    return {
        "name": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "primaryKey": "id",
        "fields": [
            {
                "name": column.name,
                "type": TABLE_SCHEMA_TYPES[column.type],
                "description": str(column.meaning),
                "constraints": {"required": not column.nullable},
            }
            for column in dataset.columns
        ],
    }


def _files(csv_endpoint: str, json_endpoint: str, **values) -> list[dict]:
    """A dataset's two downloads, CSV and JSON, as DCAT distributions."""
    return [
        {
            "@type": "dcat:Distribution",
            "dct:format": fmt,
            "dcat:mediaType": media,
            "dcat:downloadURL": url_for(endpoint, **values, _external=True),
            "dct:license": licence()["url"] or licence()["name"],
        }
        for fmt, media, endpoint in (("CSV", "text/csv", csv_endpoint),
                                     ("JSON", "application/json", json_endpoint))
    ]


def dcat_catalog(datasets, generated_at, standards_plans=()) -> dict:
    """The catalogue of `datasets` and of the co-creation standards of each plan in
    `standards_plans` (the published ones)."""
    publisher = {
        "@type": "foaf:Organization",
        "foaf:name": guarantor().name,
        "foaf:mbox": "mailto:" + guarantor().email,
    }
    language = _language()
    modified = json_value(generated_at)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": url_for("opendata.catalog", _external=True),
        "@type": "dcat:Catalog",
        "dct:title": current_app.config["SITE_NAME"],
        "dct:language": language,
        "dct:publisher": publisher,
        "dct:license": licence()["url"] or licence()["name"],
        "dct:modified": modified,
        "foaf:homepage": url_for("opendata.index", _external=True),
        "dcat:dataset": [
            {
                "@id": url_for("opendata.dataset", slug=d.slug, _external=True),
                "@type": "dcat:Dataset",
                "dct:identifier": d.slug,
                "dct:title": str(d.title),
                "dct:description": str(d.description),
                "dct:publisher": publisher,
                "dct:license": licence()["url"] or licence()["name"],
                "dct:modified": modified,
                "dct:language": language,
                "dcat:landingPage": url_for("opendata.dataset", slug=d.slug, _external=True),
                "dct:conformsTo": url_for("opendata.table_schema", slug=d.slug, _external=True),
                "dcat:distribution": _files("opendata.download_csv", "opendata.download_json",
                                            slug=d.slug) + [{
                    "@type": "dcat:Distribution",
                    "dct:format": "JSON",
                    "dcat:mediaType": "application/json",
                    "dcat:accessURL": url_for("api.list_items", slug=d.slug, _external=True),
                    "dct:title": "API",
                }],
            }
            for d in datasets
        ] + [_standards_dataset(plan, publisher, language, modified) for plan in standards_plans],
    }


def _standards_dataset(plan, publisher: dict, language: str, modified: str) -> dict:
    """A plan's co-creation standards figures (app/standards): computed from the platform's data
    when downloaded, one dataset per published plan."""
    return {
        "@id": url_for("standards.show", plan_id=plan.id, _external=True),
        "@type": "dcat:Dataset",
        "dct:identifier": f"standards-plan-{plan.id}",
        "dct:title": str(_("Co-creation standards: %(plan)s", plan=plan.name)),
        "dct:description": str(_("How the plan meets the minimum requirements of OGP's Participation and "
                                 "Co-Creation Standards, computed from the platform's own data when "
                                 "downloaded: each figure, whether it is met, and how many items fall short.")),
        "dct:publisher": publisher,
        "dct:license": licence()["url"] or licence()["name"],
        "dct:modified": modified,
        "dct:language": language,
        "dcat:landingPage": url_for("standards.show", plan_id=plan.id, _external=True),
        "dcat:distribution": _files("standards.as_csv", "standards.as_json", plan_id=plan.id),
    }
