#!/usr/bin/env bash
# Evidence uploads: who may upload is decided from the head, before a byte
# of the body is read; uploads are capped per user and in all; and what is
# received is encrypted as it arrives, so that a server killed mid-upload
# leaves no plaintext behind, only a staging file that verify reports and
# the next start removes.  Downloads, likewise, are decrypted as they are
# sent, never into a file.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 64
http_setup --no-demo
export HTTP_TEST_ARCHIVE="$tmp/a"
up() { "$python" tests/http/uploads.py "$@" || echo "not ok - uploads.py $1 exited with $?"; }
staged() { ls -A "$tmp/a/vault" | grep '^\.'; }

# (a) Killed mid-upload: no plaintext on disk; verify reports the staging
# file; the next start sweeps it.
http_start
"$python" tests/http/uploads.py stall &
stall=$!
"$python" tests/http/uploads.py wait-staging "$tmp/a/vault" $((2 << 20))
kill -KILL "$server_pid"
wait "$server_pid" 2> /dev/null
server_pid=
wait "$stall"
setup "a killed upload left a staging file (the case under test)" staged
absent "no plaintext of the killed upload anywhere in the archive" 'FICTIONAL-UPLOAD-MARKER-5d1c9e' "$tmp/a"
"$bin" verify > "$tmp/verify.out" 2>&1; status=$?
check "verify fails on a left-over staging file" test $status -eq 1
check "verify names the left-over staging file" grep -q "unfinished upload" "$tmp/verify.out"
http_start
no_staging "the server's start removes the staging file" "$tmp/a/vault"
check "verify passes once it is removed" "$bin" verify

# (b) Refused from the head: no login, no right, no length.
up refused

# (d) Normal uploads still work and come back byte for byte; the CLI adds
# the same bytes as the same item.
up roundtrip "$tmp/roundtrip.bin"
# Nor does a download: it is decrypted as it is sent.
up held-download "$server_pid"
check "the CLI finds an uploaded file already in the vault" \
    sh -c "'$bin' evidence add '$tmp/roundtrip.bin' | grep -q \"^\$(cat '$tmp/roundtrip.bin.id')  (already in the vault)\""
http_stop
check "verify passes after the uploads" "$bin" verify
no_staging "no staging file is left after a clean stop" "$tmp/a/vault"

# (c) Caps per user and in all.
http_start --uploads-per-user 2 --uploads-total 3 --upload-bytes-per-user 8M
up caps
up heads
http_stop
no_staging "no staging file is left after refused and dropped uploads" "$tmp/a/vault"

# (e) Basemap uploads: at most two at once (429 beyond), and the files a
# crash left half received are removed at the next start.
http_start
up basemap-caps
http_stop
printf 'FICTIONAL half-received basemap\n' > "$tmp/a/basemap-upload-Ab12Cd.mbtiles"
printf 'FICTIONAL half-received basemap\n' > "$tmp/a/basemap-upload-Ef34Gh.kmz"
setup "a crash left basemap upload files (the case under test)" ls "$tmp/a/basemap-upload-Ab12Cd.mbtiles"
http_start
no_staging "the server's start removes what basemap uploads left" "$tmp/a" '^basemap-upload-'
check "and says so" grep -q "removed 2 unfinished basemap uploads" "$tmp/server.log"
http_stop
