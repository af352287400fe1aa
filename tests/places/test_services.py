"""The catalogue of places: editing, the CSV import (all lines or none), permissions, the reads."""
import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.audit import AuditEntry
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.core.uow import savepoint
from app.extensions import db
from app.places import queries, services
from app.places.models import Place, PlaceKind
from app.places.services import importing
from tests.factories import (
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_places,
    make_plan,
    make_user,
)


@pytest.fixture
def plan():
    plan = make_plan()  # Durango, Gómez Palacio, Lerdo
    make_committee(plan, slug="centro")
    make_committee(plan, slug="norte")
    return plan


@pytest.fixture
def admin():
    return make_admin()


def names(plan) -> list[tuple[str, str | None, str | None]]:
    """(municipality, locality or None, committee slug or None) of the whole catalogue."""
    rows = []
    for m in queries.places_of(plan):
        rows.append((m.name, None, m.committee.slug if m.committee else None))
        rows += [(m.name, loc.name, loc.committee.slug if loc.committee else None)
                 for loc in m.localities]
    return rows


def audit(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == action))


def committee_id(plan, slug: str) -> int:
    return next(c.id for c in plan.committees if c.slug == slug)


# ---------------------------------------------------------------- one place at a time

def test_add_a_municipality_and_a_locality_with_their_committees(plan, admin):
    town = services.add_place(admin, plan, {"name": "  Nuevo   Ideal ", "kind": "municipality",
                                            "committee_id": committee_id(plan, "norte")})
    services.add_place(admin, plan, {"name": "La Joya", "kind": "locality", "parent_id": town.id,
                                     "committee_id": ""})

    assert ("Nuevo Ideal", None, "norte") in names(plan)
    assert ("Nuevo Ideal", "La Joya", None) in names(plan)
    assert audit("place.added") == 2


@pytest.mark.parametrize("data, field", [
    ({"name": "", "kind": "municipality"}, "name"),
    ({"name": "x" * 121, "kind": "municipality"}, "name"),
    ({"name": "durángo", "kind": "municipality"}, "name"),  # accents and case aside, it exists
    ({"name": "Centro", "kind": "locality"}, "parent_id"),
    ({"name": "Centro", "kind": "region"}, "kind"),
    ({"name": "Otro", "kind": "municipality", "committee_id": 999_999}, "committee_id"),
])
def test_bad_places_are_refused_on_their_field(plan, admin, data, field):
    with pytest.raises(ValidationError) as refused:
        services.add_place(admin, plan, data)
    assert refused.value.field == field


def test_a_committee_of_another_plan_is_refused(plan, admin):
    elsewhere = make_committee(make_plan())
    with pytest.raises(ValidationError):
        services.add_place(admin, plan, {"name": "Otro", "committee_id": elsewhere.id})


def test_two_municipalities_of_one_name_are_refused_by_the_database(plan):
    # parent_id is NULL for municipalities: NULLs are distinct in a plain unique constraint.
    with pytest.raises(sa.exc.IntegrityError), savepoint():
        db.session.add(Place(plan_id=plan.id, name="Lerdo", kind=PlaceKind.municipality))
        db.session.flush()


def test_a_municipality_named_by_accounts_is_neither_removed_nor_renamed(plan, admin):
    durango = queries.place_named(plan, "Durango")
    make_user()  # lives in Durango, as the admin does (make_user's municipality)

    with pytest.raises(InvalidTransition, match="2 cuentas"):
        services.remove_place(admin, durango)
    with pytest.raises(InvalidTransition):
        services.update_place(admin, durango, {"name": "Victoria"})
    services.update_place(admin, durango, {"name": "Durango", "committee_id": committee_id(plan, "centro")})

    assert ("Durango", None, "centro") in names(plan)


def test_removing_a_municipality_takes_its_localities(plan, admin):
    lerdo = queries.place_named(plan, "Lerdo")
    services.add_place(admin, plan, {"name": "Villa Juárez", "kind": "locality", "parent_id": lerdo.id})

    services.remove_place(admin, lerdo)

    assert [n for n in names(plan) if n[0] == "Lerdo"] == []
    assert db.session.scalar(sa.select(sa.func.count(Place.id)).where(Place.plan_id == plan.id)) == 2


def test_a_committee_covers_exactly_the_places_it_is_given(plan, admin):
    centro = next(c for c in plan.committees if c.slug == "centro")
    durango, lerdo = queries.place_named(plan, "Durango"), queries.place_named(plan, "Lerdo")
    services.set_committee_places(admin, centro, [str(durango.id), str(lerdo.id)])
    services.set_committee_places(admin, centro, [str(lerdo.id)])

    assert queries.municipalities_covered_by(centro) == ["Lerdo"]
    assert queries.committee_for_place(plan, "lerdo") == centro
    assert queries.committee_for_place(plan, "Durango") is None
    other = make_places(make_plan(), ["Mapimí"])[0]
    with pytest.raises(ValidationError):
        services.set_committee_places(admin, centro, [other.id])


@pytest.mark.parametrize("role", ["citizen", "organisation", "moderator", "unconfirmed admin"])
def test_only_a_confirmed_admin_keeps_the_catalogue(plan, role):
    actor = {
        "citizen": make_user,
        "organisation": make_organisation,
        "moderator": lambda: make_moderator(plan.committees[0]),
        "unconfirmed admin": lambda: make_user(Role.admin, confirmed=False),
    }[role]()
    lerdo = queries.place_named(plan, "Lerdo")
    for act in (lambda: services.add_place(actor, plan, {"name": "Otro"}),
                lambda: services.update_place(actor, lerdo, {"name": "Otro"}),
                lambda: services.remove_place(actor, lerdo),
                lambda: services.import_places_csv(actor, plan, "municipality,locality,committee\n"),
                lambda: services.set_committee_places(actor, plan.committees[0], [])):
        with pytest.raises(PermissionDenied):
            act()


# ---------------------------------------------------------------- the CSV import

GOOD = """municipality,locality,committee
Durango,,centro
Durango,Cinco de Mayo,norte
Mapimí,,
Mapimí,Bermejillo,centro
"""


def test_an_import_adds_places_sets_committees_and_says_how_many(plan, admin):
    counts = services.import_places_csv(admin, plan, GOOD)

    assert counts == {"added": 3, "updated": 1, "unchanged": 0}
    assert names(plan) == [
        ("Durango", None, "centro"), ("Durango", "Cinco de Mayo", "norte"),
        ("Gómez Palacio", None, None), ("Lerdo", None, None),
        ("Mapimí", None, None), ("Mapimí", "Bermejillo", "centro"),
    ]
    assert audit("places.imported") == 1


def test_importing_the_same_file_again_changes_nothing(plan, admin):
    services.import_places_csv(admin, plan, GOOD)
    before = names(plan)

    counts = services.import_places_csv(admin, plan, GOOD)

    assert counts == {"added": 0, "updated": 0, "unchanged": 4}
    assert names(plan) == before
    assert audit("places.imported") == 1  # nothing changed, nothing to record


def test_the_download_round_trips_through_the_import(plan, admin):
    services.import_places_csv(admin, plan, GOOD)
    exported = queries.places_csv(plan)

    assert exported.splitlines()[0] == "municipality,locality,committee"
    assert services.import_places_csv(admin, plan, exported)["added"] == 0
    assert queries.places_csv(plan) == exported


def test_a_byte_order_mark_and_crlf_line_ends_are_fine(plan, admin):
    counts = services.import_places_csv(admin, plan, "\ufeff" + GOOD.replace("\n", "\r\n"))
    assert counts["added"] == 3


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_written(plan, admin):
    bad = ("municipality,locality,committee\n"
           "Mapimí,,\n"
           ",Sin municipio,\n"
           "Nazas,,no-such-committee\n"
           "Mapimí,,\n"
           "Rodeo,uno,dos,tres\n"
           f"{'x' * 121},,\n")
    before = names(plan)

    with pytest.raises(ValidationError) as refused:
        services.import_places_csv(admin, plan, bad)

    lines = refused.value.details["errors"]["text"]
    assert [line.split(":")[0].split(" ")[:2] for line in lines] == [
        ["Línea", "3"], ["Línea", "4"], ["La", "línea"], ["Línea", "6"], ["Línea", "7"]]
    assert "no-such-committee" in lines[1] and "repite la línea 2" in lines[2]
    assert "5 problemas" in refused.value.message
    assert names(plan) == before


@pytest.mark.parametrize("text", ["", "Durango,,\n", "municipio,localidad,comite\nDurango,,\n"])
def test_the_header_is_required(plan, admin, text):
    with pytest.raises(ValidationError) as refused:
        services.import_places_csv(admin, plan, text)
    assert "municipality,locality,committee" in refused.value.details["errors"]["text"][0]


def test_rows_and_bytes_are_limited(plan, admin, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(ValidationError, match="1 problema"):
        services.import_places_csv(admin, plan, GOOD)
    monkeypatch.setattr(importing, "MAX_BYTES", 20)
    with pytest.raises(ValidationError) as refused:
        services.import_places_csv(admin, plan, GOOD)
    assert "MB" in refused.value.details["errors"]["text"][0]


# ---------------------------------------------------------------- reads

def test_municipality_choices_end_with_outside_the_jurisdiction(plan):
    choices = queries.municipality_choices(plan)

    assert choices[0][0] == ""
    assert [value for value, _label in choices[1:-1]] == ["Durango", "Gómez Palacio", "Lerdo"]
    assert choices[-1][0] == queries.outside_value(plan) == f"Fuera de {plan.name}"
    assert queries.municipality_choices(None) == choices[:1]


def test_a_place_added_meanwhile_refuses_the_import_and_writes_none_of_it(plan, admin, monkeypatch):
    read = importing._Catalogue.__init__

    def read_then_someone_adds_mapimi(self, plan_):
        read(self, plan_)  # the catalogue as it was; then a parallel request adds Mapimí
        db.session.add(Place(plan_id=plan_.id, name="Mapimí", kind=PlaceKind.municipality))
        db.session.flush()

    monkeypatch.setattr(importing._Catalogue, "__init__", read_then_someone_adds_mapimi)

    with pytest.raises(ValidationError, match="vuelve a importarlo"):
        services.import_places_csv(admin, plan, GOOD)

    assert queries.place_named(plan, "Durango").committee_id is None  # the file's line 1 undone
    assert [n for n in names(plan) if n[0] == "Mapimí"] == [("Mapimí", None, None)]
