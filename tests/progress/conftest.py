"""Fixtures of the progress tests: a world of people, and an uploads directory per test."""
import pytest

from tests.progress.factories import World


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


@pytest.fixture
def uploads(app, tmp_path):
    """UPLOAD_DIR in the test's own directory; the previous configuration is restored after."""
    directory = tmp_path / "uploads"
    saved = {key: app.config.get(key, KeyError) for key in ("UPLOAD_DIR", "UPLOAD_MAX_BYTES")}
    app.config["UPLOAD_DIR"] = str(directory)
    yield directory
    for key, value in saved.items():
        if value is KeyError:
            app.config.pop(key, None)
        else:
            app.config[key] = value
