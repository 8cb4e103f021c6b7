#!/usr/bin/env bash
# test_tamper.sh: `attest verify` catches every kind of tampering and names
# what was changed.  One sound archive is built (the fictional demo records,
# a sealed identity, a protection officer, two evidence files with custody
# events); each case changes one thing in a fresh copy of it, directly in
# the database or the vault, and expects verify to exit 1 with a message
# that names the record, log entry, tree head, vault file or user.  Also:
# a wrong passphrase, a truncated vault file and a missing vault file give
# clear errors and change nothing.
. "$(dirname "$0")/lib.sh"
tmp=$T
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
plan 44

printf 'FICTIONAL test passphrase\n' >"$tmp/pass"
printf 'FICTIONAL officer passphrase\n' >"$tmp/opass"
printf 'FICTIONAL wrong passphrase\n' >"$tmp/wrong"
export ATTEST_PASSPHRASE_FD=3 ATTEST_USER=admin

# at ARCHIVE ARGS...: runs attest as the admin on ARCHIVE.
at() { local a=$1; shift; "$ATTEST_BIN" -A "$a" "$@" 3<"$tmp/pass"; }
# sql ARCHIVE STATEMENTS: runs SQL on the archive's (encrypted) database.
sql() { "$ATTEST_SQL" "$1" "$2" 3<"$tmp/pass"; }
# flip_blob ARCHIVE TABLE COLUMN WHERE OFFSET: flips the low bit of one
# byte (0-based OFFSET) of a blob column in the rows WHERE selects.
flip_blob() {
    local b
    b=$(sql "$1" "SELECT hex(substr($3, $5 + 1, 1)) FROM $2 WHERE $4")
    b=$(printf %02X $((0x$b ^ 1)))
    sql "$1" "UPDATE $2 SET $3 = CAST(substr($3, 1, $5) || X'$b' || substr($3, $5 + 2) AS BLOB)
              WHERE $4"
}
# flip_file FILE OFFSET: flips one bit of the byte at OFFSET in FILE.
flip_file() {
    python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x20]))' "$1" "$2"
}

# ---- the sound archive -----------------------------------------------------
base=$tmp/base
setup() {
    at "$base" init "$base" --kdf interactive 2>/dev/null || return 1
    at "$base" import jsonl "$ROOT/demo/fictional.jsonl" 2>/dev/null || return 1
    at "$base" user add olga --role officer --new-passphrase-fd 4 --kdf interactive \
        4<"$tmp/opass" 2>/dev/null || return 1
    printf '{"real_name":"FICTIONAL Person Tamper","notes":"FICTIONAL"}' \
        | at "$base" witness identity wt-fake00000001 --file - 2>/dev/null || return 1
    head -c 2500000 /dev/urandom >"$tmp/ev1.bin"
    head -c 70001 /dev/urandom >"$tmp/ev2.bin"
    at "$base" evidence add "$tmp/ev1.bin" "$tmp/ev2.bin" --interview iv-fake00000001 \
        >"$tmp/ids" 2>/dev/null || return 1
    ev1=$(sed -n 1p "$tmp/ids") ev2=$(sed -n 2p "$tmp/ids")
    at "$base" custody add "$ev1" --action received --from "FICTIONAL field team" \
        --how "hand delivery" 2>/dev/null || return 1
    at "$base" custody add "$ev1" --action copied --note FICTIONAL 2>/dev/null || return 1
    at "$base" custody add "$ev2" --action handed_over --to "FICTIONAL partner" 2>/dev/null || return 1
    name1=$(sql "$base" "SELECT name FROM vault_item WHERE id = '$ev1'")
    name2=$(sql "$base" "SELECT name FROM vault_item WHERE id = '$ev2'")
    [ -n "$name1" ] && [ -n "$name2" ]
}
if ! setup; then
    not_ok "tamper: building the archive"
    exit 1
fi
if at "$base" verify >"$tmp/out" 2>&1; then
    ok "tamper: a sound archive verifies"
else
    not_ok "tamper: a sound archive verifies" "$(cat "$tmp/out")"
    exit 1
fi

# case NAME PATTERN COMMANDS: copies the archive to $copy, runs COMMANDS
# (a shell snippet that may use $copy, sql, $ev1, $ev2, $name1, $name2),
# then expects verify to fail with a message matching PATTERN (grep -E).
case_n=0
tamper() {
    local name=$1 pattern=$2 snippet=$3 out status
    case_n=$((case_n + 1))
    copy=$tmp/case$case_n
    cp -a "$base" "$copy"
    if ! eval "$snippet" >"$tmp/setup.out" 2>&1; then
        not_ok "tamper: $name" "the tampering itself failed: $(cat "$tmp/setup.out")"
        return
    fi
    out=$(at "$copy" verify 2>&1); status=$?
    if [ $status -ne 1 ]; then
        not_ok "tamper: $name" "verify exited $status, want 1" "$out"
    elif ! grep -Eq -- "$pattern" <<<"$out"; then
        not_ok "tamper: $name" "the message does not match /$pattern/" "$out"
    else
        ok "tamper: $name"
        [ -z "${VERBOSE:-}" ] || echo "    $out"
    fi
    chmod -R u+w "$copy"; rm -rf "$copy"
}

# The vault file format's header and chunk sizes: a cut between two
# chunks leaves only authentic chunks, and must still be caught.
header=48 stride=$(((1 << 20) + 16))

# The record most tampering below touches, and its log entry.
rec=wt-fake00000002
rec_seq=$(sql "$base" "SELECT log_seq FROM record_version WHERE id = '$rec'")
other_seq=$(sql "$base" "SELECT log_seq FROM record_version WHERE id = 'iv-fake00000001'")

tamper "one byte of a record version's text" "record $rec version 1 .*log entry $rec_seq" \
    'sql "$copy" "UPDATE record_version SET doc = replace(doc, \"Onsong\", \"Onsonh\") WHERE id = '"'$rec'"'"'

tamper "one byte of a record version and of its current view" "record $rec version 1" \
    'sql "$copy" "UPDATE record_version SET doc = replace(doc, \"1965\", \"1966\") WHERE id = '"'$rec'"';
                  UPDATE record_current SET doc = replace(doc, \"1965\", \"1966\") WHERE id = '"'$rec'"'"'

tamper "a record's only version renumbered" "record $rec: version 2 has no version 1" \
    'sql "$copy" "UPDATE record_version SET version = 2 WHERE id = '"'$rec'"'"'

tamper "a record's current view changed" "record $rec: the current view differs from its version 1" \
    'sql "$copy" "UPDATE record_current SET doc = replace(doc, \"Onsong\", \"Onsonh\") WHERE id = '"'$rec'"'"'

tamper "a record's current view deleted" "record $rec: the current view differs from its version 1" \
    'sql "$copy" "DELETE FROM record_current WHERE id = '"'$rec'"'"'

tamper "a record's clearance lowered in the current view" \
    "record ev-fake00000001: the current view's clearance, type, version or retraction differ" \
    'sql "$copy" "UPDATE record_current SET clearance = 0 WHERE id = '"'ev-fake00000001'"'"'

tamper "a record's version column changed in the current view" \
    "record ev-fake00000001: the current view's clearance, type, version or retraction differ" \
    'sql "$copy" "UPDATE record_current SET version = 7 WHERE id = '"'ev-fake00000001'"'"'

tamper "a point's clearance lowered in the spatial index" "the spatial index's record, type or clearance differ" \
    'n=$(sql "$copy" "SELECT id FROM geo_rtree WHERE clearance > 0 LIMIT 1");
     sql "$copy" "UPDATE geo_rtree SET clearance = 0 WHERE id = $n"'

# The map's derived tables: a count, a point in grid order, a point's values
# and dates.
key="level, y, x, type, clearance, site_type, confidence, province"
tamper "a map count raised" \
    "layer_count: level 14 cell [0-9]+,[0-9]+, [a-z]+ of clearance [0-9] \(.*\) holds ([0-9]+), the records give [0-9]+" \
    'sql "$copy" "UPDATE layer_count SET n = n + 1 WHERE ($key) = (SELECT $key FROM layer_count WHERE level = 14 LIMIT 1)"'
tamper "a map count deleted" "layer_count: level 3 cell .* holds 0, the records give [1-9]" \
    'sql "$copy" "DELETE FROM layer_count WHERE level = 3"'
tamper "a point moved in the grid-ordered points" "geo_point: the point of record [a-z]+-fake[0-9]+ \(row [0-9]+\) is not the point the records give" \
    'sql "$copy" "UPDATE geo_point SET lat = lat + 0.001 WHERE id = (SELECT min(id) FROM geo_point)"'
tamper "a point deleted from the grid-ordered points" "geo_point: the point of record [a-z]+-fake[0-9]+ \(row [0-9]+\) is missing" \
    'sql "$copy" "DELETE FROM geo_point WHERE id = (SELECT min(id) FROM geo_point)"'
tamper "a point's map values changed" "layer_value: record [a-z]+-fake[0-9]+: the values the map counts it by differ" \
    'sql "$copy" "UPDATE layer_value SET province = '"'FICTIONAL'"' WHERE id = (SELECT min(id) FROM layer_value)"'
tamper "a point's map dates changed" "layer_date: record [a-z]+-fake[0-9]+: the dates the map filters it by differ" \
    'sql "$copy" "UPDATE layer_date SET hi = hi + 1 WHERE id = (SELECT min(id) FROM layer_date)"'
tamper "a point's map dates deleted" "layer_date: record [a-z]+-fake[0-9]+: the dates the map filters it by differ" \
    'sql "$copy" "DELETE FROM layer_date WHERE id = (SELECT max(id) FROM layer_date)"'
tamper "a map count by dates changed" \
    "layer_count: level [0-9]+ cell [0-9]+,[0-9]+, [a-z]+ of clearance [0-9] \(.*, dates term [0-9]+\.\.[0-9]+ counted \+1\) holds [0-9]+, the records give [0-9]+" \
    'sql "$copy" "UPDATE layer_count SET n = n + 1 WHERE ($key, lo, hi, sign) = (SELECT $key, lo, hi, sign FROM layer_count WHERE level >= 64 LIMIT 1)"'
# ... and `attest rebuild` mends them.
copy=$tmp/mend
cp -a "$base" "$copy"
sql "$copy" "UPDATE layer_count SET n = n + 1 WHERE level = 5; DELETE FROM geo_point WHERE id = (SELECT min(id) FROM geo_point); DELETE FROM layer_date" >/dev/null
if ! at "$copy" verify >/dev/null 2>&1 && at "$copy" rebuild >/dev/null 2>&1 \
   && at "$copy" verify >"$tmp/out" 2>&1; then
    ok "tamper: attest rebuild mends the map's tables, and verify passes after"
else
    not_ok "tamper: attest rebuild mends the map's tables, and verify passes after" "$(cat "$tmp/out")"
fi
chmod -R u+w "$copy"; rm -rf "$copy"

tamper "a version's type column changed" "record $rec version 1: its id, version or type columns differ" \
    'sql "$copy" "UPDATE record_version SET type = '"'event'"' WHERE id = '"'$rec'"'"'

tamper "a log entry's leaf" "log entry $rec_seq" \
    'sql "$copy" "UPDATE log_entry SET leaf = X'"'$(printf '%064d' 7)'"' WHERE seq = $rec_seq"'

tamper "a tree head's root" "tree head 3 .*root" \
    'sql "$copy" "UPDATE tree_head SET root = X'"'$(printf '%064d' 0)'"' WHERE seq = 3"'

tamper "one byte of a tree head's signature" "tree head 2 .*signature" \
    'flip_blob "$copy" tree_head signature "seq = 2" 10'

tamper "one byte of a vault file" "$ev1.*$name1|$name1.*$ev1" \
    'chmod u+w "$copy/vault/$name1"; flip_file "$copy/vault/$name1" 5000'

tamper "a truncated vault file" "$ev2.*$name2|$name2.*$ev2" \
    'f=$copy/vault/$name2; chmod u+w "$f"; truncate -s 65536 "$f"'

tamper "a vault file cut at a chunk boundary" "$ev1.*$name1|$name1.*$ev1" \
    'f=$copy/vault/$name1; chmod u+w "$f"; truncate -s $((header + 2 * stride)) "$f"'

tamper "a missing vault file" "$ev2.*$name2.*missing" \
    'rm -f "$copy/vault/$name2"'

tamper "a deleted log entry" "log entry $rec_seq is missing" \
    'sql "$copy" "DELETE FROM log_entry WHERE seq = $rec_seq"'

last_seq=$(sql "$base" "SELECT max(seq) FROM log_entry")
tamper "the newest log entry deleted" "log entry $last_seq, which is not in the log" \
    'sql "$copy" "DELETE FROM log_entry WHERE seq = (SELECT max(seq) FROM log_entry)"'

tamper "the newest log entry, its item and its heads deleted" "log entry|tree node|custody|$ev2" \
    'n=$(sql "$copy" "SELECT max(seq) FROM log_entry");
     sql "$copy" "DELETE FROM log_entry WHERE seq = $n; DELETE FROM log_item WHERE seq = $n;
                  DELETE FROM tree_head WHERE size >= $n"'

tamper "two log entries' leaves swapped" "log entry ($rec_seq|$other_seq)" \
    'sql "$copy" "UPDATE log_entry SET leaf = CASE seq
                    WHEN $rec_seq THEN (SELECT leaf FROM log_entry WHERE seq = $other_seq)
                    ELSE (SELECT leaf FROM log_entry WHERE seq = $rec_seq) END
                  WHERE seq IN ($rec_seq, $other_seq)"'

tamper "two record versions' log entries swapped" "record (wt-fake00000002|iv-fake00000001) version 1" \
    'sql "$copy" "UPDATE record_version SET log_seq = -1 WHERE log_seq = $rec_seq;
                  UPDATE record_version SET log_seq = $rec_seq WHERE log_seq = $other_seq;
                  UPDATE record_version SET log_seq = $other_seq WHERE log_seq = -1"'

tamper "two vault files' names swapped" "($ev1|$ev2).*($name1|$name2)" \
    'chmod u+w "$copy/vault"; mv "$copy/vault/$name1" "$copy/vault/x";
     mv "$copy/vault/$name2" "$copy/vault/$name1"; mv "$copy/vault/x" "$copy/vault/$name2"'

tamper "two vault items' file names swapped in the index" "evidence item ($ev1|$ev2): the vault index" \
    'sql "$copy" "UPDATE vault_item SET name = '"'x'"' WHERE id = '"'$ev1'"';
                  UPDATE vault_item SET name = '"'$name1'"' WHERE id = '"'$ev2'"';
                  UPDATE vault_item SET name = '"'$name2'"' WHERE id = '"'$ev1'"'"'

tamper "a user's role changed in the table" "user analyst1|user olga.*role" \
    'sql "$copy" "UPDATE user SET role = '"'analyst'"' WHERE name = '"'olga'"'"'

tamper "the archive's public signing key replaced" "public signing key" \
    'sql "$copy" "UPDATE meta SET value = '"'$(printf '%064d' 1)'"' WHERE key = '"'sign_pk'"'"'

tamper "a record version inserted outside the log" "record wt-fake00000009 version 1 .*not in the log" \
    'sql "$copy" "INSERT INTO record_version(id, version, type, log_seq, doc)
                  SELECT '"'wt-fake00000009'"', 1, type, 9999,
                         replace(doc, '"'wt-fake00000002'"', '"'wt-fake00000009'"')
                  FROM record_version WHERE id = '"'$rec'"';
                  INSERT INTO record_current(id, type, version, clearance, doc)
                  SELECT '"'wt-fake00000009'"', type, 1, 0, doc FROM record_version
                  WHERE id = '"'wt-fake00000009'"'"'

tamper "an officer inserted outside the log" "user mallory|entry for mallory" \
    'sql "$copy" "INSERT INTO log_item(seq, kind, ref, doc)
                  SELECT 9999, kind, '"'mallory'"', replace(doc, '"'olga'"', '"'mallory'"')
                  FROM log_item WHERE kind = '"'user'"' AND ref = '"'olga'"';
                  INSERT INTO user(name, role, kdf_salt, kdf_ops, kdf_mem, wrapped_master,
                                   box_pk, wrapped_box_sk, log_seq)
                  SELECT '"'mallory'"', role, kdf_salt, kdf_ops, kdf_mem,
                         wrapped_master, box_pk, wrapped_box_sk, 9999
                  FROM user WHERE name = '"'olga'"'"'

tamper "an evidence item dropped from the vault index" "evidence item $ev2 .*vault index" \
    'sql "$copy" "DELETE FROM vault_item WHERE id = '"'$ev2'"'"'

# ---- errors that change nothing --------------------------------------------

# snapshot ARCHIVE: a digest of the database content and the vault files.
snapshot() {
    { sql "$1" .dump; ls -l "$1/vault"; sha256sum "$1"/vault/*; } | sha256sum
}

copy=$tmp/errors
cp -a "$base" "$copy"
before=$(snapshot "$copy")
out=$("$ATTEST_BIN" -A "$copy" add witness --code W-9001 --notes FICTIONAL 3<"$tmp/wrong" 2>&1)
status=$?
if [ $status -eq 1 ] && grep -qi 'passphrase' <<<"$out" && [ "$(snapshot "$copy")" = "$before" ]; then
    ok "tamper: a wrong passphrase is refused, nothing changed"
else
    not_ok "tamper: a wrong passphrase is refused, nothing changed" "exit $status: $out"
fi
out=$("$ATTEST_BIN" -A "$copy" evidence add "$tmp/ev1.bin" 3<"$tmp/wrong" 2>&1); status=$?
if [ $status -eq 1 ] && grep -qi 'passphrase' <<<"$out" && [ "$(snapshot "$copy")" = "$before" ]; then
    ok "tamper: a wrong passphrase adds no evidence"
else
    not_ok "tamper: a wrong passphrase adds no evidence" "exit $status: $out"
fi
out=$("$ATTEST_BIN" -A "$copy" -u olga --passphrase-fd 4 witness reveal wt-fake00000001 \
      4<"$tmp/wrong" 2>&1); status=$?
if [ $status -eq 1 ] && grep -qi 'passphrase' <<<"$out" && ! grep -q 'Tamper' <<<"$out" \
   && [ "$(snapshot "$copy")" = "$before" ]; then
    ok "tamper: a wrong officer passphrase reveals and logs nothing"
else
    not_ok "tamper: a wrong officer passphrase reveals and logs nothing" "exit $status: $out"
fi

# get_to ID FILE: the caller's pattern for a file: write a temporary file,
# rename it into place only if attest succeeded.
get_to() {
    if at "$copy" evidence get "$1" >"$2.part" 2>"$tmp/get.err"; then
        mv "$2.part" "$2"
    else
        rm -f "$2.part"; return 1
    fi
}
if get_to "$ev1" "$tmp/got1" && cmp -s "$tmp/got1" "$tmp/ev1.bin"; then
    ok "tamper: evidence get returns the file's bytes"
else
    not_ok "tamper: evidence get returns the file's bytes" "$(cat "$tmp/get.err")"
fi

chmod u+w "$copy/vault/$name1"
truncate -s $((header + stride)) "$copy/vault/$name1"
before=$(snapshot "$copy")
if get_to "$ev1" "$tmp/got-trunc"; then
    not_ok "tamper: evidence get of a truncated vault file fails" "it succeeded"
elif ! grep -q "$ev1" "$tmp/get.err" || ! grep -Eqi 'truncat|ends|short|missing' "$tmp/get.err"; then
    not_ok "tamper: evidence get of a truncated vault file fails" "unclear message: $(cat "$tmp/get.err")"
elif [ -e "$tmp/got-trunc" ] || [ "$(snapshot "$copy")" != "$before" ]; then
    not_ok "tamper: evidence get of a truncated vault file fails" "output left behind or archive changed"
else
    ok "tamper: evidence get of a truncated vault file fails and says so"
fi

rm -f "$copy/vault/$name2"
if get_to "$ev2" "$tmp/got-missing"; then
    not_ok "tamper: evidence get of a missing vault file fails" "it succeeded"
elif ! grep -q "$name2" "$tmp/get.err" || ! grep -q missing "$tmp/get.err"; then
    not_ok "tamper: evidence get of a missing vault file names it" "$(cat "$tmp/get.err")"
else
    ok "tamper: evidence get of a missing vault file names it"
fi
