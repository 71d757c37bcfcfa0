#!/usr/bin/env bash
# Dumps and restores the AI Hub PostgreSQL databases. The same script runs in the backup/restore Jobs (the chart's
# postgres image) and in the loopback tests. Passwords come from a libpq password file (PGPASSFILE), never argv.
#
#   pg.sh dump    <dir>                   dump every database of $AIHUB_DB_LIST in parallel into <dir>
#   pg.sh restore <dir> [--drop-existing] restore every dump in <dir>; a database that has tables is refused
#                                         unless --drop-existing (its objects are then replaced, in one transaction)
#
# $AIHUB_DB_LIST names a file with one database per line: `<name> <host> <port> <database> <user>`.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 2; }
now_ms() { date +%s%3N; }

# Checks the list in this shell (an error inside a process substitution would be lost), then prints it.
check_list() {
    [ -n "${AIHUB_DB_LIST:-}" ] || die "AIHUB_DB_LIST is not set (point it at a file of '<name> <host> <port> <database> <user>' lines)"
    [ -r "$AIHUB_DB_LIST" ] || die "AIHUB_DB_LIST=$AIHUB_DB_LIST is not a readable file"
    local fields
    while read -r -a fields; do
        [ ${#fields[@]} -eq 5 ] || die "$AIHUB_DB_LIST: '${fields[*]}' is not '<name> <host> <port> <database> <user>'"
    done < <(dblist)
    [ -n "$(dblist)" ] || die "$AIHUB_DB_LIST lists no database"
}
dblist() { grep -v '^[[:space:]]*\(#\|$\)' "$AIHUB_DB_LIST" || true; }

dump_one() { # name host port db user dir
    local name=$1 host=$2 port=$3 db=$4 user=$5 dir=$6 t0 t1
    t0=$(now_ms)
    echo "started $name $t0" >>"$dir/timeline"
    pg_dump --host="$host" --port="$port" --username="$user" --no-password --format=custom \
        --file="$dir/$name.dump.partial" "$db"
    mv "$dir/$name.dump.partial" "$dir/$name.dump"
    (cd "$dir" && sha256sum "$name.dump" >"$name.dump.sha256")
    t1=$(now_ms)
    echo "finished $name $t1" >>"$dir/timeline"
    echo "pg.sh: dumped $name ($db@$host:$port) in $((t1 - t0)) ms"
}

cmd_dump() {
    local dir=${1:-} pids=() names=() failed=0
    [ -n "$dir" ] || die "usage: pg.sh dump <dir>"
    check_list
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty (dump into a new directory; nothing is overwritten)"
    while read -r name host port db user; do
        dump_one "$name" "$host" "$port" "$db" "$user" "$dir" &
        pids+=($!)
        names+=("$name")
    done < <(dblist)
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || { echo "pg.sh: dump of ${names[$i]} failed" >&2; failed=1; }
    done
    [ $failed -eq 0 ] || exit 1
    touch "$dir/complete"
}

has_tables() { # host port db user
    local n
    n=$(psql --host="$1" --port="$2" --username="$4" --no-password --dbname="$3" -tAq -v ON_ERROR_STOP=1 \
        -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'")
    [ "$n" -gt 0 ]
}

cmd_restore() {
    local dir=${1:-} drop=${2:-} refused=0
    [ -n "$dir" ] || die "usage: pg.sh restore <dir> [--drop-existing]"
    [ -z "$drop" ] || [ "$drop" = "--drop-existing" ] || die "unknown option $drop (use --drop-existing)"
    check_list
    [ -f "$dir/complete" ] || die "$dir holds no complete dump (no 'complete' marker; pick another backup)"
    # Check everything before changing anything.
    while read -r name host port db user; do
        [ -f "$dir/$name.dump" ] || die "$dir has no dump of $name (the backup and AIHUB_DB_LIST disagree)"
        (cd "$dir" && sha256sum --quiet -c "$name.dump.sha256") || die "$dir/$name.dump is damaged (checksum mismatch)"
        if [ -z "$drop" ] && has_tables "$host" "$port" "$db" "$user"; then
            echo "pg.sh: database $db of $name has tables; restoring would replace them (add --drop-existing)" >&2
            refused=1
        fi
    done < <(dblist)
    [ $refused -eq 0 ] || exit 3
    while read -r name host port db user; do
        local t0
        t0=$(now_ms)
        pg_restore --host="$host" --port="$port" --username="$user" --no-password --dbname="$db" \
            --clean --if-exists --no-owner --single-transaction --exit-on-error "$dir/$name.dump"
        echo "pg.sh: restored $name ($db@$host:$port) in $(($(now_ms) - t0)) ms"
    done < <(dblist)
}

case "${1:-}" in
dump) shift; cmd_dump "$@" ;;
restore) shift; cmd_restore "$@" ;;
*) die "usage: pg.sh dump <dir> | pg.sh restore <dir> [--drop-existing]" ;;
esac
