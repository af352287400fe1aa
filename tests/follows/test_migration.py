"""The migration to generic follows keeps the commitment follows, both ways, on both databases."""
import flask_migrate
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.follows.models import Follow
from tests.conftest import test_config as base_config
from tests.test_migrations import empty_database, keep_logging  # noqa: F401  (fixtures)

BEFORE = "c5e1a7d3b902"


def test_commitment_follows_survive_the_downgrade_and_the_upgrade(empty_database, tmp_path,  # noqa: F811
                                                                  keep_logging):  # noqa: F811
    from tests.progress.factories import World, make_commitment

    migrated = create_app(base_config(empty_database, tmp_path))
    with migrated.app_context():
        try:
            flask_migrate.upgrade()
            world = World()
            commitment = make_commitment(world)
            db.session.add_all([
                Follow(user_id=world.citizen.id, target_type="commitment", target_id=commitment.id),
                Follow(user_id=world.citizen.id, target_type="committee", target_id=world.committee.id),
            ])
            db.session.commit()
            ids = (commitment.id, world.citizen.id)
            db.session.remove()
            flask_migrate.downgrade(revision=BEFORE)
            with db.engine.connect() as conn:
                assert conn.execute(sa.text("SELECT commitment_id, user_id FROM follows")).all() == [ids]
            flask_migrate.upgrade()
            with db.engine.connect() as conn:
                assert conn.execute(sa.text(
                    "SELECT target_type, target_id, user_id FROM target_follows")).all() == [
                    ("commitment", *ids)]
        finally:
            db.session.remove()
            db.engine.dispose()
