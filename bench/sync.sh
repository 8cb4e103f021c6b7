#!/usr/bin/env bash
# sync.sh: how fast a pack travels.  Makes an archive of N record versions
# (SYNC_VERSIONS, default 100,000: events, each amended once) and M bytes
# of evidence (SYNC_BYTES, default 1 GiB of seeded pseudo-random bytes, in
# files of at most 256 MiB), then times, in the same run: `attest sync
# export` to a pinned peer and `attest sync import` there; and, as the
# peer, `tar | zstd` of the same content (the records as `export jsonl`
# writes them, and the evidence files in clear) and `zstd -d | tar x`;
# and that again with its files on disk, as the import's are when it
# returns (it syncs each file and its commit): `zstd -d | tar x; sync`.
# Each is timed SYNC_RUNS times (default 3), the peer and attest in turn
# (tar | zstd, export, zstd -d | tar x, import into a copy of the centre
# as it was), since a shared machine's speed drifts by a third within
# minutes: each run's ratios compare steps seconds apart.  Prints the
# median of each figure over the runs (wall and CPU time, MB/s and
# records/s), the load, and the median of the runs' ratios with their
# range (target: within 2x of the tar pipeline); and a command that only
# logs in (Argon2id), which every command, the import too, pays once.
# Smaller content:
# SYNC_VERSIONS=2000 SYNC_BYTES=67108864; SYNC_BYTES=0 times the records
# alone; SYNC_PAD=N lengthens each description by N characters (records
# whose rows outgrow a database page); SYNC_POINTS=1 gives each event a
# point on the map (the import then has the map's counts and dates to
# keep or make again); SYNC_KEEP=1 keeps the directory, with the centre
# as it was before the import in centre.before (copy it and import
# DIR/pack again to time one build against another).  SYNC_RUNS=1 for
# one of each.
# Also prints the bytes the import added to the centre's database, a
# version (each byte written is encrypted and authenticated once more).
set -euo pipefail
cd "$(dirname "$0")/.."

versions=${SYNC_VERSIONS:-100000}
bytes=${SYNC_BYTES:-$((1 << 30))}
records=$((versions / 2))
pad=${SYNC_PAD:-0}
points=${SYNC_POINTS:-0}
runs=${SYNC_RUNS:-3}
attest=${ATTEST_BIN:-$PWD/build/attest}
[ -n "${ATTEST_BIN:-}" ] || make -s build/attest

dir=$(mktemp -d /tmp/attest-bench-sync.XXXXXX)
trap '[ -n "${SYNC_KEEP:-}" ] || rm -rf "$dir"' EXIT
printf 'FICTIONAL bench passphrase\n' >"$dir/pass"
export ATTEST_USER=bench ATTEST_PASSPHRASE_FD=3
exec 3<"$dir/pass"
at() { local a=$1; shift; "$attest" -A "$dir/$a" "$@"; }
now() { date +%s%N; }

for a in field centre; do "$attest" init "$dir/$a" --kdf interactive 2>/dev/null; done

# N/2 events, then a second version of each: N versions.
python3 - "$records" "$pad" "$points" >"$dir/records.jsonl" <<'PY'
import json, sys
pad = ("FICTIONAL padding of a longer account. " * (int(sys.argv[2]) // 39 + 1))[:int(sys.argv[2])]
for i in range(int(sys.argv[1])):
    data = {"title": "FICTIONAL DEMO DATA event %d at the market" % i, "date": "%d" % (1990 + i % 30),
            "description": "FICTIONAL DEMO DATA: a bench record, number %d, nothing real" % i + pad}
    if sys.argv[3] != "0":
        # Spread over the peninsula's box, on a grid no one surveyed.
        data["lat"] = round(37.7 + (i * 7919 % 10007) / 10007 * 5.3, 5)
        data["lon"] = round(124.2 + (i * 104729 % 10009) / 10009 * 6.1, 5)
    print(json.dumps({"type": "event", "data": data}))
PY
at field import jsonl "$dir/records.jsonl" 2>/dev/null
at field export jsonl -o "$dir/v1.jsonl"
python3 - "$dir/v1.jsonl" >"$dir/v2.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    d["version"] = 2
    d["reason"] = "FICTIONAL second version"
    d["data"]["title"] += " (amended)"
    d.pop("origin", None)
    print(json.dumps(d))
PY
at field import jsonl "$dir/v2.jsonl" 2>/dev/null

mkdir -p "$dir/files"
left=$bytes n=0
while [ "$left" -gt 0 ]; do
    size=$(( left > (256 << 20) ? (256 << 20) : left ))
    head -c "$size" /dev/zero | openssl enc -aes-256-ctr -pass pass:attest-bench-sync-$n \
        -nosalt -pbkdf2 >"$dir/files/evidence-$n.bin"
    left=$((left - size)) n=$((n + 1))
done
for f in "$dir"/files/*; do [ -e "$f" ] && at field evidence add "$f" >/dev/null 2>&1; done
at field peers add centre "$(at centre key show | tail -1)"
at centre peers add field "$(at field key show | tail -1)"
at field export jsonl -o "$dir/all.jsonl"
content=$(( $(stat -c %s "$dir/all.jsonl") + bytes ))

# Wall time, and CPU time (user + system) of the children between two
# points, from the shell's own `times` (run here, not in a subshell: a
# subshell's children are its own).
# Each timed step starts with the disk's queue empty (sync, untimed): the
# files the steps before it wrote (3 GiB at the default size) would
# otherwise be written back while it runs, and count against it.
mark() { times >"$dir/times.$1"; echo "$(now)" >"$dir/wall.$1"; }
settle() { sync; times >"$dir/times.$1"; echo "$(now)" >"$dir/wall.$1"; }
cpu_ms() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
                          printf "%d\n", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * 1000 }' "$dir/times.$1"; }
wall() { echo $(( ($(cat "$dir/wall.$2") - $(cat "$dir/wall.$1")) / 1000000 )); }
cpu() { echo $(( $(cpu_ms "$2") - $(cpu_ms "$1") )); }
ratio() { # ratio OURS THEIRS: OURS as a percentage of THEIRS
    echo $(( $1 * 100 / ($2 > 0 ? $2 : 1) ))
}
# The median of the numbers given (of an even count, the lower middle one).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo " to " hi }'; }
load0=$(cut -d' ' -f1-3 /proc/loadavg)

db_bytes() { cat "$dir/centre/attest.db" "$dir/centre/attest.db-wal" 2>/dev/null | wc -c || true; }
db0=$(db_bytes)
cp -a "$dir/centre" "$dir/centre.before"
cp "$dir/all.jsonl" "$dir/files/records.jsonl"
# Per run: the figures of each step (wall ms, CPU ms), by name.
declare -A w c
for r in $(seq "$runs"); do
    # The peer: the same content through tar and zstd, and back.
    settle 0; tar -C "$dir/files" -cf - . | zstd -q -1 -T1 -f -o "$dir/content.tar.zst"; mark 1
    settle 3; at field sync export --to centre --output "$dir/pack" 2>"$dir/export.log"; mark 4
    rm -rf "$dir/untar"; mkdir "$dir/untar"
    settle 1b; zstd -q -d -c "$dir/content.tar.zst" | tar -C "$dir/untar" -xf -; mark 2; sync; mark 2s
    rm -rf "$dir/untar" "$dir/centre"; cp -a "$dir/centre.before" "$dir/centre"
    settle 4b; at centre sync import "$dir/pack" 2>"$dir/import.log"; mark 5
    # Each command logs in (Argon2id, the archives' --kdf interactive), as
    # a person does once per command: timed alone (a mark read) to be seen
    # apart.
    at centre sync mark >/dev/null; mark 6
    for step in "out 0 1" "in 1b 2" "insync 1b 2s" "export 3 4" "import 4b 5" "login 5 6"; do
        set -- $step
        w[$1]+=" $(wall "$2" "$3")"; c[$1]+=" $(cpu "$2" "$3")"
    done
    w[xout]+=" $(ratio "$(wall 3 4)" "$(wall 0 1)")"; c[xout]+=" $(ratio "$(cpu 3 4)" "$(cpu 0 1)")"
    w[xin]+=" $(ratio "$(wall 4b 5)" "$(wall 1b 2)")"; c[xin]+=" $(ratio "$(cpu 4b 5)" "$(cpu 1b 2)")"
    w[xinsync]+=" $(ratio "$(wall 4b 5)" "$(wall 1b 2s)")"
    c[xbare]+=" $(ratio "$(( $(cpu 4b 5) - $(cpu 5 6) ))" "$(cpu 1b 2)")"
done
rm -f "$dir/files/records.jsonl"
[ -n "${SYNC_KEEP:-}" ] || rm -rf "$dir/centre.before"
load1=$(cut -d' ' -f1-3 /proc/loadavg)
db1=$(db_bytes)
got=$(at centre sync mark >/dev/null && "$attest" -A "$dir/centre" list --json 2>/dev/null \
      | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
if [ "$got" != "$records" ]; then
    echo "sync: the centre holds $got records, not $records" >&2
    cat "$dir/import.log" >&2
    exit 1
fi

row() { # row NAME STEP NOTE: the step's medians
    local ms cpu; ms=$(median ${w[$2]}); cpu=$(median ${c[$2]}); [ "$ms" -gt 0 ] || ms=1
    printf '%-20s %7d ms %7d ms CPU %6d MB/s %8d records/s  %s\n' "$1" "$ms" "$cpu" \
        $(( content / 1000 / ms )) $(( versions * 1000 / ms )) "$3"
}
against() { # against RATIOS THEIRS: the note of a step against the peer's
    echo "$(median ${w[$1]})% of $2's wall time ($(range ${w[$1]})), $(median ${c[$1]})% of its CPU ($(range ${c[$1]})) (target <= 200%)"
}
echo "content: $versions record versions ($records records), $((bytes >> 20)) MiB of evidence in $n files;" \
     "pack $(( $(stat -c %s "$dir/pack") >> 20 )) MiB, tar.zst $(( $(stat -c %s "$dir/content.tar.zst") >> 20 )) MiB"
echo "load average (1, 5, 15 min): $load0 before, $load1 after; $(nproc) CPUs;" \
     "medians of $runs runs, each the peer and attest in turn"
row "tar | zstd -1" out "the peer, out"
row "zstd -d | tar x" in "the peer, in"
row "... ; sync" insync "the peer, in, its files on disk as the import's are"
row "attest sync export" export "$(against xout "tar | zstd")"
row "attest sync import" import "$(against xin "zstd -d | tar x")"
echo "                     and $(median ${w[xinsync]})% of zstd -d | tar x; sync's wall time ($(range ${w[xinsync]}))"
echo "the centre's database grew by $(( (db1 - db0) >> 10 )) KiB: $(( (db1 - db0) / versions )) bytes a record version"
printf '%-20s %7d ms %7d ms CPU  a command that only logs in and reads the mark; the import less it: %d%% of zstd -d | tar x'"'"'s CPU\n' \
    "attest login alone" "$(median ${w[login]})" "$(median ${c[login]})" "$(median ${c[xbare]})"
