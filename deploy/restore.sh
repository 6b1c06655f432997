#!/bin/sh
# Restore a backup made by deploy/backup.sh into an EMPTY database and media folder, as
# docs/deploy.md describes; tests/live/test_backup.py runs this script.
#
#   DATABASE_URL=postgres://tandem@127.0.0.1:5432/tandem MEDIA_ROOT=/srv/tandem/media \
#       deploy/restore.sh /var/backups/tandem/tandem-<stamp>.dump /var/backups/tandem/media-<stamp>.tar.gz
#
# Stop the web, worker and presence processes first. The database must exist and hold no
# tables (createdb, or DROP and CREATE it); it is restored in one transaction, so a
# failure leaves it empty. Then run `manage.py migrate` if the code is newer than the backup.
set -eu
dump=${1:?usage: restore.sh DUMP MEDIA_ARCHIVE}
archive=${2:?usage: restore.sh DUMP MEDIA_ARCHIVE}
url=${DATABASE_URL:-$(cat "${DATABASE_URL_FILE:?set DATABASE_URL or DATABASE_URL_FILE}")}
media=${MEDIA_ROOT:?set MEDIA_ROOT}
tables=$("${PG_BIN:+$PG_BIN/}psql" --no-psqlrc --tuples-only --no-align --dbname="$url" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
    echo "restore.sh: the database already has $tables tables; restore into an empty one." >&2
    exit 1
fi
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
    echo "restore.sh: $media is not empty; restore into an empty folder." >&2
    exit 1
fi
"${PG_BIN:+$PG_BIN/}pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$url" "$dump"
mkdir -p "$media"
tar --extract --gzip --file="$archive" --directory="$media"
