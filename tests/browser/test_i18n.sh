#!/usr/bin/env bash
# The web application's Korean labels are complete (tests/browser/i18n_check.mjs):
# no browser needed, only node.
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$root/tests/browser/i18n_check.mjs"
