#!/usr/bin/env bash
# rivers.sh OUT.txt: writes the rivers of North Korea and its borders for
# the offline reference map (tools/refmap.js draws them), from the World
# Data Bank II rivers that the GSHHG data of the Debian packages gmt and
# gmt-gshhg-full carry: every permanent river (GMT's -Ir: levels 1 to 4)
# at full resolution, over the box 124-131 E, 37.5-43.1 N (North Korea,
# the Yalu and the Tumen), as GMT's multi-segment text (a line "> ..."
# before each segment, then "lon<TAB>lat" per vertex, to 1e-4 degree).
# The file it made is kept in the repository (data/rivers-kp.txt), so that the
# build does not need gmt; run it again only to remake that file.
set -euo pipefail
out=$(realpath -m "${1:?usage: tools/rivers.sh OUT.txt}")
command -v gmt >/dev/null || { echo "rivers.sh: gmt is missing (apt-get install gmt gmt-gshhg-full)" >&2; exit 1; }
# gmt leaves its gmt.history in the working directory: run it in a
# directory of its own.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
{
    echo "# Rivers of North Korea: GSHHG $(dpkg-query -W -f='${Version}' gmt-gshhg-full 2>/dev/null || echo '?')" \
         "(WDBII rivers, LGPL-3+), made by tools/rivers.sh with: gmt coast -Ir -M -Df -R124/131/37.5/43.1"
    gmt coast -Ir -M -Df -R124/131/37.5/43.1 --FORMAT_FLOAT_OUT=%.4f
} > "$out.tmp"
mv "$out.tmp" "$out"
