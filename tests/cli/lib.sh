# lib.sh: sourced by every tests/cli/test_*.sh.  Gives each test file a
# scratch directory $T (removed on exit), the source tree's root $ROOT, the
# verdict helpers that tests/run counts ("ok - NAME" / "not ok - NAME"),
# the plan (`plan N` before the first test: tests/run fails a file that
# runs another number), and `attest`, which runs the binary under test
# ($ATTEST_BIN) as a fixed user, whose (fictional) passphrase every command
# reads from file descriptor 3.
#
# After `check` or `check_fails`, the command's output is in $T/out and
# its error output in $T/err.  A test file always exits 0: failures are
# the "not ok" lines.

set -u
: "${ATTEST_BIN:?set ATTEST_BIN to the attest binary (tests/run does)}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export ATTEST_USER=tester
unset ATTEST_ARCHIVE
cd "$T" || exit 1
printf 'FICTIONAL test passphrase\n' > "$T/.passphrase"
exec 3<"$T/.passphrase"
export ATTEST_PASSPHRASE_FD=3

attest() { "$ATTEST_BIN" "$@"; }

# plan N: this file runs N tests (printed before the first one).
plan() { echo "1..$1"; }

ok() { echo "ok - $1"; }

# skip NAME REASON: a test that cannot run here, and why.  Only for what
# `make deps` does not install; a missing dependency it installs is a
# failure.
skip() { echo "ok - $1 # SKIP $2"; }

# not_ok NAME [DETAIL...]: a failure; each detail goes on its own "#" line.
not_ok() {
    echo "not ok - $1"
    shift
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

# verdict NAME CONDITION-STATUS [DETAIL...]: ok when the status is 0.
verdict() {
    local name=$1 status=$2
    shift 2
    if [ "$status" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}

# check NAME COMMAND...: COMMAND must exit 0.
check() {
    local name=$1 rc
    shift
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    verdict "$name" "$rc" "exit $rc from: $*" "$(head -c 2000 "$T/err")"
}

# check_fails NAME EXIT PATTERN COMMAND...: COMMAND must exit with EXIT
# and say something matching PATTERN (grep -E) on stderr.
check_fails() {
    local name=$1 want=$2 pattern=$3 rc
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        not_ok "$name" "exit $rc, expected $want, from: $*" "$(head -c 2000 "$T/err")"
    elif ! grep -qE -- "$pattern" "$T/err"; then
        not_ok "$name" "stderr lacks /$pattern/:" "$(head -c 2000 "$T/err")"
    else
        ok "$name"
    fi
}

# has NAME PATTERN COMMAND...: COMMAND must exit 0 and print a line
# matching PATTERN (grep -E) on stdout.
# lacks NAME PATTERN COMMAND...: COMMAND must exit 0 and print no line
# matching PATTERN on stdout (a command that fails is no proof of absence).
has() { stdout_holds yes "$@"; }
lacks() { stdout_holds no "$@"; }

# stdout_holds yes|no NAME PATTERN COMMAND...: the one body of has and lacks.
stdout_holds() {
    local want=$1 name=$2 pattern=$3 rc found
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    grep -qE -- "$pattern" "$T/out" && found=yes || found=no
    if [ "$rc" -ne 0 ]; then
        not_ok "$name" "exit $rc from: $*" "$(head -c 2000 "$T/err")"
    elif [ "$found" != "$want" ] && [ "$want" = yes ]; then
        not_ok "$name" "stdout lacks /$pattern/:" "$(head -c 2000 "$T/out")"
    elif [ "$found" != "$want" ]; then
        not_ok "$name" "stdout has /$pattern/:" "$(grep -E -- "$pattern" "$T/out" | head -5)"
    else
        ok "$name"
    fi
}

# refused NAME PATTERN COMMAND...: COMMAND must exit 2 with PATTERN on
# stderr and leave the archive as it was in $T/before.jsonl (the caller
# writes it with `attest export jsonl`).  Two tests.
refused() {
    local name=$1 pattern=$2
    shift 2
    check_fails "$name" 2 "$pattern" "$@"
    attest export jsonl >"$T/after.jsonl"
    cmp -s "$T/before.jsonl" "$T/after.jsonl"
    verdict "$name: archive unchanged" $?
}

# same NAME EXPECTED ACTUAL: the two strings must be equal.
same() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# new_archive [NAME]: creates an empty archive in $T and makes it the
# current one (ATTEST_ARCHIVE); its path is left in $ARCHIVE.
ARCHIVES=0
new_archive() {
    ARCHIVES=$((ARCHIVES + 1))
    ARCHIVE="$T/${1:-archive$ARCHIVES}"
    export ATTEST_ARCHIVE="$ARCHIVE"
    attest init "$ARCHIVE" --kdf interactive 2>/dev/null || { not_ok "init $ARCHIVE"; exit 0; }
}

# json_get EXPR: reads JSON on stdin and prints the Python expression EXPR
# of it (the value is `j`), e.g. json_get 'j["version"]'.
json_get() {
    python3 -c 'import json, sys; j = json.load(sys.stdin); v = '"$1"'
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))'
}

# count_records: all records of the current archive, retracted included.
count_records() {
    attest stats --json | json_get 'sum(r["records"] + r["retracted"] for r in j["types"])'
}
