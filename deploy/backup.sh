#!/bin/sh
# Back up Tandem: the PostgreSQL database (pg_dump, custom format) and the media folder
# (community-message attachments), as docs/deploy.md describes; tests/live/test_backup.py
# runs this script.
#
#   DATABASE_URL=postgres://tandem@127.0.0.1:5432/tandem MEDIA_ROOT=/srv/tandem/media \
#       deploy/backup.sh /var/backups/tandem
#
# DATABASE_URL_FILE may name a file holding the URL instead. PG_BIN names the directory of
# pg_dump when the one on PATH is older than the server (e.g. /usr/lib/postgresql/15/bin).
# The database is dumped first, then the files: every attachment the dump names is in the
# archive (a file uploaded in between is only an unused extra).
set -eu
dest=${1:?usage: backup.sh DIRECTORY}
url=${DATABASE_URL:-$(cat "${DATABASE_URL_FILE:?set DATABASE_URL or DATABASE_URL_FILE}")}
media=${MEDIA_ROOT:?set MEDIA_ROOT}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$dest"
"${PG_BIN:+$PG_BIN/}pg_dump" --format=custom --no-owner --no-privileges \
    --file="$dest/tandem-$stamp.dump" --dbname="$url"
mkdir -p "$media"
tar --create --gzip --file="$dest/media-$stamp.tar.gz" --directory="$media" .
echo "$dest/tandem-$stamp.dump"
echo "$dest/media-$stamp.tar.gz"
