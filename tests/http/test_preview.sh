#!/usr/bin/env bash
# PDF previews: a PDF's pages drawn as PNG by poppler in the bubblewrap
# sandbox, never the PDF itself; a malformed or slow PDF is refused
# clearly and the server stays up; nothing of a PDF is written to disk.
# A server that cannot start bubblewrap answers 503 and never runs poppler.
# FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
plan 26
if ! command -v bwrap > /dev/null || ! command -v pdftoppm > /dev/null || ! unshare -Urm true 2> /dev/null; then
    for i in $(seq 26); do echo "ok - pdf preview $i # SKIP no bubblewrap, poppler-utils or user namespaces"; done
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

# The server again with bubblewrap made unavailable as on a machine without
# it: in a mount namespace of its own, /usr/bin/bwrap is /dev/null (not
# executable) and poppler's pdfinfo and pdftoppm a trace that leaves a mark
# if anything runs them (inside a sandbox they could not reach the mark;
# without one they would).  Nothing in attest is switched.
printf '#!/bin/sh\ntouch "%s"\nexit 1\n' "$tmp/poppler-ran" > "$tmp/trace"
cat > "$tmp/without-bwrap" <<EOF
#!/bin/sh
exec unshare -Urm sh -c 'mount --bind /dev/null /usr/bin/bwrap && mount --bind "\$0" /usr/bin/pdfinfo \\
    && mount --bind "\$0" /usr/bin/pdftoppm && exec "\$@"' "$tmp/trace" "\$@"
EOF
chmod +x "$tmp/trace" "$tmp/without-bwrap"
"$tmp/without-bwrap" /usr/bin/pdfinfo /dev/null > /dev/null 2>&1
check "the trace marks a run of poppler in that namespace" test -e "$tmp/poppler-ran"
rm -f "$tmp/poppler-ran"
real_bin=$bin
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$tmp/without-bwrap" "$real_bin" > "$tmp/attest"
chmod +x "$tmp/attest"
bin=$tmp/attest
http_start
pv nosandbox
http_stop
bin=$real_bin
check "poppler never ran without the sandbox" test ! -e "$tmp/poppler-ran"
