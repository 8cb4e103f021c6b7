#!/usr/bin/env bash
# test_witness_codes.sh: a witness code names one witness (issue 15: a
# second W-0104 was accepted silently, which would count one witness twice
# among the independent sources).  The one gate in core refuses it however
# the record arrives: add, amend, import; a retracted witness's code is
# free again.  FICTIONAL data only.
. "$(dirname "$0")/lib.sh"
export ATTEST_USER=admin
plan 11

new_archive
W1=$(attest add witness --code W-0104 2>/dev/null)
attest export jsonl >"$T/before.jsonl"
refused "add: a second W-0104 is refused, naming the field" \
    'field "code": witness code "W-0104" is already in use by another witness' \
    attest add witness --code W-0104
refused "add: the same code in another case or with spaces is the same code" \
    'witness code "w-0104" is already in use' \
    attest add witness --code " w-0104 "
W2=$(attest add witness --code W-0105 2>/dev/null)
attest export jsonl >"$T/before.jsonl"
refused "amend: taking another witness's code is refused" 'already in use by another witness' \
    attest amend "$W2" --code W-0104 --reason "FICTIONAL: a typing slip"
check "amend: a witness keeps its own code through a new version" \
    attest amend "$W1" --code W-0104 --notes "FICTIONAL second version" --reason "FICTIONAL: notes"
printf '%s\n' '{"type":"witness","id":"wt-fake00000099","version":1,"clearance":"restricted","retracted":false,"reason":"created","author":"someone","written_at":"2024-01-01T00:00:00Z","data":{"code":"W-0104"}}' >"$T/dupe.jsonl"
attest export jsonl >"$T/before.jsonl"
refused "import: a witness with a code in use is refused" 'witness code "W-0104" is already in use' \
    attest import jsonl "$T/dupe.jsonl"
check "a retracted witness's code is free again" \
    attest retract "$W1" --reason "FICTIONAL: entered twice"
check "so a new witness may take it" attest add witness --code W-0104
