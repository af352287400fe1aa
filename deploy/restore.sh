#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into DATABASE_URL and UPLOAD_DIR.
#
#   DATABASE_URL=postgresql://cocrea@db/cocrea UPLOAD_DIR=/srv/cocrea/uploads \
#     deploy/restore.sh /srv/backups/cocrea-20261126T031500Z [--force]
#
# Stop the web workers and the mail sender first. Without --force it refuses a database that
# already has tables or an uploads directory that already has files, so that a mistyped
# DATABASE_URL cannot overwrite a live site; with --force both are replaced.
set -euo pipefail

backup="${1:?usage: restore.sh BACKUP_DIRECTORY [--force]}"
force="${2:-}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to restore into}"
upload_dir="${UPLOAD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/instance/uploads}"

db_url="${DATABASE_URL/postgresql+psycopg:\/\//postgresql://}"
case "$db_url" in
  postgres://*|postgresql://*) ;;
  *) echo "restore.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac
case "$upload_dir" in
  /*) ;;
  *) echo "restore.sh: UPLOAD_DIR must be an absolute path" >&2; exit 2 ;;
esac

# A damaged or partial copy stops here, before anything is changed.
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$db_url" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ] && [ "$force" != "--force" ]; then
  echo "restore.sh: the database already has $tables tables; add --force to replace them" >&2
  exit 1
fi
if [ -d "$upload_dir" ] && [ -n "$(ls -A "$upload_dir")" ] && [ "$force" != "--force" ]; then
  echo "restore.sh: $upload_dir is not empty; add --force to replace its files" >&2
  exit 1
fi

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$db_url" "$backup/database.dump"

# Into a fresh directory first, then swapped in: a failed extraction leaves the old files.
parent="$(dirname "$upload_dir")"
mkdir -p "$parent"
staging="$(mktemp -d "$parent/.restore-uploads.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
tar --extract --gzip --numeric-owner --file="$backup/uploads.tar.gz" --directory="$staging"
if [ -d "$upload_dir" ]; then
  rm -rf "$upload_dir.old"
  mv "$upload_dir" "$upload_dir.old"
fi
mv "$staging" "$upload_dir"
trap - EXIT
rm -rf "$upload_dir.old"
echo "restored $backup into the database and $upload_dir"
