#!/usr/bin/env bash
# Multiple systems estimation speed (issue 13): LCMCR sweeps per second
# on the Kosovo table (4 lists, K = 10) and on a simulated six-list table
# (K = 15), and the time to fit every hierarchical log-linear model of five
# lists; model averaging over the 822 five-list graphs beside it.  Times
# are CPU time of the one thread (wall time beside), with the machine's
# load printed, so that other work on the machine shows.  Targets on one
# core: >= 200,000 sweeps/s for four lists, all five-list models <= 100 ms.
# The peer is R's LCMCR package when installed; otherwise the reference
# figure of the research notes is printed, labelled as not measured here.
# SWEEPS (default 200000) and REPEATS (default 5) set the scale.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/bench/estimate_bench
sweeps=${SWEEPS:-200000}
repeats=${REPEATS:-5}

echo "-- load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
build/bench/estimate_bench lcmcr4 "$sweeps"
build/bench/estimate_bench lcmcr6 "$((sweeps / 2))"
build/bench/estimate_bench loglinear5 "$repeats"
build/bench/estimate_bench dga5 "$repeats"
echo "-- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "-- peer"
if command -v Rscript > /dev/null && Rscript -e 'library(LCMCR)' > /dev/null 2>&1; then
    Rscript -e '
suppressMessages(library(LCMCR))
data(kosovo_aggregate)
set.seed(1)
o <- lcmCR(kosovo_aggregate, tabular = TRUE, K = 10, a_alpha = 0.25, b_alpha = 0.25,
           seed = 1, buffer_size = 10000, thinning = 1, verbose = FALSE)
n <- as.integer(Sys.getenv("SWEEPS", "200000"))
t <- system.time(lcmCR_PostSampl(o, burnin = 0, samples = n, thinning = 1, output = FALSE))
cat(sprintf("R LCMCR, Kosovo, K = 10: %d sweeps in %.3f s CPU: %.0f sweeps/s\n", n, t[["user.self"]], n / t[["user.self"]]))'
else
    echo "R LCMCR: not installed here, not measured in this run."
    echo "Reference (research notes, R 4.2.2 + LCMCR 0.4.14 on this 2-core machine, NOT measured in this run):"
    echo "  Kosovo, K = 10: about 60,000 sweeps/s (110,000 sweeps in 1.7-2.2 s; 2.55 M in 42 s)"
    echo "  simulated six lists, K = 15: about 22,000 sweeps/s (110,000 sweeps in 5.1 s)"
    echo "  dga, 822 five-list graphs: 0.019 s in R"
fi
