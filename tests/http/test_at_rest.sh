#!/usr/bin/env bash
# test_at_rest.sh: records written, read, searched and exported through the
# API leave none of their words in any file of the archive (database, WAL,
# shared memory, key file, vault) nor in the server's access log, while the
# server runs and after it is killed with SIGKILL.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 4
http_setup --no-demo
WORDS=(Quillowmere Harrowfen 청어바위골 "Ondrej Vasquetti" 霧橋村)

# leaks: each file under the archive, or the access log, holding a word.
leaks() {
    local f w
    while IFS= read -r -d '' f; do
        for w in "${WORDS[@]}"; do grep -qaF -- "$w" "$f" && echo "$f: $w"; done
    done < <(find "$tmp/a" "$tmp/server.log" -type f -print0)
}

http_start
check "records with planted words written, read, searched and exported" \
    "$python" tests/http/at_rest.py "${WORDS[@]}"
found=$(leaks)
check "while the server runs, no file of the archive and no log line holds a planted word" \
    test -z "$found"
[ -z "$found" ] || printf '# %s\n' "$found"
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=
found=$(leaks)
check "after kill -9 of the server, still none" test -z "$found"
[ -z "$found" ] || printf '# %s\n' "$found"
check "after kill -9 of the server, the archive verifies" "$bin" -A "$tmp/a" verify
