#!/usr/bin/env bash
# test_documents.sh: documents as sources in the API (documents.py): a
# FICTIONAL digest imported, its text with tags, decisions by role, claims
# checked against their span; bad input refused naming the field.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
"$bin" add organisation --name "FICTIONAL Pyolsong Trading" > /dev/null
http_start
"$python" tests/http/documents.py || echo "# documents.py exited with $?"
