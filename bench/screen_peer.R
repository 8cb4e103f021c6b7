# A brute-force screening peer: R's stringdist Jaro-Winkler of the whole
# query against every listed name (upper case, punctuation removed), a hit
# being an entry with a name at or above a similarity threshold.  No
# transliteration and no romanisation folding: what a plain fuzzy matcher
# does.  One thread.
# usage: Rscript screen_peer.R NAMES.tsv QUERIES.tsv THRESHOLD
suppressMessages(library(stringdist))
args <- commandArgs(trailingOnly = TRUE)
rd <- function(f) read.delim(f, header = FALSE, quote = "", colClasses = "character",
                             na.strings = character(0), encoding = "UTF-8")
names <- rd(args[1]); queries <- rd(args[2]); threshold <- as.numeric(args[3])
clean <- function(x) trimws(gsub(" +", " ", gsub("[^[:alnum:] ]", " ", toupper(x))))
listed <- clean(names[[5]]); entry <- paste0(names[[1]], ":", names[[2]]); ltype <- names[[3]]
found <- 0; listed_n <- 0; fp <- 0; unlisted_n <- 0
t <- system.time(for (i in seq_len(nrow(queries))) {
    want <- queries[[1]][i]; type <- queries[[3]][i]
    s <- 1 - stringdist(clean(queries[[4]][i]), listed, method = "jw", p = 0.1, nthread = 1)
    ok <- s >= threshold & (type == "" | ltype == type)
    hits <- unique(entry[ok])
    if (want == "-") { unlisted_n <- unlisted_n + 1; fp <- fp + (length(hits) > 0) }
    else { listed_n <- listed_n + 1; found <- found + (want %in% hits) }
})[["user.self"]]
cat(sprintf(paste0("R stringdist brute force, Jaro-Winkler >= %.2f: %d queries, %.0f queries/s of CPU time, ",
                   "%.2f ms per query; recall %.1f%% (%d of %d), false positives %.2f%% (%d of %d)\n"),
            threshold, nrow(queries), nrow(queries) / t, t * 1000 / nrow(queries),
            100 * found / listed_n, found, listed_n, 100 * fp / unlisted_n, fp, unlisted_n))
