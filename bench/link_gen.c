/*
 * link_gen.c: writes FICTIONAL Korean person or event records with known
 * truth as CSV (bench/link_gen.h), for the linkage benchmark.
 *
 *   build/bench/link_gen persons|events N SEED > records.csv
 */
#include "link_gen.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "persons") != 0 && strcmp(argv[1], "events") != 0)) {
        fprintf(stderr, "usage: link_gen persons|events N SEED\n");
        return 2;
    }
    size_t n = strtoull(argv[2], NULL, 10);
    uint64_t seed = strtoull(argv[3], NULL, 10);
    if (strcmp(argv[1], "persons") == 0)
        link_gen_persons(stdout, n, seed);
    else
        link_gen_events(stdout, n, seed);
    return fflush(stdout) == 0 ? 0 : 1;
}
