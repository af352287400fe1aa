"""deploy/backup.sh then deploy/restore.sh give back every row and every uploaded file."""
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import create_pg_database, drop_pg_database, require_service
from tests.ops.pg import REPO, libpq_url, postgres_base_url, prepared_database

BACKUP = REPO / "deploy" / "backup.sh"
RESTORE = REPO / "deploy" / "restore.sh"


@pytest.fixture(scope="module")
def demo_backup(app, tmp_path_factory):
    """The demo plan in a fresh database and uploads directory, backed up once for all tests."""
    base = postgres_base_url()
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            require_service(f"{tool} (PostgreSQL client) is not on PATH")
    root = tmp_path_factory.mktemp("backup")
    uploads = root / "uploads-a"
    source = prepared_database(app, tmp_path_factory, uploads)
    try:
        made = run(BACKUP, str(root / "backups"), database_url=source, upload_dir=uploads)
        assert made.returncode == 0, made.stderr
        yield source, uploads, Path(made.stdout.strip().splitlines()[-1])
    finally:
        drop_pg_database(base, source)


@pytest.fixture
def target_database():
    base = postgres_base_url()
    url = create_pg_database(base)
    yield url
    drop_pg_database(base, url)


def run(script: Path, *args: str, database_url: str, upload_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, UPLOAD_DIR=str(upload_dir))
    return subprocess.run(["bash", str(script), *args], env=env, capture_output=True, text=True,
                          timeout=300)


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by its primary key (or by every column when it has none)."""
    contents = {}
    with psycopg.connect(libpq_url(url)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        for table in tables:
            key = [r[0] for r in conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)", (f'"{table}"',))]
            order = ", ".join(f'"{c}"' for c in key) if key else "1"
            if not key:
                width = conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description
                order = ", ".join(str(n + 1) for n in range(len(width)))
            contents[table] = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
    return contents


def sequence_values(url: str) -> dict[str, int | None]:
    with psycopg.connect(libpq_url(url)) as conn:
        return dict(conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))


def file_digests(directory: Path) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*")) if path.is_file()
    }


def test_a_restored_backup_is_identical_to_the_original(demo_backup, target_database, tmp_path):
    source, source_uploads, backup_dir = demo_backup
    target_uploads = tmp_path / "uploads-b"
    assert sorted(p.name for p in backup_dir.iterdir()) == [
        "SHA256SUMS", "database.dump", "uploads.tar.gz"]

    restored = run(RESTORE, str(backup_dir), database_url=target_database, upload_dir=target_uploads)
    assert restored.returncode == 0, restored.stderr

    original, copy = table_rows(source), table_rows(target_database)
    assert "alembic_version" in original and "users" in original
    assert sum(len(rows) for rows in original.values()) > 100  # the demo, not an empty schema
    assert sorted(copy) == sorted(original)
    for table in original:
        assert copy[table] == original[table], f"rows of {table} differ after restore"
    assert sequence_values(target_database) == sequence_values(source)  # new rows get new ids
    assert file_digests(source_uploads), "the demo wrote no upload to back up"
    assert file_digests(target_uploads) == file_digests(source_uploads)


def test_restore_refuses_a_database_that_has_tables_unless_forced(demo_backup, target_database,
                                                                  tmp_path):
    source, _, backup_dir = demo_backup
    uploads = tmp_path / "uploads"
    assert run(RESTORE, str(backup_dir), database_url=target_database,
               upload_dir=uploads).returncode == 0
    with psycopg.connect(libpq_url(target_database), autocommit=True) as conn:
        conn.execute("DELETE FROM audit_entries")  # a change the forced restore must undo
    before = table_rows(target_database)

    refused = run(RESTORE, str(backup_dir), database_url=target_database,
                  upload_dir=tmp_path / "empty")
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    assert table_rows(target_database) == before

    forced = run(RESTORE, str(backup_dir), "--force", database_url=target_database,
                 upload_dir=uploads)
    assert forced.returncode == 0, forced.stderr
    assert table_rows(target_database) == table_rows(source)


def test_restore_refuses_a_non_empty_upload_dir_unless_forced(demo_backup, target_database,
                                                              tmp_path):
    _, source_uploads, backup_dir = demo_backup
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "stale-file").write_text("left from before")

    refused = run(RESTORE, str(backup_dir), database_url=target_database, upload_dir=uploads)
    assert refused.returncode == 1 and "not empty" in refused.stderr
    assert table_rows(target_database) == {}

    forced = run(RESTORE, str(backup_dir), "--force", database_url=target_database,
                 upload_dir=uploads)
    assert forced.returncode == 0, forced.stderr
    assert file_digests(uploads) == file_digests(source_uploads)  # the stale file is gone


def test_a_damaged_backup_is_refused_before_anything_changes(demo_backup, target_database,
                                                             tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(demo_backup[2], damaged)
    with open(damaged / "uploads.tar.gz", "ab") as archive:
        archive.write(b"garbage")

    refused = run(RESTORE, str(damaged), database_url=target_database, upload_dir=tmp_path / "b")

    assert refused.returncode != 0
    assert table_rows(target_database) == {}
    assert not (tmp_path / "b").exists()
