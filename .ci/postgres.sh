#!/usr/bin/env bash
# A throwaway PostgreSQL server for the shared-study tuning test (README: tuning.storage).
#
#   .ci/postgres.sh install     Debian's `postgresql` package, if its binaries are missing
#                               (needs root: apt-get)
#   .ci/postgres.sh start DIR   initdb into DIR (once), start the server on 127.0.0.1 and a
#                               free port, create the database `optuna`; prints its URL
#   .ci/postgres.sh stop DIR    stop the server started there and remove its files
#
# Both `start` and `stop` are idempotent. The server runs as the `postgres` user when the
# caller is root (PostgreSQL refuses to run as root), else as the caller; as root its files
# lie in a folder of /tmp that `postgres` owns (DIR may be one it cannot enter), named in
# DIR/server.
set -euo pipefail

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  [ -n "$(bindir)" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "cannot install PostgreSQL: apt-get needs root" >&2
    return 3
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_dir() {  # where the server's files lie (made on first use)
  local dir=$1
  if [ "$(id -u)" != 0 ]; then
    echo "$dir"
  elif [ -f "$dir/server" ]; then
    cat "$dir/server"
  else
    mktemp -d /tmp/recunlearn-postgres.XXXXXX | tee "$dir/server"
  fi
}

start() {
  local dir=$1 bin srv port
  bin=$(bindir)
  if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed (run .ci/postgres.sh install as root)" >&2
    return 3
  fi
  mkdir -p "$dir"
  srv=$(server_dir "$dir")
  [ "$(id -u)" = 0 ] && chown postgres "$srv"
  if [ ! -f "$srv/data/PG_VERSION" ]; then
    as_owner sh -c "echo recunlearn > '$srv/pw'"
    as_owner "$bin/initdb" -D "$srv/data" -U recunlearn --pwfile="$srv/pw" \
      --auth-host=scram-sha-256 --auth-local=trust >"$dir/initdb.log"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$srv/data" status >/dev/null 2>&1; then
    port=$(free_port)
    echo "$port" >"$dir/port"
    as_owner "$bin/pg_ctl" -D "$srv/data" -l "$srv/server.log" -w start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$srv' \
          -c fsync=off -c full_page_writes=off -c synchronous_commit=off" >&2  # throwaway data
  fi
  port=$(cat "$dir/port")
  if ! as_owner "$bin/psql" -h "$srv" -p "$port" -U recunlearn -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'optuna'" | grep -q 1; then
    as_owner "$bin/createdb" -h "$srv" -p "$port" -U recunlearn optuna
  fi
  echo "postgresql://recunlearn:recunlearn@127.0.0.1:$port/optuna"
}

stop() {
  local dir=$1 bin srv
  bin=$(bindir)
  [ -n "$bin" ] && [ -d "$dir" ] || return 0
  srv=$(server_dir "$dir")
  if [ -f "$srv/data/PG_VERSION" ]; then
    as_owner "$bin/pg_ctl" -D "$srv/data" -m immediate -w stop >&2 || true
  fi
  [ "$srv" != "$dir" ] && rm -rf "$srv" "$dir/server"
  return 0
}

case ${1:-} in
  install) install ;;
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
