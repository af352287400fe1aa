#!/usr/bin/env bash
# Back up Cocrea: the PostgreSQL database (pg_dump custom format) and the uploads directory.
#
#   DATABASE_URL=postgresql://cocrea@db/cocrea UPLOAD_DIR=/srv/cocrea/uploads deploy/backup.sh /srv/backups
#
# Writes DEST/cocrea-<UTC timestamp>/{database.dump,uploads.tar.gz,SHA256SUMS} and prints that
# directory. The database is dumped first and the files second: a file uploaded in between is an
# unreferenced extra in the backup, never a missing one (files are written before their row).
set -euo pipefail
umask 077  # the dump holds personal data

dest="${1:?usage: backup.sh DESTINATION_DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
upload_dir="${UPLOAD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/instance/uploads}"

# libpq does not understand SQLAlchemy's driver suffix (postgresql+psycopg://).
db_url="${DATABASE_URL/postgresql+psycopg:\/\//postgresql://}"
case "$db_url" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac
case "$upload_dir" in
  /*) ;;
  *) echo "backup.sh: UPLOAD_DIR must be an absolute path" >&2; exit 2 ;;
esac

target="$dest/cocrea-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target.partial"
trap 'rm -rf "$target.partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --file="$target.partial/database.dump" --dbname="$db_url"

mkdir -p "$upload_dir"
# Numeric owners and sorted names: the same files give the same archive listing everywhere.
tar --create --gzip --numeric-owner --sort=name --file="$target.partial/uploads.tar.gz" \
  --directory="$upload_dir" .

(cd "$target.partial" && sha256sum database.dump uploads.tar.gz > SHA256SUMS)
mv "$target.partial" "$target"
trap - EXIT
echo "$target"
