#!/usr/bin/env bash
# A throwaway Postgres for `concner runner --cluster` (trying it out, tests):
#   scripts/postgres.sh start DIR PORT   initdb into DIR (first time), start on 127.0.0.1:PORT, print the URL
#   scripts/postgres.sh stop DIR         stop it (DIR can then be deleted)
#   scripts/postgres.sh bin              print the folder holding initdb and pg_ctl (exit 1 if none)
# Trust authentication on loopback only: not for a shared machine. Debian's `postgresql` package
# installs the binaries under /usr/lib/postgresql/<version>/bin. initdb refuses to run as root,
# so as root the server runs as the `postgres` user (created if absent) and DIR is handed to it.
set -euo pipefail

bin_dir() {
  local d
  for d in /usr/local/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

usage() {
  echo "usage: $0 start DIR PORT | stop DIR | bin" >&2
  exit 2
}

# Runs "$@" as the server's owner: the `postgres` user when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd="${1:-}"
case "$cmd" in
  bin)
    bin_dir || { echo "no postgres binaries (install Debian's postgresql)" >&2; exit 1; }
    ;;
  start)
    [ $# -eq 3 ] || usage
    dir="$(realpath -m "$2")"
    port="$3"
    bin="$(bin_dir)" || { echo "no postgres binaries (install Debian's postgresql)" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
      chown postgres "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -h 127.0.0.1 -k $dir -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ $# -eq 2 ] || usage
    dir="$(realpath -m "$2")"
    bin="$(bin_dir)" || exit 1
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  *) usage ;;
esac
