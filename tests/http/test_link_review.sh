#!/usr/bin/env bash
# test_link_review.sh: record linkage's review queue and decisions in the
# API (link_review.py), on FICTIONAL persons linked by `attest link`.
. "$(dirname "$0")/lib.sh"
http_setup --no-demo
person() { "$bin" add person "$@" > /dev/null; }
person --name "FICTIONAL Kim Chol Su" --birth_date 1960 --sex male --home_province "North Hamgyong"
person --name "FICTIONAL Kim Cheol-su" --birth_date 1961 --sex male --home_province "North Hamgyong"
person --name "FICTIONAL Pak Yong Hui" --birth_date 1972 --sex female --home_province Ryanggang
person --name "FICTIONAL Park Young-hee" --birth_date 1972 --sex female --home_province Ryanggang
person --name "FICTIONAL Ri Myong Chol" --birth_date 1950 --sex male
person --name "FICTIONAL Ri Myong-chol" --birth_date 1950 --sex male --clearance confidential
"$bin" link persons > /dev/null 2>&1 || echo "# attest link persons failed"
http_start
"$python" tests/http/link_review.py || echo "# link_review.py exited with $?"
