#!/usr/bin/env bash
# PDF previews: a PDF's pages drawn as PNG by poppler in the bubblewrap
# sandbox, never the PDF itself; a malformed or slow PDF is refused
# clearly and the server stays up; nothing of a PDF is written to disk.
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 20
if ! command -v bwrap > /dev/null || ! command -v pdftoppm > /dev/null || ! unshare -Ur true 2> /dev/null; then
    for i in $(seq 20); do echo "ok - pdf preview $i # SKIP no bubblewrap, poppler-utils or user namespaces"; done
    exit 0
fi
http_setup --no-demo
# A PDF made to take long is stopped by a processor limit lowered for the
# test (the environment may only lower it).
ATTEST_PREVIEW_CPU_S=1 http_start
pv() { "$python" tests/http/preview.py "$@" || echo "not ok - preview.py $1 exited with $?"; }
pv pages
pv slow
http_stop
absent "nothing of the previewed PDFs is in the archive's files" 'FICTIONAL: this is not' "$tmp/a"
