#!/usr/bin/env bash
# vault.sh: how fast evidence enters the vault.  Makes 1 GiB of seeded
# pseudo-random bytes, then times, in the same run and best of three:
# sha256sum and `openssl dgst -sha256` on the file (the peers), and the
# vault's ingest (encrypt to a vault file while hashing) and verify
# (decrypt to nowhere, check every tag, hash).  Prints MB/s for each, the
# ratio of ingest to openssl dgst (the target is at least 50%), and fails
# if the hashes disagree.
set -euo pipefail
cd "$(dirname "$0")/.."

make -s build/bench/vault_ingest

dir=$(mktemp -d /tmp/attest-bench-vault.XXXXXX)
trap 'rm -rf "$dir"' EXIT
bytes=$((1 << 30))
head -c "$bytes" /dev/zero \
    | openssl enc -aes-256-ctr -pass pass:attest-bench-vault -nosalt -pbkdf2 -out "$dir/input"

# mbps COMMAND...: runs COMMAND with its output in $dir/out and prints
# MB/s over the input's size.
mbps() {
    local start end
    start=$(date +%s%N)
    "$@" >"$dir/out"
    end=$(date +%s%N)
    echo $((bytes * 1000 / (end - start)))
}
best() { [ "$1" -gt "$2" ] && echo "$1" || echo "$2"; }

sum=0 dgst=0 ingest=0 verify=0
for round in 1 2 3; do
    sum=$(best "$sum" "$(mbps sha256sum "$dir/input")")
    want=$(cut -d' ' -f1 "$dir/out")
    dgst=$(best "$dgst" "$(mbps openssl dgst -sha256 "$dir/input")")
    build/bench/vault_ingest "$dir/input" "$dir/input.vault" >"$dir/ours"
    for pass in ingest verify; do
        read -r _ rate _ hash < <(grep "^$pass " "$dir/ours")
        if [ "$hash" != "$want" ]; then
            echo "vault $pass: SHA-256 $hash differs from sha256sum's $want (round $round)" >&2
            exit 1
        fi
        [ "$pass" = ingest ] && ingest=$(best "$ingest" "$rate") || verify=$(best "$verify" "$rate")
    done
done

echo "input: 1 GiB of seeded pseudo-random bytes; best of 3 runs; hashes agree"
printf '%-22s %6s MB/s\n' "sha256sum" "$sum" "openssl dgst -sha256" "$dgst"
printf '%-22s %6s MB/s  %3d%% of openssl dgst (target >= 50%%)  encrypt + SHA-256, vault file written\n' \
    "vault ingest" "$ingest" $((ingest * 100 / dgst))
printf '%-22s %6s MB/s  %3d%% of openssl dgst  decrypt to nowhere, check tags + SHA-256\n' \
    "vault verify" "$verify" $((verify * 100 / dgst))
