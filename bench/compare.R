# Runs R's dbscan on placements (lat,lon,...) in 3-D chord space, metres on
# the Earth's mean radius, and writes its labels (0 = noise) and its time.
# usage: Rscript compare.R IN.csv EPS_M MIN_PTS OUT_LABELS
suppressMessages(library(dbscan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
R <- 6371008.8
phi <- d$lat * pi / 180
lambda <- d$lon * pi / 180
x <- cbind(R * cos(phi) * cos(lambda), R * cos(phi) * sin(lambda), R * sin(phi))
t <- system.time(res <- dbscan(x, eps = as.numeric(args[2]), minPts = as.integer(args[3])))
write.table(data.frame(cluster = res$cluster), args[4], row.names = FALSE, quote = FALSE)
cat(sprintf("%d placements into %d clusters in %.3f s, CPU %.2f s",
            nrow(x), max(res$cluster), t[["elapsed"]], t[["user.self"]] + t[["sys.self"]]),
    file = stderr())
